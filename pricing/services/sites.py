"""What the engine needs to know about a place and a moment: Site and Conditions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections, router

from cpo_portal.models import Charger, Holiday, Station
from cpo_portal.models.network import EquipmentStatus
from pricing.engine.quantity import MAX_SESSION
from pricing.engine.types import Conditions, Site
from pricing.models import GridSignal


def site_for(charger: Charger) -> Site:
    station = charger.station
    return Site(
        station_code=station.code,
        charger_code=charger.code,
        time_zone=station.time_zone,
        power_kw=charger.power_kw,
        site_kind=station.site_kind,
        region_code=station.region_code,
        city_code=station.city_code,
        charging_speed=charger.charging_speed,
        category_codes=frozenset(charger.categories or ()),
    )


def station_site(station: Station) -> Site:
    """A station without a particular charger (charger-specific conditions never match)."""
    return Site(
        station_code=station.code,
        charger_code="",
        time_zone=station.time_zone,
        power_kw=Decimal("0"),
        site_kind=station.site_kind,
        region_code=station.region_code,
        city_code=station.city_code,
    )


def _occupancy_by_station(
    stations: Sequence[Station], statuses: Iterable[tuple[int, str]]
) -> dict[int, Decimal]:
    total: Counter[int] = Counter()
    busy: Counter[int] = Counter()
    for station_id, status in statuses:
        total[station_id] += 1
        busy[station_id] += status == EquipmentStatus.OCCUPIED
    out = {s.pk: Decimal("0") for s in stations}
    for station_id, count in total.items():
        out[station_id] = Decimal(busy[station_id]) / Decimal(count)
    return out


def occupancy_at(stations: Sequence[Station]) -> dict[int, Decimal]:
    """Each station's share of chargers whose status is Occupied (0 with no chargers),
    counted from each charger's status (a station has a handful of chargers)."""
    statuses = Charger.objects.filter(station_id__in=[s.pk for s in stations]).order_by()
    return _occupancy_by_station(stations, statuses.values_list("station_id", "status"))


def _local_days(station: Station, at: dt.datetime) -> tuple[dt.date, dt.date]:
    """The days a session at `station` starting at `at` can touch (from the day before: a
    night window owned by yesterday)."""
    local = at.astimezone(ZoneInfo(station.time_zone)).date()
    return local - dt.timedelta(days=1), local + MAX_SESSION + dt.timedelta(days=1)


def _day_ranges(stations: Sequence[Station], at: dt.datetime) -> dict[int, tuple[dt.date, dt.date]]:
    return {s.pk: _local_days(s, at) for s in stations}


def _holidays_by_station(
    stations: Sequence[Station],
    days: dict[int, tuple[dt.date, dt.date]],
    rows: Iterable[tuple[int, str, dt.date]],
) -> dict[int, frozenset[dt.date]]:
    """Each station's holidays among (operator_id, region_code, date) rows: its operator's
    national ones and its region's, on the days its session can touch."""
    rows = list(rows)
    return {
        s.pk: frozenset(
            date
            for operator_id, region, date in rows
            if operator_id == s.operator_id
            and region in ("", s.region_code)
            and days[s.pk][0] <= date <= days[s.pk][1]
        )
        for s in stations
    }


def holidays_at(stations: Sequence[Station], at: dt.datetime) -> dict[int, frozenset[dt.date]]:
    """Each station's holidays, its operator's national and regional ones, that a session
    starting at `at` can touch."""
    days = _day_ranges(stations, at)
    if not stations:
        return {}
    rows = (
        Holiday.objects.filter(
            operator_id__in={s.operator_id for s in stations},
            region_code__in={"", *(s.region_code for s in stations)},
            date__range=(min(d[0] for d in days.values()), max(d[1] for d in days.values())),
        )
        .order_by()  # read into sets: no ordering
        .values_list("operator_id", "region_code", "date")
    )
    return _holidays_by_station(stations, days, rows)


def _stress_by_station(
    stations: Sequence[Station], signals: Iterable[tuple[int, int | None, str]]
) -> dict[int, bool]:
    """Whether one of the active (operator_id, station_id, region_code) signals covers
    each station: its own, or its operator's for every region or the station's region."""
    signals = list(signals)
    return {
        s.pk: any(
            operator_id == s.operator_id
            and (station_id == s.pk or (station_id is None and region in ("", s.region_code)))
            for operator_id, station_id, region in signals
        )
        for s in stations
    }


def grid_stress_at(stations: Sequence[Station], at: dt.datetime) -> dict[int, bool]:
    """Whether a signal raised at `at` and not cleared covers each station."""
    signals = (
        GridSignal.objects.active_at(at)
        .filter(operator_id__in={s.operator_id for s in stations})
        .order_by()  # only whether one covers the station: no ordering
        .values_list("operator_id", "station_id", "region_code")
    )
    return _stress_by_station(stations, signals)


@cache
def _conditions_statement(alias: str) -> str:
    """The three reads of conditions_at as one statement, a tag per row. Its grid part is
    GridSignalQuerySet.active_at's rule: raised by `at`, not cleared by then."""
    q = connections[alias].ops.quote_name
    holiday, charger, signal = (q(m._meta.db_table) for m in (Holiday, Charger, GridSignal))
    # names from the models, quoted; values are parameters
    return (
        f"SELECT 'h', operator_id, region_code, date, NULL::integer FROM {holiday}"  # noqa: S608
        " WHERE operator_id = ANY(%(operators)s) AND region_code = ANY(%(regions)s)"
        " AND date BETWEEN %(first)s AND %(last)s"
        f" UNION ALL SELECT 'c', station_id, status, NULL::date, NULL::integer FROM {charger}"
        " WHERE station_id = ANY(%(stations)s)"
        f" UNION ALL SELECT 'g', operator_id, region_code, NULL::date, station_id FROM {signal}"
        " WHERE operator_id = ANY(%(operators)s) AND raised_at <= %(at)s"
        " AND (cleared_at IS NULL OR cleared_at > %(at)s)"
    )


def conditions_at(stations: Sequence[Station], at: dt.datetime) -> dict[int, Conditions]:
    """conditions_for each station, by station pk, in one query whatever their number:
    holidays (as holidays_at), occupancy (as occupancy_at) and grid stress (as
    grid_stress_at), read together; the ORM's building of three queries costs several
    times their round trip."""
    stations = list({s.pk: s for s in stations}.values())
    if not stations:
        return {}
    days = _day_ranges(stations, at)
    alias = router.db_for_read(Holiday)
    params: dict[str, Any] = {
        "operators": sorted({s.operator_id for s in stations}),
        "regions": sorted({"", *(s.region_code for s in stations)}),
        "first": min(d[0] for d in days.values()),
        "last": max(d[1] for d in days.values()),
        "stations": [s.pk for s in stations],
        "at": at,
    }
    with connections[alias].cursor() as cursor:
        cursor.execute(_conditions_statement(alias), params)
        rows = cursor.fetchall()
    holidays = _holidays_by_station(
        stations, days, ((a, b, d) for tag, a, b, d, _ in rows if tag == "h")
    )
    occupancy = _occupancy_by_station(stations, ((a, b) for tag, a, b, _, _ in rows if tag == "c"))
    stress = _stress_by_station(stations, ((a, e, b) for tag, a, b, _, e in rows if tag == "g"))
    return {
        s.pk: Conditions(
            holidays=holidays[s.pk], occupancy=occupancy[s.pk], grid_stress=stress[s.pk]
        )
        for s in stations
    }


def conditions_for(station: Station, at: dt.datetime) -> Conditions:
    """Holidays, occupancy and grid stress for a session at `station` starting at `at`.

    Occupancy is the station's state now (there is no forecast); a signal counts when it
    is raised at `at` and not cleared by then.
    """
    return conditions_at([station], at)[station.pk]
