"""One operator's provider in an on_search catalog, laid out once and cut as needed.

`Layout.of(offering)` works out, in one pass over the chargers found, which offers apply
to which charger; the JSON of each item, location, fulfillment and offer tag list is built
at most once and shared by the whole catalog and by each part of a catalog sent in parts
(beckn/wire/catalog_parts.py). Only an offer's `location_ids` / `item_ids` differ from one
part to another. What goes where is described in beckn/wire/catalog_json.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beckn.commerce_types import AddOnLine, Offering, PublishedOffer, SurgeNotice
from beckn.protocol.json_text import size
from beckn.wire import catalog_json, offer_json
from cpo_portal.models import Charger, Connector, Station

Placements = tuple[dict[int, Station], dict[str, dict[str, None]], dict[str, list[str]]]


@dataclass
class Layout:
    offering: Offering
    vocabularies: str
    query_start: dt.datetime | None
    query_end: dt.datetime | None
    at: dt.datetime  # the start of the session the catalog is for (the search's, or now)
    mine: dict[int, list[PublishedOffer]]  # charger pk -> offers that apply to it
    offers: dict[str, PublishedOffer]  # by id, in the order of the first charger covered
    covered: dict[str, list[str]]  # offer id -> codes of the chargers it applies to (of
    # the offers whose tags name their items: an ONDC freebie's)
    add_ons: list[AddOnLine]  # on sale at any of the stations, in the chargers' order
    notices: dict[str, SurgeNotice]  # by code: the same text wherever it applies
    connectors: dict[int, list[Connector]] | None = None  # shown, by charger pk
    rendered: tuple[dict[Hashable, Any], Hashable] | None = None
    _items: dict[int, tuple[dict[str, Any], int]] = field(default_factory=dict)
    _stations: dict[int, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    _offer_tags: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _refs: dict[tuple[Any, ...], list[dict[str, Any]]] = field(default_factory=dict)
    _waiting: dict[int, tuple[int, ...]] = field(default_factory=dict)
    _own: dict[Hashable, Any] = field(default_factory=dict)
    _placements: Placements | None = None
    _provider_tags: list[dict[str, Any]] | None = None

    @classmethod
    def of(
        cls,
        offering: Offering,
        vocabularies: str,
        query_start: dt.datetime | None,
        query_end: dt.datetime | None,
        *,
        at: dt.datetime,
        applying: dict[int, list[PublishedOffer]] | None = None,
        connectors: dict[int, list[Connector]] | None = None,
        rendered: tuple[dict[Hashable, Any], Hashable] | None = None,
    ) -> Layout:
        """`at`: the start of the session the catalog is for; `applying`: the offers that
        apply to each charger, when known (else worked out from the offering); `connectors`:
        those to show of each charger (else its `shown_connectors`, or all); `rendered`:
        items rendered before (a dict kept with the offering's data, and what the search
        asked of connectors), shared; keyed by the ids of the charger and offer objects,
        which its keeper keeps alive as long."""
        mine: dict[int, list[PublishedOffer]] = {}
        offers: dict[str, PublishedOffer] = {}
        covered: dict[str, list[str]] = {}
        freebies: dict[int, list[PublishedOffer]] = {}  # by id of a list in `mine`
        for charger in offering.chargers:
            if applying is not None:
                here = mine[charger.id] = applying[charger.id]
            else:
                published = offering.offers.get(charger.station_id) or ()
                station, code, categories = charger.station.code, charger.code, charger.categories
                here = mine[charger.id] = [
                    o for o in published if o.applies_at(station, code, categories)
                ]
            named = freebies.get(id(here))
            if named is None:  # a list seen before (shared by chargers) adds no offer
                for offer in here:
                    offers.setdefault(offer.offer_id, offer)
                named = freebies[id(here)] = [o for o in here if _names_items(o, vocabularies)]
            for offer in named:
                covered.setdefault(offer.offer_id, []).append(charger.code)
        add_ons: dict[str, AddOnLine] = {}
        for pk in offering.stations:
            for line in offering.add_ons.get(pk) or ():
                add_ons.setdefault(line.add_on_id, line)
        return cls(
            offering,
            vocabularies,
            query_start,
            query_end,
            at,
            mine,
            offers,
            covered,
            list(add_ons.values()),
            _shared_notices(offering),
            connectors,
            rendered,
        )

    def provider(self, chargers: list[Charger] | None = None) -> dict[str, Any]:
        """The provider with all the chargers found or, for one part of a catalog, a run of
        them (`chargers`) with the stations and offer definitions they need."""
        offering = self.offering
        chargers = offering.chargers if chargers is None else chargers
        stations, locations, item_ids = self.placements(chargers)
        codes = dict.fromkeys(code for charger in chargers for code in charger.categories)
        placed = [self.station(pk, s) for pk, s in stations.items()]
        out: dict[str, Any] = {
            "id": offering.operator.code,
            "descriptor": catalog_json.provider_descriptor(offering.operator),
            "categories": catalog_json.categories(list(codes)),
            "locations": [loc for loc, _ in placed],
            "fulfillments": [ful for _, ful in placed],
            "items": [self.item(charger) for charger in chargers],
        }
        out["tags"] = self.provider_tags()
        if locations:
            everywhere = len(stations)
            out["offers"] = [
                self.offer_json(
                    offer,
                    [] if len(locations[offer_id]) == everywhere else list(locations[offer_id]),
                    item_ids.get(offer_id, []),
                )
                for offer_id, offer in self.offers.items()
                if offer_id in locations
            ]
        return out

    def placements(self, chargers: list[Charger]) -> Placements:
        """The stations of `chargers` (by pk, in order), and where the offers that apply to
        them are placed: each offer's station codes, and the codes of the chargers it is
        scoped to (charger-scoped offers only). A list of offers shared by several
        chargers of a station is walked once; all the chargers' placements, once."""
        whole = chargers is self.offering.chargers
        if whole and self._placements is not None:
            return self._placements
        stations: dict[int, Station] = {}
        locations: dict[str, dict[str, None]] = {}  # offer id -> station codes
        item_ids: dict[str, list[str]] = {}  # offer id -> charger codes (charger-scoped)
        seen: set[tuple[int, int]] = set()
        scoped: dict[int, list[str]] = {}  # by id of a list of offers
        for charger in chargers:
            station = stations.setdefault(charger.station_id, charger.station)
            mine = self.mine.get(charger.id) or []
            if (charger.station_id, id(mine)) not in seen:
                seen.add((charger.station_id, id(mine)))
                here = station.code
                for offer in mine:
                    locations.setdefault(offer.offer_id, {})[here] = None
            ids = scoped.get(id(mine))
            if ids is None:
                ids = scoped[id(mine)] = [o.offer_id for o in mine if o.charger_codes]
            for offer_id in ids:
                item_ids.setdefault(offer_id, []).append(charger.code)
        if whole:
            self._placements = (stations, locations, item_ids)
        return stations, locations, item_ids

    def provider_tags(self) -> list[dict[str, Any]]:
        """Said once per provider, and the same in every part of a catalog: the display
        names of the tag groups below, the add-ons and their GST rates. Built once per
        layout (its parts' sizes and each part ask for it); a new list each time, which a
        part adds its own group to."""
        if self._provider_tags is None:
            self._provider_tags = self._built_provider_tags()
        return list(self._provider_tags)

    def _built_provider_tags(self) -> list[dict[str, Any]]:
        tags = [catalog_json.connector_names()]
        if self.offers:
            tags.append(offer_json.offer_details_names())
        if any(self.offering.notices.get(pk) for pk in self.offering.stations):
            tags.append(catalog_json.surge_names())
        tags.extend(catalog_json.surge_tags(n, named=False) for n in self.notices.values())
        if self.add_ons:
            currency = self.offering.operator.currency
            tags.append(catalog_json.add_ons_tags(self.add_ons, currency))
            tags.append(catalog_json.add_on_tax_tags(self.add_ons))
        return offer_json.in_vocabulary(tags, self.vocabularies)

    def station(self, pk: int, station: Station) -> tuple[dict[str, Any], dict[str, Any]]:
        """The station's location and its CHARGING fulfillment (with its surge notices).
        A whole layout's fulfillment is kept like the location (speed only: the change
        record renders and digests it once, bench/results/on_search.md)."""
        found = self._stations.get(pk)
        if found is None:
            shown = self.offering.notices.get(pk) or ()

            def fulfillment() -> dict[str, Any]:
                notices = [
                    catalog_json.surge_ref(n)
                    if n.code in self.notices
                    else catalog_json.surge_tags(n, named=False)
                    for n in shown
                ]
                return catalog_json.catalog_fulfillment(
                    station, self.query_start, self.query_end, notices
                )

            location = self._shared(
                ("location", id(station)), lambda: catalog_json.location(station)
            )
            if self.query_start is None and self.query_end is None:  # kept: a whole layout's
                notices = tuple((n, n.code in self.notices) for n in shown)  # by value
                found = (location, self._shared(("fulfillment", id(station), notices), fulfillment))
            else:  # a search's own times: rendered for it alone
                found = (location, fulfillment())
            self._stations[pk] = found
        return found

    def station_size(self, pk: int, station: Station) -> int:
        """The encoded size of the station's location and fulfillment (size())."""
        location, fulfillment = self.station(pk, station)
        return self._shared(("location size", id(station)), lambda: size(location)) + size(
            fulfillment
        )

    def item(self, charger: Charger) -> dict[str, Any]:
        return self._kept(charger)[0]

    def item_size(self, charger: Charger) -> int:
        """The item's encoded size (size())."""
        return self._kept(charger)[1]

    def _kept(self, charger: Charger) -> tuple[dict[str, Any], int]:
        pk = charger.id
        found = self._items.get(pk)
        if found is not None:
            return found
        key: Hashable = None
        if self.rendered is not None:
            kept, asked = self.rendered
            key = (
                id(charger),
                asked,
                self.offering.rates.get(pk),
                *(line.add_on_id for line in self.offering.add_ons.get(charger.station_id) or ()),
                None,
                id(self.mine[pk]),  # the keeper keeps the list alive as long
                self.waiting(self.mine[pk]),
            )
            found = kept.get(key)
        if found is None:
            item = self._item(charger)
            found = (item, size(item))
            if self.rendered is not None:
                self.rendered[0][key] = found
        self._items[pk] = found
        return found

    def _item(self, charger: Charger) -> dict[str, Any]:
        listed = self.offering.rates.get(charger.id)
        rate, currency = listed if listed is not None else (None, charger.operator.currency)
        entry = catalog_json.item(
            charger,
            rate=rate,
            currency=currency,
            fulfillment_id=charger.station.code,
            connectors=(
                getattr(charger, "shown_connectors", None)
                if self.connectors is None
                else self.connectors[charger.id]
            ),
            named=False,
        )
        mine = self.mine.get(charger.id) or []
        if mine and rate is not None:
            refs = self.refs(mine, rate, currency)
            if refs:
                entry["offers"] = refs
        on_sale = self.offering.add_ons.get(charger.station_id) or []
        if on_sale:
            entry["add_ons"] = catalog_json.add_on_refs(on_sale)
        return entry

    def refs(
        self, mine: list[PublishedOffer], rate: Decimal, currency: str
    ) -> list[dict[str, Any]]:
        """The item's compact offer references; chargers of a station mostly share them."""
        key = (rate, currency, id(mine))  # the lists of `self.mine`, alive as long
        found = self._refs.get(key)
        if found is None:
            waiting = self.waiting(mine)
            started = [o for o in mine if id(o) not in waiting] if waiting else mine
            found = self._refs[key] = offer_json.item_offer_refs(started, rate, currency)
        return found

    def waiting(self, mine: list[PublishedOffer]) -> tuple[int, ...]:
        """The offers of `mine` (by id) that have not started at the session's start: they
        are defined in the catalog with their window, but a charger's compact references
        show only what a session from then can get."""
        found = self._waiting.get(id(mine))
        if found is None:
            at = self.at
            found = self._waiting[id(mine)] = tuple(
                id(o) for o in mine if o.valid_from is not None and o.valid_from > at
            )
        return found

    def offer_json(
        self, offer: PublishedOffer, location_ids: list[str], item_ids: list[str]
    ) -> dict[str, Any]:
        """The offer's one full definition: `location_ids` unless it applies at every
        location of the provider, `item_ids` only for an offer scoped to chargers (any other
        applies to every item at its locations, in its categories)."""
        return offer_json.provider_offer(
            offer,
            item_ids=item_ids,
            location_ids=location_ids,
            category_ids=sorted(offer.category_codes),
            vocabularies=self.vocabularies,
            tags=self._tags(offer),
        )

    def offer_size(self, offer: PublishedOffer) -> int:
        """The encoded size of the offer's definition without location and item ids."""
        return self._shared(
            ("offer size", *self._offer_key(offer)),
            lambda: size(self.offer_json(offer, [], [])),
        )

    def _tags(self, offer: PublishedOffer) -> list[dict[str, Any]]:
        tags = self._offer_tags.get(offer.offer_id)
        if tags is None:  # an ONDC freebie names all the items it applies to, in every part
            tags = self._offer_tags[offer.offer_id] = self._shared(
                ("offer tags", *self._offer_key(offer)),
                lambda: offer_json.offer_tags(
                    offer, self.vocabularies, self.covered.get(offer.offer_id, ()), named=False
                ),
            )
        return tags

    def _offer_key(self, offer: PublishedOffer) -> tuple[Hashable, ...]:
        return (id(offer), self.vocabularies, tuple(self.covered.get(offer.offer_id, ())))

    def _shared(self, key: tuple[Hashable, ...], make: Callable[[], Any]) -> Any:
        """What `make` renders, kept with the offering's data when the layout has a keeper
        (`rendered`: keyed by the ids of objects the keeper keeps alive), else for this
        layout alone."""
        kept = self.rendered[0] if self.rendered is not None else self._own
        found = kept.get(key)
        if found is None:
            found = kept[key] = make()
        return found


def _names_items(offer: PublishedOffer, vocabularies: str) -> bool:
    """Whether the offer's tags name the items it applies to (an ONDC freebie's benefit)."""
    return offer.ondc_type == "freebie" and offer_json.wants_ondc(vocabularies)


def _shared_notices(offering: Offering) -> dict[str, SurgeNotice]:
    """The surge notices with a code and the same text at every station they apply to."""
    seen: dict[str, SurgeNotice | None] = {}
    for pk in offering.stations:
        for notice in offering.notices.get(pk) or ():
            if notice.code:
                known = seen.setdefault(notice.code, notice)
                if known is not None and known != notice:
                    seen[notice.code] = None
    return {code: n for code, n in seen.items() if n is not None}
