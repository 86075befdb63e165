"""Offers to publish in the Beckn catalog (on_search): the operator's active offers that
have not ended, narrowed to a station or a charger when one is given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from cpo_portal.models import Charger, Operator, Station
from offers.rules.conditions import validity_window
from offers.rules.construct import OfferRule
from offers.rules.facts import OfferFacts
from offers.rules.places import PlaceTest, place_test, where
from pricing.services import site_for, station_site

from .catalog import catalog_for
from .facts import station_facts


def _facts(operator: Operator, station: Station) -> OfferFacts:
    """Facts for a place test, which reads the station's place only."""
    return OfferFacts(station=station_facts(station, declared=False), operator_code=operator.code)


def _ranked(operator: Operator) -> list[tuple[OfferRule, dt.datetime | None]]:
    """The operator's active offers with the end of their validity, highest priority
    first."""
    offers = [(i.rule, validity_window(i.rule)[1]) for i in catalog_for(operator).offers.values()]
    return sorted(offers, key=lambda o: (-o[0].meta.priority, o[0].id))


def _current(operator: Operator, at: dt.datetime) -> list[OfferRule]:
    """The operator's active offers not ended at `at`, highest priority first."""
    return [rule for rule, end in _ranked(operator) if end is None or end >= at]


Tests = dict[str, PlaceTest]


def _tests(offers: Iterable[OfferRule]) -> Tests:
    """Each offer's place test by offer id, its conditions built once."""
    return {rule.id: place_test(rule) for rule in offers}


def _placed(
    offers: Sequence[OfferRule], operator: Operator, station: Station, sites, tests: Tests
) -> tuple[OfferRule, ...]:
    facts = _facts(operator, station)
    places = [where(site, facts) for site in sites]  # one station's: what it reads is alike
    return tuple(
        o
        for o in offers
        if (test := tests[o.id]).station(places[0]) and any(map(test.charger, places))
    )


def published_offers(
    operator: Operator,
    *,
    station: Station | None = None,
    charger: Charger | None = None,
    at: dt.datetime | None = None,
) -> tuple[OfferRule, ...]:
    """Active offers not ended at `at` (default now), highest priority first. Offers that
    start later are included: the catalog tells their valid-from. Weekday and hour
    windows do not hide an offer (a weekend offer is advertised during the week); place
    does: with a charger, offers valid on it; with a station, offers valid on any of its
    chargers."""
    at = at or timezone.now()
    if charger is not None:
        offers = _current(operator, at)
        here = [site_for(charger)]
        return _placed(offers, operator, charger.station, here, _tests(offers))
    if station is not None:
        return published_offers_at(operator, [station], at)[station.pk]
    return tuple(_current(operator, at))


def published_offers_at(
    operator: Operator, stations: Sequence[Station], at: dt.datetime | None = None
) -> dict[int, tuple[OfferRule, ...]]:
    """published_offers at each station, by station pk: one catalog check and one query
    for the stations' chargers, whatever the number of stations."""
    at = at or timezone.now()
    return {
        pk: tuple(rule for rule, end in placed if end is None or end >= at)
        for pk, placed in placed_offers(operator, stations).at.items()
    }


Ranked = tuple[tuple[OfferRule, dt.datetime | None], ...]


@dataclass(frozen=True, slots=True)
class Placements:
    """Every active offer of an operator (`ranked`: highest priority first, with the end
    of its validity, None when open-ended) and those valid on one of each station's
    chargers, ended or not (`at`, by station pk): published_offers_at at any moment is
    those not ended then."""

    ranked: Ranked
    at: dict[int, Ranked]


def placed_offers(
    operator: Operator,
    stations: Sequence[Station],
    before: Placements | None = None,
    unchanged: Collection[int] = (),
) -> Placements:
    """The placements of the operator's offers at the stations. With `before` (an earlier
    answer) and the stations whose rows and chargers did not change since (`unchanged`),
    an offer equal to one placed before keeps its place there: only new and changed
    offers are placed at them (and every offer at the other stations). When the offers
    are the same as before, such a station's placements are before's, the same object."""
    ranked = tuple(_ranked(operator))
    by_pk = {s.pk: s for s in stations}
    known = {rule.id: rule for rule, _ in before.ranked} if before is not None else {}
    fresh = [rule for rule, _ in ranked if known.get(rule.id) != rule]
    kept = {pk for pk in unchanged if before is not None and pk in before.at}
    to_place = [pk for pk in by_pk if pk not in kept or fresh]  # whose sites are read
    sites: dict[int, list] = {pk: [] for pk in to_place}
    if to_place:
        for charger in Charger.objects.filter(station__in=to_place).order_by("pk"):
            charger.station = by_pk[charger.station_id]
            sites[charger.station_id].append(site_for(charger))
    everyone = [rule for rule, _ in ranked]
    tests = _tests(everyone)
    fresh_ids = {rule.id for rule in fresh}
    out = {}
    same_offers = before is not None and not fresh and len(ranked) == len(before.ranked)
    for pk, station in by_pk.items():
        if pk in kept and same_offers and before is not None:  # as before: the same object
            out[pk] = before.at[pk]
        elif pk in kept and before is not None:  # placed before: kept; new ones are placed
            placed = {r.id for r, _ in before.at[pk] if r.id not in fresh_ids}
            if fresh:
                here = sites[pk] or [station_site(station)]
                placed |= {rule.id for rule in _placed(fresh, operator, station, here, tests)}
            out[pk] = tuple(pair for pair in ranked if pair[0].id in placed)
        else:
            here = sites[pk] or [station_site(station)]
            chosen = {id(rule) for rule in _placed(everyone, operator, station, here, tests)}
            out[pk] = tuple(pair for pair in ranked if id(pair[0]) in chosen)
    return Placements(ranked, out)
