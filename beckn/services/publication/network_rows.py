"""The network rows a publication is built of: every operator's stations, chargers and
connectors as read under its network stamp, compared station by station with those read
before (a station whose rows did not change keeps its objects, so what was rendered of
them still applies), with the stations by latitude for finding those near a point."""

from __future__ import annotations

import bisect
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from cpo_portal.models import Charger, Connector, Operator, Station


@dataclass(frozen=True)
class Rows:
    """One operator's network rows, as read under one network stamp."""

    operator: Operator
    stations: dict[int, Station]  # by pk, in pk order
    chargers: dict[int, list[Charger]]  # by station pk, in code order as the database sorts
    connectors: dict[int, list[Connector]]  # by charger pk, in connector id order
    keys: dict[int, tuple]  # by station pk: its row, its chargers' and connectors'
    key: tuple  # the operator's row
    codes: dict[str, list[Charger]]  # chargers by code, in station and code order
    latitudes: list[tuple[Decimal, int]] = field(default_factory=list)  # (lat, pk), sorted

    def near(self, south: Decimal, north: Decimal) -> list[int]:
        """The pks of the stations between two latitudes (bounds included), by latitude:
        a search reads only the band its circle spans, not every station."""
        low = bisect.bisect_left(self.latitudes, (south, -1))
        high = bisect.bisect_right(self.latitudes, (north, sys.maxsize))
        return [pk for _, pk in self.latitudes[low:high]]

    def unchanged(self, before: Rows | None) -> set[int]:
        """The stations whose rows (with their chargers and connectors) are as `before`."""
        if before is None or before.key != self.key:
            return set()
        return {pk for pk, key in self.keys.items() if before.keys.get(pk) == key}

    def same(self, before: Rows | None) -> bool:
        return before is not None and before.key == self.key and before.keys == self.keys


def _row(instance: Any) -> tuple:
    return tuple(f.value_from_object(instance) for f in instance._meta.concrete_fields)


def read_network(before: dict[int, Rows], changed: set[int] | None = None) -> dict[int, Rows]:
    """Every operator's network rows: those of the operators `changed` (None: all) read
    again, in four queries, the others' kept. A station whose rows did not change keeps
    the objects read before (so what was rendered of them still applies)."""
    out: dict[int, Rows] = {}
    operators_read = Operator.objects.order_by("pk")
    if changed is not None:
        out = {pk: rows for pk, rows in before.items() if pk not in changed}
        operators_read = operators_read.filter(pk__in=changed)
    operators = {o.pk: o for o in operators_read}
    stations = list(Station.objects.filter(operator_id__in=list(operators)).order_by("pk"))
    chargers: dict[int, list[Charger]] = {s.pk: [] for s in stations}
    for charger in (
        Charger.objects.filter(operator_id__in=list(operators))
        .order_by("station_id", "code")
        .prefetch_related(
            Prefetch("connectors", queryset=Connector.objects.order_by("connector_id"))
        )
    ):
        chargers[charger.station_id].append(charger)
    if changed is not None and (left := _left(before, changed, chargers)):
        return read_network(before, changed | left)  # rows moved away from those kept
    # Each charger's connectors, read once from the prefetch (every .all() is a new queryset).
    connectors = {c.pk: list(c.connectors.all()) for here in chargers.values() for c in here}
    for pk, operator in operators.items():
        old = before.get(pk)
        if old is not None and old.key == _row(operator):
            operator = old.operator
        rows = Rows(operator, {}, {}, {}, {}, _row(operator), {})
        out[pk] = rows
    for station in stations:
        rows = out[station.operator_id]
        here = chargers[station.pk]
        key = (
            _row(station),
            *((_row(c), *(_row(x) for x in connectors[c.pk])) for c in here),
        )
        old = before.get(station.operator_id)
        if old is not None and old.key == rows.key and old.keys.get(station.pk) == key:
            station, here = old.stations[station.pk], old.chargers[station.pk]
        else:
            for charger in here:
                charger.station, charger.operator = station, rows.operator
        rows.stations[station.pk] = station
        rows.chargers[station.pk] = here
        rows.keys[station.pk] = key
        for charger in here:
            rows.connectors[charger.pk] = connectors[charger.pk]
            rows.codes.setdefault(charger.code, []).append(charger)
        rows.latitudes.append((station.latitude, station.pk))
    for pk in operators:
        out[pk].latitudes.sort()
    return dict(sorted(out.items()))


def _left(
    before: dict[int, Rows], changed: set[int], chargers: dict[int, list[Charger]]
) -> set[int]:
    """The operators kept as read before whose rows hold a station or charger just read
    under an operator read again: moved to it (a move renews the new operator's stamp
    only), so the one it left must be read again too."""
    stations = chargers.keys()
    moved = {c.pk for here in chargers.values() for c in here}
    return {
        pk
        for pk, rows in before.items()
        if pk not in changed and (stations & rows.stations.keys() or moved & rows.connectors.keys())
    }
