"""What the engine needs to know about a place and a moment: Site and Conditions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

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


def occupancy_of(station: Station) -> Decimal:
    """Share of the station's chargers whose status is Occupied (0 with no chargers)."""
    counts = Charger.objects.filter(station=station).aggregate(
        total=Count("pk"), busy=Count("pk", filter=Q(status=EquipmentStatus.OCCUPIED))
    )
    if not counts["total"]:
        return Decimal("0")
    return Decimal(counts["busy"]) / Decimal(counts["total"])


def holidays_for(station: Station, at: dt.datetime) -> frozenset[dt.date]:
    """The operator's holidays, national and the station's region's, that a session
    starting at `at` can touch (from the day before: a night window owned by yesterday)."""
    local = at.astimezone(ZoneInfo(station.time_zone)).date()
    dates = Holiday.objects.filter(
        operator_id=station.operator_id,
        region_code__in=["", station.region_code],
        date__range=(local - dt.timedelta(days=1), local + MAX_SESSION + dt.timedelta(days=1)),
    ).values_list("date", flat=True)
    return frozenset(dates)


def grid_stress_at(station: Station, at: dt.datetime) -> bool:
    return (
        GridSignal.objects.active_at(at)
        .filter(operator_id=station.operator_id)
        .filter(
            Q(station=station) | Q(station__isnull=True, region_code__in=["", station.region_code])
        )
        .exists()
    )


def conditions_for(station: Station, at: dt.datetime) -> Conditions:
    """Holidays, occupancy and grid stress for a session at `station` starting at `at`.

    Occupancy is the station's state now (there is no forecast); a signal counts when it
    is raised at `at` and not cleared by then.
    """
    return Conditions(
        holidays=holidays_for(station, at),
        occupancy=occupancy_of(station),
        grid_stress=grid_stress_at(station, at),
    )
