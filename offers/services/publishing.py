"""Offers to publish in the Beckn catalog (on_search): the operator's active offers that
have not ended, narrowed to a station or a charger when one is given."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cpo_portal.models import Charger, Operator, Station
from offers.rules.applicability import check_place, validity_window
from offers.rules.facts import OfferFacts, StationFacts
from offers.rules.types import Offer as RuleOffer
from pricing.services import site_for
from pricing.services.sites import station_site

from .catalog import catalog_for


def _facts(operator: Operator, station: Station) -> OfferFacts:
    place = StationFacts(float(station.latitude), float(station.longitude), station.opened_on)
    return OfferFacts(station=place, operator_code=operator.code)


def published_offers(
    operator: Operator,
    *,
    station: Station | None = None,
    charger: Charger | None = None,
    at: dt.datetime | None = None,
) -> tuple[RuleOffer, ...]:
    """Active offers not ended at `at` (default now), highest priority first. Offers that
    start later are included: the catalog tells their valid-from. Weekday and hour
    windows do not hide an offer (a weekend offer is advertised during the week); place
    does: with a charger, offers valid on it; with a station, offers valid on any of its
    chargers."""
    at = at or timezone.now()
    offers = [
        i.rule
        for i in catalog_for(operator).offers.values()
        if (end := validity_window(i.rule)[1]) is None or end >= at
    ]
    if charger is not None:
        station = charger.station
        sites = [site_for(charger)]
    elif station is not None:
        chargers = station.chargers.select_related("station")
        sites = [site_for(c) for c in chargers] or [station_site(station)]
    else:
        sites = []
    if sites:
        facts = _facts(operator, station)
        offers = [o for o in offers if any(check_place(o, s, facts) is None for s in sites)]
    return tuple(sorted(offers, key=lambda o: (-o.meta.priority, o.id)))
