"""The conditions of a quote (holidays, occupancy, grid stress), with each operator's
holidays and grid signals memoised per process.

An operator's memo is trusted while its pricing stamp (PricingVersion) is what it was
when the memo was filled: every save or delete of the operator's holidays and grid
signals renews it (pricing.services.invalidation), and the caller reads it before it
trusts the memo (books.book_and_conditions), so a change committed in any process is seen
by the next quote everywhere. The memo holds the signals not cleared before a day ahead of
its filling; an earlier moment is read from the database (sites.conditions_at).
Occupancy is live: the stations' charger statuses are read on every call (once per
work inside cpo_portal.stamps.held(), as the stamps are: a worker's batch of answers).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from cpo_portal.models import Charger, Holiday, Station
from cpo_portal.stamps import rows_of
from pricing.engine.types import Conditions
from pricing.models import GridSignal
from pricing.models.signals import active_at

from .sites import (
    conditions_at,
    day_ranges,
    holidays_by_station,
    occupancy_at,
    occupancy_by_station,
    stress_by_station,
)

SIGNALS_BEFORE = dt.timedelta(days=1)  # signals cleared this long before filling are left out


@dataclass(frozen=True, slots=True)
class _Operator:
    stamp: uuid.UUID  # the pricing stamp when filled
    holidays: tuple[tuple[int, str, dt.date], ...]  # (operator_id, region_code, date)
    signals: tuple[tuple[int, int | None, str, dt.datetime, dt.datetime | None], ...]
    since: dt.datetime  # signals cleared before this are not held


_MEMO: dict[int, _Operator] = {}
_LOCK = threading.Lock()


def forget() -> None:
    with _LOCK:
        _MEMO.clear()


def _fill(operator_id: int, stamp: uuid.UUID) -> _Operator:
    since = timezone.now() - SIGNALS_BEFORE
    holidays = Holiday.objects.filter(operator_id=operator_id).order_by()
    signals = GridSignal.objects.filter(
        Q(cleared_at__isnull=True) | Q(cleared_at__gt=since), operator_id=operator_id
    ).order_by()
    entry = _Operator(
        stamp=stamp,
        holidays=tuple(holidays.values_list("operator_id", "region_code", "date")),
        signals=tuple(
            signals.values_list(
                "operator_id", "station_id", "region_code", "raised_at", "cleared_at"
            )
        ),
        since=since,
    )
    with _LOCK:
        _MEMO[operator_id] = entry
    return entry


def _occupancy(stations: Sequence[Station]) -> dict[int, Decimal]:
    if len(stations) != 1:
        return occupancy_at(stations)
    (station,) = stations
    return occupancy_by_station(
        stations, rows_of(Charger, ("station", "status"), once=True, station=station.pk)
    )


def conditions_of(
    stations: Sequence[Station], at: dt.datetime, stamp: uuid.UUID
) -> dict[int, Conditions]:
    """sites.conditions_at for stations of one operator whose pricing stamp was just read
    as `stamp`; the operator's memo is filled again when the stamp changed."""
    operator_ids = {s.operator_id for s in stations}
    if len(operator_ids) != 1:
        return conditions_at(stations, at)
    (operator_id,) = operator_ids
    entry = _MEMO.get(operator_id)
    if entry is None or entry.stamp != stamp:
        entry = _fill(operator_id, stamp)
    if at < entry.since:
        return conditions_at(stations, at)
    holidays = holidays_by_station(stations, day_ranges(stations, at), entry.holidays)
    occupancy = _occupancy(stations)
    active = (
        (operator, station, region)
        for operator, station, region, raised, cleared in entry.signals
        if active_at(raised, cleared, at)
    )
    stress = stress_by_station(stations, active)
    return {
        s.pk: Conditions(
            holidays=holidays[s.pk], occupancy=occupancy[s.pk], grid_stress=stress[s.pk]
        )
        for s in stations
    }
