"""One operator's provider in the publication: what an on_search shows of it, built once
per version of its stamps from pricing and offers (or updated from the one before), and
the offers current at each moment, worked out once between two offers' ends."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beckn.commerce_types import AddOnLine, CommerceError, Offering, PublishedOffer
from beckn.services import commerce, commerce_addons
from beckn.services.publication.network_rows import Rows
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Charger, Connector, Operator, Station

NOTICES_BEFORE = dt.timedelta(days=1)  # notices are kept for searches from a day ago
NOTICES_AHEAD = dt.timedelta(days=14)  # to two weeks ahead; rebuilt after one week
MAX_RENDERED = 20_000  # rendered items kept per provider
MAX_EPOCHS = 16  # moments between offers' ends kept per provider

Placed = list[tuple[PublishedOffer, dt.datetime | None]]
Version = tuple[Any, Any, Any]  # network, pricing and catalog stamps as read


@dataclass
class Provider:
    """One operator's publication, built under one version of its stamps."""

    version: Version
    built: dt.datetime
    rows: Rows
    rates: dict[int, tuple[Decimal, str] | None]  # list energy rate by charger pk
    add_ons: dict[int, list[AddOnLine]]  # on sale, by station pk
    placed: commerce.PlacedOffers  # active offers placed at each station, with their ends
    applying: dict[int, Placed]  # those that apply to each charger, by charger pk
    notices: commerce.NoticesDuring
    rendered: dict[Hashable, Any]  # items and offer definitions rendered (with their sizes)
    alive: dict[int, Any]  # the objects whose ids key `rendered`
    # Lists of offers by the ids of their offers: equal lists are one object, in every
    # version that keeps `rendered` (which keys items by the list that applies).
    lists: dict[tuple[int, ...], list[PublishedOffer]]
    # The offers current from a moment, by how many of the offers' ends it is past
    # (`ends`, sorted): the same lists for every search in between (Epoch).
    epochs: dict[int, Epoch] = field(default_factory=dict)
    ends: list[dt.datetime] = field(default_factory=list)

    @property
    def operator(self) -> Operator:
        return self.rows.operator

    @classmethod
    def build(
        cls, rows: Rows, version: Version, now: dt.datetime, before: Provider | None
    ) -> Provider:
        """The provider from scratch or, with `before`, updated from it: what the stamps
        that moved and the rows that changed touch is built again, the rest kept."""
        operator, stations = rows.operator, rows.stations
        everyone = [c for here in rows.chargers.values() for c in here]
        same_rows = before is not None and rows.same(before.rows)
        pricing = before is not None and before.version[1] == version[1]
        catalog = before is not None and before.version[2] == version[2]
        unchanged = rows.unchanged(before.rows if before is not None else None)
        if before is not None and catalog and len(unchanged) == len(stations):
            placed = before.placed
        else:
            placed = commerce.placed_offers(
                operator, stations.values(), before.placed if before else None, unchanged
            )
        applying = {}
        for pk, here in rows.chargers.items():
            offers = placed.at[pk]
            if pk in unchanged and before is not None and _same(before.placed.at[pk], offers):
                applying.update({c.id: before.applying[c.id] for c in here})
                continue
            # The station's offers are read once; only those narrowed to chargers or
            # categories are asked of each charger.
            station = stations[pk].code
            offers = [p for p in offers if not p[0].station_codes or station in p[0].station_codes]
            narrow = {id(o) for o, _ in offers if o.charger_codes or o.category_codes}
            if not narrow:  # one list for every charger of the station
                applying.update((c.id, offers) for c in here)
                continue
            for c in here:
                applying[c.id] = [
                    (o, end)
                    for o, end in offers
                    if id(o) not in narrow or o.applies_at(station, c.code, c.categories)
                ]
        if before is None or max(len(before.rendered), len(before.lists)) > MAX_RENDERED:
            rendered: dict[Hashable, tuple[dict[str, Any], int]] = {}
            alive: dict[int, Any] = {}
            lists: dict[tuple[int, ...], list[PublishedOffer]] = {}
        else:
            rendered, alive, lists = before.rendered, before.alive, before.lists
        alive.update({id(c): c for c in everyone})
        alive.update({id(o): o for o in placed.shown.values()})
        # The pricing parts of `before` still hold when its rows and pricing stamp are the same.
        priced = before if before is not None and same_rows and pricing else None
        return cls(
            version=version,
            built=now if priced is None else priced.built,
            rows=rows,
            rates=commerce.list_rates(everyone) if priced is None else priced.rates,
            add_ons=(
                before.add_ons
                if before is not None and catalog
                else commerce_addons.add_ons_at(operator, stations.values())
            ),
            placed=placed,
            applying=applying,
            notices=(
                priced.notices
                if priced is not None
                else commerce.NoticesDuring(
                    stations.values(), now - NOTICES_BEFORE, now + NOTICES_AHEAD
                )
            ),
            rendered=rendered,
            alive=alive,
            lists=lists,
            ends=sorted({end for at in placed.at.values() for _, end in at if end is not None}),
        )

    def current(self, start: dt.datetime) -> Epoch:
        """The offers not ended at `start`, at each station and applying to each charger:
        the same for all the moments between two offers' ends, and worked out for a
        station or charger when a search first shows it (a search after a change pays
        for what it shows, not for the whole network). Equal lists are one object, in
        this version and the next (`lists`: what is rendered of a list is keyed by its
        id)."""
        key = bisect.bisect_left(self.ends, start)
        found = self.epochs.get(key)
        if found is None:
            found = Epoch(
                _Current(self.placed.at, start, self.lists),
                _Current(self.applying, start, self.lists),
            )
            if len(self.epochs) >= MAX_EPOCHS:
                self.epochs.clear()
            self.epochs[key] = found
        return found

    def offering(
        self,
        chargers: list[Charger],
        query: SearchQuery,
        start: dt.datetime,
        connectors: dict[int, list[Connector]] | None = None,
    ) -> tuple[Offering, dict[int, list[PublishedOffer]]]:
        """The provider at the `chargers` a search found (showing `connectors`, by charger
        pk), for a session from `start`, and the offers that apply to each of them."""
        stations: dict[int, Station] = {}
        for charger in chargers:
            stations.setdefault(charger.station_id, charger.station)
        try:
            notices = self.notices.at(stations, start, query.end)
            if notices is None:  # a search outside the span kept: read for it
                notices = commerce.surge_notices_at(stations.values(), start, query.end)
        except CommerceError:
            notices = {}
        now = self.current(start)
        pks = [c.id for c in chargers]
        offering = Offering(
            operator=self.operator,
            chargers=chargers,
            stations=stations,
            notices=notices,
            offers={pk: now.offers[pk] for pk in stations},
            rates={pk: self.rates.get(pk) for pk in pks},
            add_ons={pk: self.add_ons.get(pk) or [] for pk in stations},
            connectors=connectors,
        )
        return offering, {pk: now.applying[pk] for pk in pks}


@dataclass(frozen=True, slots=True)
class Epoch:
    """The offers current from one moment to the next offer's end."""

    offers: Mapping[int, list[PublishedOffer]]  # at each station, by station pk
    applying: Mapping[int, list[PublishedOffer]]  # applying to each charger, by charger pk


class _Current(Mapping[int, list[PublishedOffer]]):
    """The offers of `placed` not ended at `start`, by the same keys, each list worked out
    when first read and kept (one object for equal lists: `lists`)."""

    def __init__(
        self, placed: Mapping[int, Placed], start: dt.datetime, lists: dict[tuple[int, ...], Any]
    ) -> None:
        self.placed, self.start, self.lists = placed, start, lists
        self.found: dict[int, list[PublishedOffer]] = {}
        self.of_list: dict[int, list[PublishedOffer]] = {}  # by id() of a list of `placed`

    def __getitem__(self, pk: int) -> list[PublishedOffer]:
        offers = self.found.get(pk)
        if offers is None:
            placed = self.placed[pk]  # one list for the chargers of a station, mostly
            offers = self.of_list.get(id(placed))
            if offers is None:
                current = _current(placed, self.start)
                offers = self.lists.setdefault(tuple(map(id, current)), current)
                self.of_list[id(placed)] = offers
            self.found[pk] = offers
        return offers

    def __iter__(self) -> Iterator[int]:
        return iter(self.placed)

    def __len__(self) -> int:
        return len(self.placed)


def _current(placed: Placed, at: dt.datetime) -> list[PublishedOffer]:
    return [offer for offer, end in placed if end is None or end >= at]


def _same(a: Placed, b: Placed) -> bool:
    """The same offer objects with the same ends."""
    if a is b:
        return True
    if len(a) != len(b):
        return False
    return all(x[0] is y[0] and x[1] == y[1] for x, y in zip(a, b, strict=True))
