"""The charging network in Beckn JSON, as the on_search catalog and orders show it:
operators are providers, stations are locations, chargers are items (with DEG's
connector-specifications tags), a station's charging service is a fulfillment. Add-ons
are core `AddOn`s on catalog items (their ids) and on the order's item (id, descriptor,
price), with their GST rates in an `add-on-tax` tag group, and the ADDON line's item in a
quote breakup.

The on_search catalog has one provider per operator (beckn.wire.catalog_layout), built
from what the publication holds (beckn.services.publication: an Offering). Whatever
several items share is defined once per catalog and referenced:

- each offer in full once, in `provider.offers`, with the `location_ids` / `category_ids`
  it applies at and `item_ids` only when it is scoped to single chargers (otherwise it
  applies to every item at its locations, in its categories);
- under an item (where the DEG offers page shows offers) only compact references: the
  offer with the lowest offered rate per kWh (`id` and `price`: what a driver reads at a
  glance) and any offer priced per session (a FIXED energy trade);
- surge notices (`surge-notice` tag groups: the badge, the "Know more" text, the code) in
  `provider.tags`, and on the CHARGING fulfillment of each station where they apply (which
  every item there lists in `fulfillment_ids`) a `surge-notice` group with the code alone;
  a notice without a code, or whose text differs between stations, is given in full there;
- tag display names once, in `provider.tags` (connector-specifications, offer-details,
  surge-notice groups without values); the groups under items, offers and fulfillments
  carry codes and values;
- add-ons in `provider.tags`: an `add-ons` group (name, description, price of each) and an
  `add-on-tax` group (their GST rates); an item lists the ids of those on sale at its
  station as core `AddOn`s.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from beckn.commerce_types import AddOnLine, SurgeNotice
from beckn.protocol.tags import tag_group, tag_legend
from beckn.protocol.timefmt import format_timestamp
from beckn.wire.request_parsing import CHARGER_ITEM
from cpo_portal.models import Charger, Connector, Operator, Station
from pricing.engine import as_text, plain, rate_text

CONNECTOR_NAMES = {
    "connector-id": "connector Id",
    "power-type": "Power Type",
    "connector-type": "Connector Type",
    "connector-format": "Connector Format",
    "charging-speed": "Charging Speed",
    "power-rating": "Power Rating",
    "status": "Status",
}
CONNECTOR_GROUP = "connector-specifications"
ADD_ONS_GROUP = "add-ons"
SURGE_GROUP = "surge-notice"
SURGE_NAMES = {"badge": "Badge", "explanation": "Know More", "code": "Surge Code"}


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


def connector_tags(connector: Connector, *, named: bool = True) -> dict[str, Any]:
    """DEG's connector-specifications group; `named` False: codes and values only (a
    catalog gives the display names once per provider: connector_names())."""
    values = [
        ("connector-id", connector.connector_id),
        ("power-type", connector.power_type),
        ("connector-type", connector.connector_type),
        ("connector-format", connector.connector_format),
        ("charging-speed", connector.charging_speed),
        ("power-rating", f"{plain(connector.power_kw)}kW"),
        ("status", connector.status),
    ]
    if not named:
        return tag_group(CONNECTOR_GROUP, values)
    return tag_group(
        CONNECTOR_GROUP, values, name="Connector Specifications", names=CONNECTOR_NAMES
    )


def connector_names() -> dict[str, Any]:
    """The connector-specifications group's display names, without values: said once in
    `provider.tags` instead of under every connector of every item."""
    return tag_legend(CONNECTOR_GROUP, "Connector Specifications", CONNECTOR_NAMES)


def surge_tags(notice: SurgeNotice, *, named: bool = True) -> dict[str, Any]:
    """What an app needs for the badge and the "Know more" text (`named` False: codes and
    values only, the display names once per provider: surge_names())."""
    values = [("badge", notice.name), ("explanation", notice.explanation)]
    if notice.code:
        values.append(("code", notice.code))
    if not named:
        return tag_group(SURGE_GROUP, values, display=True)
    return tag_group(SURGE_GROUP, values, name="Surge Pricing", names=SURGE_NAMES, display=True)


def surge_ref(notice: SurgeNotice) -> dict[str, Any]:
    """A surge notice by its code, defined in full (surge_tags) in `provider.tags`."""
    return tag_group(SURGE_GROUP, [("code", notice.code)], display=True)


def surge_names() -> dict[str, Any]:
    return tag_legend(SURGE_GROUP, "Surge Pricing", SURGE_NAMES)


def item(
    charger: Charger,
    *,
    rate: Decimal | None,
    currency: str,
    fulfillment_id: str | None = None,
    with_ids: bool = True,
    connectors: list[Connector] | None = None,
    named: bool = True,
) -> dict[str, Any]:
    """A charger as an item; `connectors`: the ones to show (default: all of them);
    `named` False: connector tags without display names (connector_names())."""
    out: dict[str, Any] = {
        "id": charger.code,
        "descriptor": {"name": charger.name, "code": CHARGER_ITEM},
    }
    if rate is not None:
        out["price"] = {"value": rate_text(rate), "currency": f"{currency}/kWh"}
    if with_ids:
        if charger.categories:
            out["category_ids"] = list(charger.categories)
        out["location_ids"] = [charger.station.code]
        if fulfillment_id:
            out["fulfillment_ids"] = [fulfillment_id]
    shown = charger.connectors.all() if connectors is None else connectors
    tags = [connector_tags(c, named=named) for c in shown]
    if tags:
        out["tags"] = tags
    return out


def categories(codes: list[str]) -> list[dict[str, Any]]:
    return [
        {"id": code, "descriptor": {"code": code, "name": code.replace("-", " ").title()}}
        for code in codes
    ]


def catalog_fulfillment(
    station: Station,
    start: dt.datetime | None,
    end: dt.datetime | None,
    notices: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """A station's charging service in the searched time range, with the surge notices
    that apply to a session there (`notices`: surge_tags() or surge_ref() groups)."""
    stop: dict[str, Any] = {"type": "START", "location": stop_location(station)}
    if start is not None:
        span = {"start": format_timestamp(start)}
        if end is not None:
            span["end"] = format_timestamp(end)
        stop["time"] = {"range": span}
    if station.instructions:
        stop["instructions"] = {"short_desc": station.instructions}
    out: dict[str, Any] = {"id": station.code, "type": "CHARGING", "stops": [stop]}
    if notices:
        out["tags"] = list(notices)
    return out


def add_ons_tags(lines: list[AddOnLine], currency: str) -> dict[str, Any]:
    """The add-ons on sale at the provider's stations, each defined once: a tag whose code
    is the add-on id, whose descriptor has its name and description, and whose value is its
    price (in `currency`, which the group's short_desc names). Items list the ids."""
    tags = []
    for line in lines:
        descriptor = {"code": line.add_on_id, "name": line.name}
        if line.description:
            descriptor["short_desc"] = line.description
        tags.append({"descriptor": descriptor, "value": as_text(line.price)})
    group = {"code": ADD_ONS_GROUP, "name": "Add-ons", "short_desc": f"Prices in {currency}"}
    return {"descriptor": group, "list": tags}


def add_on_tax_tags(lines: list[AddOnLine]) -> dict[str, Any]:
    """Each add-on's GST rate (the core AddOn has no place for it), in percent."""
    values = [(line.add_on_id, plain(line.tax_rate * 100)) for line in lines]
    return tag_group("add-on-tax", values, name="Add-on GST rate (%)")


def add_on_refs(lines: list[AddOnLine] | tuple[AddOnLine, ...]) -> list[dict[str, Any]]:
    """An item's add-ons: core `AddOn`s with their ids (defined in add_ons_tags())."""
    return [{"id": line.add_on_id} for line in lines]


def add_on_breakup_item(charger_code: str, add_on_id: str) -> dict[str, Any]:
    return {"id": charger_code, "add_ons": [{"id": add_on_id}]}


PARTIAL = "partial"


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
