"""Our stations as OCPI 2.2.1 Locations: Location -> EVSE (a charger) -> Connector, each
connector naming the tariff that prices its charger (charger, station, operator default:
pricing.services.books.resolve, the rule quotes use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import DateTimeField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from cpo_portal.db.values import ocpi_id_of, ocpi_key
from cpo_portal.models import Charger, Station
from pricing.engine import format_datetime
from pricing.models import Tariff
from pricing.services import TariffRow, resolve
from roaming.services.published_tariffs import with_published

from . import parties

# Stations saved before OCPI was installed, or written by bulk_create (no signals), have
# no stamp: they are as old as this.
NEVER = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)

EVSE_STATUS = {
    "Available": "AVAILABLE",
    "Occupied": "CHARGING",
    "Reserved": "RESERVED",
    "Unavailable": "INOPERATIVE",
    "Faulted": "OUTOFORDER",
}
STATION_STATUS = {"maintenance": "INOPERATIVE", "planned": "PLANNED", "closed": "REMOVED"}
STANDARD = {
    "CCS2": "IEC_62196_T2_COMBO",
    "CHADEMO": "CHADEMO",
    "Type2": "IEC_62196_T2",
    "Type1": "IEC_62196_T1",
    "BHARAT_AC001": "IEC_60309_2_three_16",
    "BHARAT_DC001": "GBT_DC",
}
# Nominal voltage per power type: OCPI asks for max_voltage and max_amperage, we keep power.
VOLTS = {"AC_1_PHASE": 230, "AC_3_PHASE": 230, "DC": 500}
PHASES = {"AC_1_PHASE": 1, "AC_3_PHASE": 3, "DC": 1}


def published(operator_id: int) -> QuerySet[Station]:
    """The operator's Locations, oldest first, with their last_updated as `ocpi_updated`."""
    chargers = Charger.objects.order_by("code").prefetch_related("connectors")
    return (
        Station.objects.filter(operator_id=operator_id)
        .select_related("operator")
        .prefetch_related(Prefetch("chargers", queryset=chargers))
        .annotate(
            ocpi_updated=Coalesce(
                "ocpi_stamp__last_updated", Value(NEVER, output_field=DateTimeField())
            )
        )
        .order_by("pk")
    )


def find(operator_id: int, object_id: str) -> Station | None:
    """The published station with this OCPI id, ignoring case (ocpi_key)."""
    rows = published(operator_id).filter(code__istartswith=object_id)
    key = ocpi_key(object_id)
    return next((s for s in rows if ocpi_key(s.code) == key), None)


def tariff_codes(stations: Sequence[Station]) -> dict[int, str]:
    """charger pk -> the OCPI id of the tariff that prices it, when that tariff is
    published (one query). The choice is made among all the active tariffs, as quotes make
    it: a charger priced by a tariff we cannot publish (a parking grace period) names no
    tariff, never a less specific one that does not price it."""
    if not stations:
        return {}
    operator_id = stations[0].operator_id
    station_ids = [s.pk for s in stations]
    rows = Tariff.objects.filter(active=True, operator_id=operator_id).filter(
        Q(station__isnull=True, charger__isnull=True)
        | Q(station_id__in=station_ids)
        | Q(charger__station_id__in=station_ids)
    )
    fields = ("pk", "code", "station_id", "charger_id", "published")
    found = {t["pk"]: t for t in with_published(rows).values(*fields)}
    table = [TariffRow(t["pk"], t["station_id"], t["charger_id"]) for t in found.values()]
    out = {}
    for station in stations:
        for charger in station.chargers.all():
            chosen = resolve(table, charger.pk, station.pk)
            if chosen is not None and found[chosen]["published"]:
                out[charger.pk] = ocpi_id_of(found[chosen]["code"])
    return out


def _connector(connector, tariff_id: str | None, updated: str) -> dict[str, Any]:
    power_type = connector.power_type
    volts = VOLTS.get(power_type, 230)
    watts = int(Decimal(connector.power_kw) * 1000)
    standard = STANDARD.get(connector.connector_type)
    if standard is None:  # GB/T: AC or DC by the connector's power
        standard = "GBT_DC" if power_type == "DC" else "GBT_AC"
    return {
        "id": connector.connector_id,
        "standard": standard,
        "format": connector.connector_format,
        "power_type": power_type,
        "max_voltage": volts,
        "max_amperage": round(watts / (volts * PHASES.get(power_type, 1))),
        "max_electric_power": watts,
        "tariff_ids": [tariff_id] if tariff_id else [],
        "last_updated": updated,
    }


def _evse(charger: Charger, station: Station, tariff_id: str | None, updated: str) -> dict:
    status = STATION_STATUS.get(station.status) or EVSE_STATUS.get(charger.status, "UNKNOWN")
    return {
        "uid": ocpi_id_of(charger.code),
        "status": status,
        "connectors": [_connector(c, tariff_id, updated) for c in charger.connectors.all()],
        "last_updated": updated,
    }


def location_object(station: Station, tariff_ids: dict[int, str]) -> dict[str, Any]:
    updated = format_datetime(getattr(station, "ocpi_updated", None) or NEVER)
    data: dict[str, Any] = {
        "country_code": parties.country_code(),
        "party_id": parties.party_id(station.operator),
        "id": ocpi_id_of(station.code),
        "publish": True,
        "name": station.name[:255],
        "address": station.address[:255],
        "city": station.city[:45],
        "state": station.region_code[:45],
        "country": parties.country_alpha3(),
        "coordinates": {
            "latitude": f"{station.latitude:.6f}",
            "longitude": f"{station.longitude:.6f}",
        },
        "evses": [
            _evse(c, station, tariff_ids.get(c.pk), updated)
            for c in station.chargers.all()
            if c.connectors.all()  # OCPI: an EVSE has at least one connector
        ],
        "operator": {"name": station.operator.name[:100]},
        "time_zone": station.time_zone,
        "last_updated": updated,
    }
    if station.instructions:
        data["directions"] = [{"language": "en", "text": station.instructions[:512]}]
    return data


def objects(stations: Sequence[Station]) -> list[dict[str, Any]]:
    stations = list(stations)
    codes = tariff_codes(stations)
    return [location_object(s, codes) for s in stations]
