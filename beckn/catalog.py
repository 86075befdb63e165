"""The on_search catalog: one provider per operator, its stations, chargers and offers.

Add-ons on sale at a charger's station are its item's `add_ons` (id, name, price), with
their GST rates in an `add-on-tax` tag group. Offers appear twice on purpose: in
`provider.offers` with `item_ids` / `location_ids` / `category_ids` / `time.range` (where
Beckn core puts them) and under each item (where the DEG offers page shows them), so apps
written against either find them. Surge notices go on each item as a `surge-notice` tag
group: the badge and the "Know more" text.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from beckn.commerce_types import CommerceError, PublishedOffer, SurgeNotice
from beckn.services import commerce, commerce_addons
from beckn.wire import catalog_json, offer_json
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Charger, Operator, Station


def build(
    chargers: list[Charger],
    query: SearchQuery,
    vocabularies: str,
    now: dt.datetime,
    matched: int | None = None,
):
    by_operator: dict[int, list[Charger]] = defaultdict(list)
    for charger in chargers:
        by_operator[charger.operator_id].append(charger)
    providers = [
        provider(group[0].operator, group, query, vocabularies, now)
        for group in by_operator.values()
    ]
    return {"catalog": {"descriptor": descriptor(len(chargers), matched), "providers": providers}}


PARTIAL = "partial"


def descriptor(shown: int, matched: int | None) -> dict[str, str]:
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


def _notices(
    stations: dict[int, Station], start: dt.datetime, end: dt.datetime | None
) -> dict[int, list[SurgeNotice]]:
    try:
        return commerce.surge_notices_at(stations.values(), start, end)
    except CommerceError:
        return {}


def provider(
    operator: Operator,
    chargers: list[Charger],
    query: SearchQuery,
    vocabularies: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """One operator's part of the catalog: a fixed number of queries however many
    chargers, stations and offers it holds (every lookup below is done for all at once)."""
    start = query.start or now
    stations: dict[int, Station] = {}
    for charger in chargers:
        stations.setdefault(charger.station_id, charger.station)
    notices = _notices(stations, start, query.end)
    offered = commerce.published_offers_at(operator, stations.values(), at=start)
    rates = commerce.list_rates(chargers)
    extras = commerce_addons.add_ons_at(operator, stations.values())
    items = []
    for charger in chargers:
        here = offered.get(charger.station_id) or []
        rate = rates.get(charger.pk)
        entry = _item(charger, notices.get(charger.station_id) or [], here, rate, vocabularies)
        on_sale = extras.get(charger.station_id) or []
        if on_sale:
            entry["add_ons"] = catalog_json.add_ons_json(on_sale, operator.currency)
            entry.setdefault("tags", []).append(catalog_json.add_on_tax_tags(on_sale))
        items.append(entry)
    offers = list({o.offer_id: o for group in offered.values() for o in group}.values())
    categories = sorted({code for charger in chargers for code in charger.categories})
    out: dict[str, Any] = {
        "id": operator.code,
        "descriptor": catalog_json.provider_descriptor(operator),
        "categories": catalog_json.categories(categories),
        "locations": [catalog_json.location(s) for s in stations.values()],
        "fulfillments": [
            catalog_json.catalog_fulfillment(s, query.start, query.end) for s in stations.values()
        ],
        "items": items,
    }
    placed = [_provider_offer(offer, chargers, vocabularies) for offer in offers]
    if any(placed):
        out["offers"] = [entry for entry in placed if entry]
    return out


def _item(
    charger: Charger,
    notices: list[SurgeNotice],
    offers: list[PublishedOffer],
    listed: tuple[Decimal, str] | None,
    vocabularies: str,
) -> dict[str, Any]:
    rate, currency = listed if listed is not None else (None, charger.operator.currency)
    entry = catalog_json.item(
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
