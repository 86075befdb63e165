"""The charging network in Beckn JSON, as the on_search catalog and orders show it:
operators are providers, stations are locations, chargers are items (with DEG's
connector-specifications tags), a station's charging service is a fulfillment. Add-ons
are core `AddOn`s (id, descriptor, price) on catalog items and on the order's item, with
their GST rates in an `add-on-tax` tag group, and the ADDON line's item in a quote breakup.

The on_search catalog has one provider per operator, built from what
beckn.services.discovery fetched (an Offering). Offers appear twice on purpose: in
`provider.offers` with `item_ids` / `location_ids` / `category_ids` / `time.range` (where
Beckn core puts them) and under each item (where the DEG offers page shows them), so apps
written against either find them. Surge notices go on each item as a `surge-notice` tag
group: the badge and the "Know more" text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from beckn.commerce_types import AddOnLine, Offering, PublishedOffer, SurgeNotice
from beckn.protocol.tags import tag_group
from beckn.protocol.timefmt import format_timestamp
from beckn.wire import offer_json
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


PARTIAL = "partial"


def search_catalog(
    offerings: list[Offering],
    vocabularies: str,
    query_start: dt.datetime | None,
    query_end: dt.datetime | None,
    matched: int | None = None,
) -> dict[str, Any]:
    """The on_search message: one provider per operator offering."""
    shown = sum(len(offering.chargers) for offering in offerings)
    providers = [provider_json(o, vocabularies, query_start, query_end) for o in offerings]
    return {"catalog": {"descriptor": catalog_descriptor(shown, matched), "providers": providers}}


def catalog_descriptor(shown: int, matched: int | None) -> dict[str, str]:
    """The catalog's descriptor. A catalog cut at BECKN_MAX_CATALOG_ITEMS says so (core
    1.1.0's Catalog has no tags or paging, so the descriptor carries it): code "partial"
    and a short_desc with both counts, so an app can ask the user to narrow the search."""
    if matched is None or matched <= shown:
        return {"name": "EV charging"}
    return {
        "name": "EV charging",
        "code": PARTIAL,
        "short_desc": (
            f"The {shown} nearest of {matched} matching chargers; narrow the search (a "
            "smaller radius, a connector type, a minimum power) to see the others."
        ),
    }


def provider_json(
    offering: Offering,
    vocabularies: str,
    query_start: dt.datetime | None,
    query_end: dt.datetime | None,
) -> dict[str, Any]:
    """One operator's part of the catalog."""
    operator, chargers, stations = offering.operator, offering.chargers, offering.stations
    items = []
    for charger in chargers:
        entry = _catalog_item(
            charger,
            offering.notices.get(charger.station_id) or [],
            offering.offers.get(charger.station_id) or [],
            offering.rates.get(charger.pk),
            vocabularies,
        )
        on_sale = offering.add_ons.get(charger.station_id) or []
        if on_sale:
            entry["add_ons"] = add_ons_json(on_sale, operator.currency)
            entry.setdefault("tags", []).append(add_on_tax_tags(on_sale))
        items.append(entry)
    offers = list({o.offer_id: o for group in offering.offers.values() for o in group}.values())
    codes = sorted({code for charger in chargers for code in charger.categories})
    out: dict[str, Any] = {
        "id": operator.code,
        "descriptor": provider_descriptor(operator),
        "categories": categories(codes),
        "locations": [location(s) for s in stations.values()],
        "fulfillments": [catalog_fulfillment(s, query_start, query_end) for s in stations.values()],
        "items": items,
    }
    placed = [_provider_offer(offer, chargers, vocabularies) for offer in offers]
    if any(placed):
        out["offers"] = [entry for entry in placed if entry]
    return out


def _catalog_item(
    charger: Charger,
    notices: list[SurgeNotice],
    offers: list[PublishedOffer],
    listed: tuple[Decimal, str] | None,
    vocabularies: str,
) -> dict[str, Any]:
    rate, currency = listed if listed is not None else (None, charger.operator.currency)
    entry = item(
        charger,
        rate=rate,
        currency=currency,
        fulfillment_id=charger.station.code,
        notices=notices,
    )
    mine = [o for o in offers if o.applies_to(charger)]
    if mine and rate is not None:
        entry["offers"] = [offer_json.item_offer(o, rate, currency, vocabularies) for o in mine]
    return entry


def _provider_offer(
    offer: PublishedOffer, chargers: list[Charger], vocabularies: str
) -> dict[str, Any] | None:
    covered = [c for c in chargers if offer.applies_to(c)]
    if not covered:
        return None
    return offer_json.provider_offer(
        offer,
        item_ids=[c.code for c in covered],
        location_ids=list(dict.fromkeys(c.station.code for c in covered)),
        category_ids=sorted(offer.category_codes),
        vocabularies=vocabularies,
    )
