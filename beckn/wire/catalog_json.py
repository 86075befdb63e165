"""The charging network in Beckn JSON, as catalogs and orders show it: operators are
providers, stations are locations, chargers are items (with DEG's connector-specifications
tags), a station's charging service is a fulfillment. Add-ons are core `AddOn`s (id,
descriptor, price) on catalog items and on the order's item, with their GST rates in an
`add-on-tax` tag group, and the ADDON line's item in a quote breakup.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from beckn.commerce_types import AddOnLine, SurgeNotice
from beckn.protocol.tags import tag_group
from beckn.protocol.timefmt import format_timestamp
from cpo_portal.models import Charger, Connector, Operator, Station
from pricing.engine.money import PAISA, as_text
from pricing.engine.text import plain

CONNECTOR_NAMES = {
    "connector-id": "connector Id",
    "power-type": "Power Type",
    "connector-type": "Connector Type",
    "connector-format": "Connector Format",
    "charging-speed": "Charging Speed",
    "power-rating": "Power Rating",
    "status": "Status",
}
SURGE_NAMES = {"badge": "Badge", "explanation": "Know More", "code": "Surge Code"}


def rate_text(value: Decimal) -> str:
    """A per-kWh rate with two decimals, or more when it has them (₹0.125)."""
    return str(value.quantize(PAISA)) if value == value.quantize(PAISA) else plain(value)


def provider_descriptor(operator: Operator) -> dict[str, Any]:
    out: dict[str, Any] = {"name": operator.name}
    if operator.short_desc:
        out["short_desc"] = operator.short_desc
    if operator.logo_url:
        out["images"] = [{"url": operator.logo_url}]
    return out


def gps(station: Station) -> str:
    return f"{station.latitude},{station.longitude}"


def location(station: Station) -> dict[str, Any]:
    return {
        "id": station.code,
        "descriptor": {"name": station.name},
        "gps": gps(station),
        "address": station.address,
        "city": {"name": station.city, "code": station.city_code},
        "state": {"code": station.region_code},
    }


def stop_location(station: Station) -> dict[str, Any]:
    return {"gps": gps(station), "descriptor": {"name": station.name}, "address": station.address}


def connector_tags(connector: Connector) -> dict[str, Any]:
    values = [
        ("connector-id", connector.connector_id),
        ("power-type", connector.power_type),
        ("connector-type", connector.connector_type),
        ("connector-format", connector.connector_format),
        ("charging-speed", connector.charging_speed),
        ("power-rating", f"{plain(connector.power_kw)}kW"),
        ("status", connector.status),
    ]
    return tag_group(
        "connector-specifications", values, name="Connector Specifications", names=CONNECTOR_NAMES
    )


def surge_tags(notice: SurgeNotice) -> dict[str, Any]:
    """What an app needs for the badge and the "Know more" text."""
    values = [("badge", notice.name), ("explanation", notice.explanation)]
    if notice.code:
        values.append(("code", notice.code))
    return tag_group("surge-notice", values, name="Surge Pricing", names=SURGE_NAMES, display=True)


def item(
    charger: Charger,
    *,
    rate: Decimal | None,
    currency: str,
    fulfillment_id: str | None = None,
    notices: list[SurgeNotice] | tuple[SurgeNotice, ...] = (),
    with_ids: bool = True,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": charger.code,
        "descriptor": {"name": charger.name, "code": "ev-charger"},
    }
    if rate is not None:
        out["price"] = {"value": rate_text(rate), "currency": f"{currency}/kWh"}
    if with_ids:
        if charger.categories:
            out["category_ids"] = list(charger.categories)
        out["location_ids"] = [charger.station.code]
        if fulfillment_id:
            out["fulfillment_ids"] = [fulfillment_id]
    tags = [connector_tags(c) for c in charger.connectors.all()]
    tags.extend(surge_tags(n) for n in notices)
    if tags:
        out["tags"] = tags
    return out


def categories(codes: list[str]) -> list[dict[str, Any]]:
    return [
        {"id": code, "descriptor": {"code": code, "name": code.replace("-", " ").title()}}
        for code in codes
    ]


def catalog_fulfillment(
    station: Station, start: dt.datetime | None, end: dt.datetime | None
) -> dict[str, Any]:
    stop: dict[str, Any] = {"type": "START", "location": stop_location(station)}
    if start is not None:
        span = {"start": format_timestamp(start)}
        if end is not None:
            span["end"] = format_timestamp(end)
        stop["time"] = {"range": span}
    if station.instructions:
        stop["instructions"] = {"short_desc": station.instructions}
    return {"id": station.code, "type": "CHARGING", "stops": [stop]}


def add_on_json(line: AddOnLine, currency: str) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": line.name, "code": line.add_on_id}
    if line.description:
        descriptor["short_desc"] = line.description
    return {
        "id": line.add_on_id,
        "descriptor": descriptor,
        "price": {"value": as_text(line.price), "currency": currency},
    }


def add_on_tax_tags(lines: list[AddOnLine]) -> dict[str, Any]:
    """Each add-on's GST rate (the core AddOn has no place for it), in percent."""
    values = [(line.add_on_id, plain(line.tax_rate * 100)) for line in lines]
    return tag_group("add-on-tax", values, name="Add-on GST rate (%)")


def add_ons_json(
    lines: list[AddOnLine] | tuple[AddOnLine, ...], currency: str
) -> list[dict[str, Any]]:
    return [add_on_json(line, currency) for line in lines]


def add_on_breakup_item(charger_code: str, add_on_id: str) -> dict[str, Any]:
    return {"id": charger_code, "add_ons": [{"id": add_on_id}]}
