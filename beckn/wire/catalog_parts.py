"""A catalog too big for one callback, sent as several `on_search` callbacks on the same
transaction (and message id), and put back together by a BAP.

Each part is a whole, valid catalog: its providers carry only the items of the part, with
the locations, fulfillments (and their surge notices), categories and offer definitions
those items need, so a BAP can show a part as soon as it arrives. Every provider of a part
has a `catalog-part` tag group in its `tags` (core 1.1.0's Catalog has no tags, so the
providers carry it): `part` (1-based) and `parts` (how many the catalog was cut into).

Cutting: items stay in the catalog's order (nearest first, operator by operator); a part
is closed when the next item, with the station and offer definitions it would bring, would
take the part over BECKN_CATALOG_PART_BYTES, counting each piece (item, station, offer
definition, each id an offer gains) at its encoded size in the whole catalog. One item
bigger than the limit still goes, alone in its part. A catalog whose pieces, all counted
at their most, fit in one part is not cut (what the cut would decide, without its walk).

Assembling (`assemble`): providers by id in order of first appearance; their categories,
locations and fulfillments by id; items appended; an offer defined in several parts keeps
its first definition with the `location_ids` and `item_ids` of all of them (an offer
without `location_ids` applies at every location of its part; one at every location of
the assembled provider lists none). The result equals the catalog the BPP would have sent
in one callback.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from beckn.protocol.json_text import size
from beckn.protocol.refresh_tags import INC
from beckn.protocol.tags import tag_group
from beckn.wire import catalog_json
from beckn.wire.catalog_layout import Layout
from cpo_portal.models import Charger

PART_GROUP = "catalog-part"
ENVELOPE_BYTES = 2048  # the context and the catalog's own keys, generously
IDS_KEY = len(',"location_ids":[]')


def part_tags(part: int, parts: int) -> dict[str, Any]:
    return tag_group(
        PART_GROUP,
        [("part", part), ("parts", parts)],
        name="Catalog part",
        names={"part": "Part", "parts": "Parts"},
    )


@dataclass
class _Part:
    runs: list[tuple[Layout, list[Charger]]] = field(default_factory=list)
    bytes: int = ENVELOPE_BYTES
    stations: set[tuple[int, int]] = field(default_factory=set)
    offers: set[tuple[int, str]] = field(default_factory=set)
    placed: set[tuple[int, str, str]] = field(default_factory=set)  # offer at a station


def laid_out_catalogs(
    layouts: list[Layout], matched: int | None, part_bytes: int
) -> list[dict[str, Any]]:
    """The on_search messages of providers laid out: one when the catalog fits in
    `part_bytes`, else its parts."""
    shown = sum(len(layout.offering.chargers) for layout in layouts)
    descriptor = catalog_json.catalog_descriptor(shown, matched)
    sizes = [_Sizes.of(index, layout) for index, layout in enumerate(layouts)]
    if sum(s.whole() for s in sizes) + ENVELOPE_BYTES <= part_bytes:
        cuts = [_Part()]  # what _cut would count for one part is no more: one part
    else:
        cuts = _cut(sizes, part_bytes)  # by the sizes of the pieces: nothing built twice
    if len(cuts) == 1:
        providers = [layout.provider() for layout in layouts]
        return [{"catalog": {"descriptor": descriptor, "providers": providers}}]
    messages = []
    for number, part in enumerate(cuts, start=1):
        chosen = []
        for layout, chargers in part.runs:
            provider = layout.provider(chargers)
            provider.setdefault("tags", []).append(part_tags(number, len(cuts)))
            chosen.append(provider)
        messages.append({"catalog": {"descriptor": descriptor, "providers": chosen}})
    return messages


@dataclass
class _Sizes:
    """What each piece of one provider adds to a part, in bytes: an offer's definition
    without its ids, then each location (and, charger-scoped, item) id it gains."""

    index: int
    layout: Layout
    header: int
    stations: dict[str, int]  # location + fulfillment, by station code
    offers: dict[str, int]  # the definition without location_ids / item_ids, by offer id

    @classmethod
    def of(cls, index: int, layout: Layout) -> _Sizes:
        offering = layout.offering
        header = size(
            {
                "id": offering.operator.code,
                "descriptor": catalog_json.provider_descriptor(offering.operator),
                "categories": catalog_json.categories(
                    list({code for c in offering.chargers for code in c.categories})
                ),
                "tags": layout.provider_tags(),
            }
        )
        stations = {
            station.code: layout.station_size(pk, station)
            for pk, station in offering.stations.items()
        }
        offers = {
            offer_id: layout.offer_size(offer) + 2 * IDS_KEY
            for offer_id, offer in layout.offers.items()
        }
        return cls(index, layout, header + 200, stations, offers)

    def whole(self) -> int:
        """What _cut counts for the whole provider in one part: every piece, each station
        an offer is placed at and each charger a charger-scoped offer names."""
        layout = self.layout
        chargers = layout.offering.chargers
        _, locations, item_ids = layout.placements(chargers)
        items = sum(layout.item_size(c) + 1 for c in chargers)
        pieces = sum(self.stations.values()) + sum(self.offers.values())
        placed = sum(len(code) + 3 for codes in locations.values() for code in codes)
        named = sum(len(code) + 3 for codes in item_ids.values() for code in codes)
        return self.header + pieces + items + placed + named

    def cost(self, part: _Part, charger: Charger, item_bytes: int) -> int:
        total = item_bytes
        if not part.runs or part.runs[-1][0] is not self.layout:
            total += self.header
        station = charger.station.code
        if (self.index, charger.station_id) not in part.stations:
            total += self.stations.get(station, 0)
        for offer in self.layout.mine.get(charger.id) or ():
            if (self.index, offer.offer_id) not in part.offers:
                total += self.offers.get(offer.offer_id, 0)
            if (self.index, offer.offer_id, station) not in part.placed:
                total += len(station) + 3
            if offer.charger_codes:
                total += len(charger.code) + 3
        return total

    def add(self, part: _Part, charger: Charger, extra: int) -> None:
        if not part.runs or part.runs[-1][0] is not self.layout:
            part.runs.append((self.layout, []))
        part.runs[-1][1].append(charger)
        part.bytes += extra
        part.stations.add((self.index, charger.station_id))
        station = charger.station.code
        for offer in self.layout.mine.get(charger.id) or ():
            part.offers.add((self.index, offer.offer_id))
            part.placed.add((self.index, offer.offer_id, station))


def _cut(providers: list[_Sizes], part_bytes: int) -> list[_Part]:
    """Runs of chargers per part, by the encoded sizes of the pieces."""
    parts = [_Part()]
    for sizes in providers:
        layout = sizes.layout
        for charger in layout.offering.chargers:
            item_bytes = layout.item_size(charger) + 1
            part = parts[-1]
            extra = sizes.cost(part, charger, item_bytes)
            if part.runs and part.bytes + extra > part_bytes:
                part = _Part()
                parts.append(part)
                extra = sizes.cost(part, charger, item_bytes)
            sizes.add(part, charger, extra)
    return parts


PIECES = ("locations", "fulfillments", "items", "offers")  # a provider's lists of pieces


def pieces_catalogs(message: dict[str, Any], part_bytes: int) -> list[dict[str, Any]]:
    """A catalog of independent pieces (an incremental catalog: each location,
    fulfillment, item and offer stands alone, whatever else the catalog holds), as the
    on_search messages to send: itself when it fits in `part_bytes`, else cut into parts
    like a search's catalog (the same `catalog-part` tags, envelope and size counts), the
    pieces in their order, a provider's own fields in its first part."""
    catalog = message["catalog"]
    if size(message) + ENVELOPE_BYTES <= part_bytes:
        return [message]
    parts: list[list[tuple[str, dict[str, Any], str | None, dict[str, Any] | None]]] = [[]]
    used = ENVELOPE_BYTES
    for provider in catalog["providers"]:
        own = {k: v for k, v in provider.items() if k not in PIECES}
        header = size(own) + 200
        runs: list[tuple[str | None, dict[str, Any] | None]] = [(None, None)]
        runs += [(key, piece) for key in PIECES for piece in provider.get(key) or ()]
        for key, piece in runs:
            extra = (size(piece) + 1) if piece is not None else 0
            here = parts[-1]
            opens = not here or here[-1][0] != provider["id"]
            if here and used + extra + (header if opens else 0) > part_bytes:
                parts.append([])
                used, opens = ENVELOPE_BYTES, True
            used += extra + (header if opens else 0)
            parts[-1].append((provider["id"], own, key, piece))
    messages = []
    for number, part in enumerate(parts, start=1):
        providers: dict[str, dict[str, Any]] = {}
        for code, own, key, piece in part:
            provider = providers.get(code)
            if provider is None:
                provider = providers[code] = {"id": code}
            if key is None:
                provider.update(own)
            elif piece is not None:
                provider.setdefault(key, []).append(piece)
        for provider in providers.values():
            provider["tags"] = [*(provider.get("tags") or ()), part_tags(number, len(parts))]
        body = {"descriptor": catalog.get("descriptor"), "providers": list(providers.values())}
        messages.append({"catalog": body})
    return messages


def part_of(message: dict[str, Any]) -> tuple[int, int] | None:
    """(part, parts) of an on_search message sent in parts; None for a whole catalog."""
    for provider in (message.get("catalog") or {}).get("providers") or ():
        for group in provider.get("tags") or ():
            if (group.get("descriptor") or {}).get("code") == PART_GROUP:
                values = {
                    (t.get("descriptor") or {}).get("code"): t.get("value")
                    for t in group.get("list") or ()
                }
                try:
                    return int(values["part"]), int(values["parts"])
                except (KeyError, TypeError, ValueError):
                    return None
    return None


def assemble(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The one catalog message the parts (in any order) were cut from."""
    ordered = sorted(messages, key=lambda m: (part_of(m) or (1, 1))[0])
    providers: dict[str, dict[str, Any]] = {}
    descriptor: Any = None
    for message in ordered:
        catalog = message.get("catalog") or {}
        descriptor = descriptor or catalog.get("descriptor")
        pieces = (descriptor or {}).get("code") == INC  # each piece whole: merged as it is
        for provider in catalog.get("providers") or ():
            provider = copy.deepcopy(provider)
            if not pieces:
                _spell_out(provider)
            _merge(providers, provider)
    for provider in providers.values():
        if not pieces:
            _fold(provider)
    out: dict[str, Any] = {"providers": list(providers.values())}
    if descriptor is not None:
        out = {"descriptor": descriptor, **out}
    return {"catalog": out}


def _merge(providers: dict[str, dict[str, Any]], provider: dict[str, Any]) -> None:
    tags = [
        g
        for g in provider.pop("tags", None) or ()
        if (g.get("descriptor") or {}).get("code") != PART_GROUP
    ]
    if tags:
        provider["tags"] = tags
    have = providers.get(provider["id"])
    if have is None:
        providers[provider["id"]] = provider
        return
    for key in ("categories", "locations", "fulfillments"):
        if key in provider:  # an incremental catalog's part may have none
            _by_id(have, key, provider[key])
    if "items" in provider:
        have.setdefault("items", []).extend(provider["items"])
    known = {o["id"]: o for o in have.get("offers") or ()}
    for offer in provider.get("offers") or ():
        first = known.get(offer["id"])
        if first is None:
            have.setdefault("offers", []).append(offer)
            known[offer["id"]] = offer
            continue
        for key in ("location_ids", "item_ids"):
            if offer.get(key):
                first[key] = list(dict.fromkeys([*first.get(key, []), *offer[key]]))


def _spell_out(provider: dict[str, Any]) -> None:
    """An offer without location_ids applies at every location of its part: say which."""
    everywhere = [loc.get("id") for loc in provider.get("locations") or ()]
    for offer in provider.get("offers") or ():
        if not offer.get("location_ids"):
            offer["location_ids"] = list(everywhere)


def _fold(provider: dict[str, Any]) -> None:
    """An offer at every location of the provider lists none, as a whole catalog has it."""
    everywhere = {loc.get("id") for loc in provider.get("locations") or ()}
    for offer in provider.get("offers") or ():
        if set(offer.get("location_ids") or ()) == everywhere:
            offer.pop("location_ids", None)


def _by_id(into: dict[str, Any], key: str, entries: list[dict[str, Any]]) -> None:
    mine = into.setdefault(key, [])
    seen = {e.get("id") for e in mine}
    mine.extend(e for e in entries if e.get("id") not in seen)
