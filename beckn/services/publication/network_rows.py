"""The network rows a publication is built of: every operator's stations, chargers and
connectors as read under its network stamp, a station read again only when its own stamp
moved and then compared with what was read before (a station whose rows did not change
keeps its objects, so what was rendered of them still applies), with the stations by
latitude for finding those near a point."""

from __future__ import annotations

import bisect
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from cpo_portal.models import Charger, Connector, Operator, Station, StationStamp


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
    stamps: dict[int, Any] = field(default_factory=dict)  # by station pk, as listed

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


MOST_BY_KEY = 500  # more stations to read again than this: read by operator instead


def _row(instance: Any) -> tuple:
    return tuple(f.value_from_object(instance) for f in instance._meta.concrete_fields)


def read_network(before: dict[int, Rows], changed: set[int] | None = None) -> dict[int, Rows]:
    """Every operator's network rows: those of the operators `changed` (None: all) looked
    at again, the others' kept. Of an operator looked at, the stations whose stamp
    (cpo_portal.StationStamp) moved since `before` are read again with their chargers and
    connectors (one query lists the stamps, three read the rows), the others kept; a
    station read again whose rows did not change keeps the objects read before (so what
    was rendered of it still applies). A station or charger found moved from where it was
    (to another station or operator) has every operator read again."""
    query = Operator.objects.order_by("pk")
    if changed is not None:
        query = query.filter(pk__in=changed)
    operators = {o.pk: o for o in query}
    operator_keys = {pk: _row(o) for pk, o in operators.items()}
    listed = _listed(list(operators))
    stale = {
        pk
        for pk, (operator_id, stamp) in listed.items()
        if changed is None
        or (old := before.get(operator_id)) is None
        or old.key != operator_keys[operator_id]
        or old.stamps.get(pk) != stamp
    }
    stations, chargers = _read(stale, list(operators), whole=changed is None)
    if changed is not None and _moved(before, listed, chargers):
        return read_network(before)
    # Each charger's connectors, read once from the prefetch (every .all() is a new queryset).
    connectors = {c.pk: list(c.connectors.all()) for here in chargers.values() for c in here}
    out = {} if changed is None else {pk: r for pk, r in before.items() if pk not in changed}
    for pk, operator in operators.items():
        old = before.get(pk)
        if old is not None and old.key == operator_keys[pk]:
            operator = old.operator
        out[pk] = Rows(operator, {}, {}, {}, {}, operator_keys[pk], {})
    for pk, (operator_id, stamp) in sorted(listed.items()):
        rows, old = out[operator_id], before.get(operator_id)
        station = stations.get(pk)
        if station is None:  # its stamp did not move: kept as read before
            assert old is not None
            station, here, key = old.stations[pk], old.chargers[pk], old.keys[pk]
            held = old.connectors
        else:
            here, held = chargers[pk], connectors
            key = (_row(station), *((_row(c), *(_row(x) for x in held[c.pk])) for c in here))
            if old is not None and old.key == rows.key and old.keys.get(pk) == key:
                station, here, held = old.stations[pk], old.chargers[pk], old.connectors
            else:
                for charger in here:
                    charger.station, charger.operator = station, rows.operator
        rows.stations[pk] = station
        rows.chargers[pk] = here
        rows.keys[pk] = key
        rows.stamps[pk] = stamp
        for charger in here:
            rows.connectors[charger.pk] = held[charger.pk]
            rows.codes.setdefault(charger.code, []).append(charger)
        rows.latitudes.append((station.latitude, pk))
    for pk in operators:
        out[pk].latitudes.sort()
    return dict(sorted(out.items()))


def _listed(operator_ids: list[int]) -> dict[int, tuple[int, Any]]:
    """The operators' stations: (operator pk, stamp) by station pk, in one query. Stamps
    not made yet (stations written in bulk) are made first, before the rows they guard are
    read; a station whose stamp could not be made (deleted meanwhile) reads as None."""
    found = Station.objects.filter(operator_id__in=operator_ids).values_list(
        "pk", "operator_id", "rows_stamp__stamp"
    )
    listed = {pk: (operator_id, stamp) for pk, operator_id, stamp in found}
    missing = [StationStamp(station_id=pk) for pk, (_, stamp) in listed.items() if stamp is None]
    if not missing:
        return listed
    try:
        with transaction.atomic():
            StationStamp.objects.bulk_create(missing, ignore_conflicts=True)
    except IntegrityError:  # a station deleted meanwhile: read as it is, every time
        return listed
    return _listed(operator_ids)


def _read(
    stale: set[int], operator_ids: list[int], *, whole: bool
) -> tuple[dict[int, Station], dict[int, list[Charger]]]:
    """The `stale` stations (whole: every station of the operators) by pk, and their
    chargers by station pk, connectors prefetched, in three queries."""
    if not stale:
        return {}, {}
    by_operator = whole or len(stale) > MOST_BY_KEY
    stations = Station.objects.order_by("pk")
    chargers = Charger.objects.order_by("station_id", "code").prefetch_related(
        Prefetch("connectors", queryset=Connector.objects.order_by("connector_id"))
    )
    if by_operator:
        stations = stations.filter(operator_id__in=operator_ids)
        chargers = chargers.filter(operator_id__in=operator_ids)
    else:
        stations = stations.filter(pk__in=stale)
        chargers = chargers.filter(station_id__in=stale)
    read = {s.pk: s for s in stations}
    found: dict[int, list[Charger]] = {pk: [] for pk in read}
    for charger in chargers:
        found.setdefault(charger.station_id, []).append(charger)
    return read, found


def _moved(
    before: dict[int, Rows], listed: dict[int, tuple[int, Any]], chargers: dict[int, list[Charger]]
) -> bool:
    """Whether a station is now another operator's than in `before`, or a charger just
    read is at another station than there (a move renews the stamps of where it went,
    not of where it was). Only a charger that was not at its station before (new, or
    moved) is looked for at the others."""
    for operator_id, rows in before.items():
        for pk in rows.chargers:
            if pk in listed and listed[pk][0] != operator_id:
                return True
    arrived = []
    for pk, here in chargers.items():
        old = before.get(listed[pk][0]) if pk in listed else None
        was = {c.pk for c in old.chargers.get(pk, ())} if old is not None else set()
        arrived += [c.pk for c in here if c.pk not in was]
    if not arrived:
        return False
    at = {c.pk: pk for rows in before.values() for pk, here in rows.chargers.items() for c in here}
    return any(c in at for c in arrived)
