"""A charger as 2.0 shows it: its ChargingService attributes (EvChargingService v1) and
its station as a core v2 Location. Shared by the catalog and the contract.

The pack's enums are narrower than our equipment: a connector of a type it has no value
for (Bharat AC-001 / DC-001, Type 1) is left out of the bag, and a charger none of whose
connectors it can name has no ChargingService (its descriptor still says what it is).
"""

from __future__ import annotations

from typing import Any

from beckn.protocol.v2.schema import CONTEXTS
from cpo_portal.models import Charger, Connector, Station

CONNECTOR_TYPES = {"CCS2": "CCS2", "Type2": "Type2", "CHADEMO": "CHAdeMO", "GB_T": "GB_T"}
POWER_TYPES = {"AC_1_PHASE": "AC_SINGLE_PHASE", "AC_3_PHASE": "AC_3_PHASE", "DC": "DC"}
SPEEDS = {"SLOW": "SLOW", "NORMAL": "NORMAL", "FAST": "FAST", "ULTRA_FAST": "ULTRAFAST"}


def location(station: Station) -> dict[str, Any]:
    """A core Location: GeoJSON point ([longitude, latitude]) and postal address."""
    address: dict[str, Any] = {"streetAddress": station.address, "addressCountry": "IN"}
    if station.city:
        address["addressLocality"] = station.city
    if station.region_code:
        address["addressRegion"] = station.region_code
    return {
        "geo": {
            "type": "Point",
            "coordinates": [float(station.longitude), float(station.latitude)],
        },
        "address": address,
    }


def connectors(charger: Charger) -> list[Connector]:
    shown = getattr(charger, "shown_connectors", None)
    return list(shown) if shown is not None else list(charger.connectors.all())


def charging_service(
    charger: Charger, shown: list[Connector] | None = None
) -> dict[str, Any] | None:
    """The ChargingService bag of the charger's first connector the pack can name."""
    for connector in shown if shown is not None else connectors(charger):
        kind = CONNECTOR_TYPES.get(connector.connector_type)
        power = float(connector.power_kw or charger.power_kw or 0)
        if kind is None or not 1 <= power <= 500:
            continue
        bag: dict[str, Any] = {
            "@context": CONTEXTS["ChargingService"],
            "@type": "ChargingService",
            "evseId": f"{charger.code}*{connector.connector_id}",
            "connectorType": kind,
            "maxPowerKW": power,
            "connectorFormat": connector.connector_format,
            "chargingStation": {
                "id": charger.station.code,
                "serviceLocation": location(charger.station),
            },
        }
        if connector.power_type in POWER_TYPES:
            bag["powerType"] = POWER_TYPES[connector.power_type]
        if connector.charging_speed in SPEEDS:
            bag["chargingSpeed"] = SPEEDS[connector.charging_speed]
        return bag
    return None
