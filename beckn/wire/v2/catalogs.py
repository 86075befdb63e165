"""The 2.0 catalogs of what discovery found: one Catalog (2.0.0 OpenAPI) per operator.

`catalogs(offerings, ...)` takes the same `Offering`s the 1.1 on_search is built from
(beckn.services.publication) and is what on_discover sends; `station_catalogs` cuts an
operator's into one per station, what a publication to a Catalog Discovery Service
carries (beckn.services.cds). In each catalog:

- the provider: the operator, its stations as `availableAt` locations;
- a resource per charger: its ChargingService attributes (beckn.wire.v2.service);
- a list-price offer per charger (`list-price:<charger>`): its list energy rate as a
  consideration (a PriceSpecification per kWh), ChargingOffer attributes
  (`tariffModel: PER_KWH`), and the surge notices of its station, the badge in the
  descriptor's `shortDesc` and the "Know more" text in `longDesc`;
- an offer per promotional offer published at the chargers found, once, with the
  chargers it applies to (`resourceIds`), its validity, its terms in words, and, when it
  lowers the rate per kWh, the offered rate as a consideration per list rate among those
  chargers (`offered-rate:<list rate>`), whose components (the list rate, the discount)
  add up to it; an energy trade carries its EnergyTradeOffer object as
  `offerAttributes`, any other offer ChargingOffer's;
- an offer per add-on on sale at the stations of the chargers found (`add-on:<id>`): its
  name and description, the chargers it can be added to (`resourceIds`), its price per
  one (GST on top, its rate in words). (The Offer's own `addOns` cannot carry it: the
  2.0.0 `AddOn` is `oneOf` Resource or Offer, two open schemas every object matches both
  of, so no add-on validates there.)

Selecting: a commitment to a charger under its list-price offer, or under a promotional
offer (its id, or a code in its `descriptor.code`), which is then applied to the quote as
in 1.1; an add-on, a further commitment at that charger under the add-on's offer.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from beckn.commerce_types import Offering, PublishedOffer, SurgeNotice
from beckn.models.order_quote import AddOnLine
from beckn.protocol.timefmt import format_timestamp
from beckn.protocol.v2.schema import CONTEXTS
from beckn.wire.offer_json import offered_rate
from beckn.wire.v2 import service
from beckn.wire.v2.contract import (
    add_on_offer,
    charging_offer,
    energy_trade_bag,
    list_price_id,
)
from cpo_portal.models import Charger, Operator


def _price(
    value: Decimal, currency: str, components: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    bag: dict[str, Any] = {
        "@context": CONTEXTS["core"],
        "@type": "beckn:PriceSpecification",
        "currency": currency,
        "value": float(value),
        "applicableQuantity": {"unitCode": "KWH", "unitText": "kWh", "unitQuantity": 1},
    }
    if components:
        bag["components"] = components
    return bag


def _provider(offering: Offering) -> dict[str, Any]:
    operator = offering.operator
    descriptor: dict[str, Any] = {"name": operator.name}
    if operator.short_desc:
        descriptor["shortDesc"] = operator.short_desc
    return {
        "id": operator.code,
        "descriptor": descriptor,
        "availableAt": [service.location(s) for s in offering.stations.values()],
    }


def _resource(offering: Offering, charger: Charger) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": charger.code,
        "descriptor": {"name": charger.name, "code": "ev-charger"},
    }
    shown = None if offering.connectors is None else offering.connectors.get(charger.pk)
    bag = service.charging_service(charger, shown)
    if bag is not None:
        out["resourceAttributes"] = bag
    return out


def _list_price(
    offering: Offering, charger: Charger, notices: list[SurgeNotice]
) -> dict[str, Any] | None:
    rate = offering.rates.get(charger.pk)
    if rate is None:
        return None
    value, currency = rate
    descriptor: dict[str, Any] = {"name": "List price"}
    if notices:
        descriptor["shortDesc"] = ", ".join(n.name for n in notices)
        descriptor["longDesc"] = " ".join(n.explanation for n in notices)
    return {
        "id": list_price_id(charger.code),
        "descriptor": descriptor,
        "provider": {"id": offering.operator.code, "descriptor": {"name": offering.operator.name}},
        "resourceIds": [charger.code],
        "considerations": [
            {
                "id": "list-price",
                "status": {"code": "LIST"},
                "considerationAttributes": _price(value, currency),
            }
        ],
        "offerAttributes": charging_offer(),
    }


def _validity(offer: PublishedOffer) -> dict[str, Any] | None:
    span: dict[str, Any] = {}
    if offer.valid_from is not None:
        span["startDate"] = format_timestamp(offer.valid_from)
    if offer.valid_until is not None:
        span["endDate"] = format_timestamp(offer.valid_until)
    return span or None


def _promotion(
    offering: Offering, offer: PublishedOffer, chargers: list[Charger]
) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": offer.title}
    if offer.short_desc:
        descriptor["shortDesc"] = offer.short_desc
    # the DEG offer type in words, not as `descriptor.code`: a commitment's offer code is
    # read from there (a BAP echoing the catalog's offer must not send the type as a code)
    notes = [f"Offer type: {offer.type_label}."] if offer.type_label else []
    if not offer.auto:
        notes.append("Applied with its code: send it as the offer's descriptor.code.")
    if notes:
        descriptor["longDesc"] = " ".join(notes)
    out: dict[str, Any] = {
        "id": offer.offer_id,
        "descriptor": descriptor,
        "provider": {"id": offering.operator.code, "descriptor": {"name": offering.operator.name}},
        "resourceIds": [c.code for c in chargers],
    }
    validity = _validity(offer)
    if validity:
        out["validity"] = validity
    considerations = []
    # one per list rate among the chargers (a charger's is its `list-price:` offer's), not
    # one per charger: the catalog grows with chargers + offers, not chargers x offers
    rates = (offering.rates.get(c.pk) for c in chargers)
    for list_rate, currency in dict.fromkeys(rate for rate in rates if rate is not None):
        lower = offered_rate(offer, list_rate)
        if lower is None or lower >= list_rate:
            continue
        components = [
            {
                "type": "UNIT",
                "value": float(list_rate),
                "currency": currency,
                "description": "List price per kWh",
            },
            {
                "type": "DISCOUNT",
                "value": float(lower - list_rate),
                "currency": currency,
                "description": f"{offer.title} per kWh",
            },
        ]
        considerations.append(
            {
                "id": f"offered-rate:{list_rate.normalize():f}",
                "status": {"code": "OFFERED"},
                "considerationAttributes": _price(lower, currency, components),
            }
        )
    if considerations:
        out["considerations"] = considerations
    out["offerAttributes"] = (
        energy_trade_bag(offer.energy_trade) if offer.energy_trade else charging_offer()
    )
    return out


def _add_ons(offering: Offering) -> list[dict[str, Any]]:
    """An offer per add-on on sale at the chargers found (`add-on:<id>`), covering the
    chargers at whose stations it is sold, priced per one (beckn.wire.v2.contract)."""
    found: dict[str, tuple[AddOnLine, list[str]]] = {}
    for charger in offering.chargers:
        for line in offering.add_ons.get(charger.station_id) or ():
            found.setdefault(line.add_on_id, (line, []))[1].append(charger.code)
    operator = offering.operator
    provider = {"id": operator.code, "descriptor": {"name": operator.name}}
    return [
        add_on_offer(line, operator.currency, provider, chargers)
        for line, chargers in found.values()
    ]


def catalog(offering: Offering, *, bpp_id: str, bpp_uri: str) -> dict[str, Any]:
    """One operator's Catalog (of the chargers in `offering`)."""
    operator = offering.operator
    resources = [_resource(offering, c) for c in offering.chargers]
    offers: list[dict[str, Any]] = []
    promotions: dict[str, tuple[PublishedOffer, list[Charger]]] = {}
    for charger in offering.chargers:
        station_pk = charger.station_id
        listed = _list_price(offering, charger, offering.notices.get(station_pk, []))
        if listed is not None:
            offers.append(listed)
        for offer in offering.offers.get(station_pk, []):
            if offer.applies_to(charger):
                promotions.setdefault(offer.offer_id, (offer, []))[1].append(charger)
    offers.extend(_promotion(offering, o, cs) for o, cs in promotions.values())
    offers.extend(_add_ons(offering))
    out: dict[str, Any] = {
        "id": f"{operator.code}:ev-charging",
        "descriptor": {"name": f"{operator.name}: EV charging"},
        "bppId": bpp_id,
        "bppUri": bpp_uri,
        "provider": _provider(offering),
        "resources": resources,
    }
    if offers:
        out["offers"] = offers
    return out


def catalogs(offerings: list[Offering], *, bpp_id: str, bpp_uri: str) -> list[dict[str, Any]]:
    """The 2.0 catalogs of `offerings` (one per operator; none for an empty search)."""
    return [catalog(o, bpp_id=bpp_id, bpp_uri=bpp_uri) for o in offerings if o.chargers]


def station_catalog_id(operator_code: str, station_code: str) -> str:
    return f"{operator_code}:{station_code}:ev-charging"


def station_catalogs(offering: Offering, *, bpp_id: str, bpp_uri: str) -> list[dict[str, Any]]:
    """The operator's catalog cut by station, as a Catalog Discovery Service gets it: one
    Catalog per station (`<operator>:<station>:ev-charging`), with its chargers, their
    list prices, the promotional offers and add-ons at them. A change at one station
    changes one catalog, so a publish carries that one, not the whole network."""
    at: dict[int, list[Charger]] = {}
    for charger in offering.chargers:
        at.setdefault(charger.station_id, []).append(charger)
    out = []
    for pk, chargers in at.items():
        station = offering.stations[pk]
        one = catalog(
            replace(offering, chargers=chargers, stations={pk: station}),
            bpp_id=bpp_id,
            bpp_uri=bpp_uri,
        )
        one["id"] = station_catalog_id(offering.operator.code, station.code)
        one["descriptor"] = {"name": f"{offering.operator.name}: EV charging at {station.name}"}
        out.append(one)
    return out


def retired(catalog_id: str, operator: Operator, *, bpp_id: str, bpp_uri: str) -> dict[str, Any]:
    """A catalog withdrawn from a Catalog Discovery Service (its station closed or left):
    the same id, `isActive` false, nothing in it."""
    return {
        "id": catalog_id,
        "descriptor": {"name": "Withdrawn"},
        "bppId": bpp_id,
        "bppUri": bpp_uri,
        "provider": {"id": operator.code, "descriptor": {"name": operator.name}},
        "isActive": False,
        "resources": [],
    }
