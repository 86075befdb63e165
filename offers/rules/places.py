"""Where an offer applies: its place conditions (ONDC applicability's place attributes:
operator, station, charger, region, city, site kind, categories, geo circles), which read
only the place, so that they also answer without a session (place_test)."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import NamedTuple, Protocol

from offers.rules.construct import GeoCircle, OfferRule
from offers.rules.facts import OfferFacts
from offers.rules.geo import in_circle
from offers.rules.outcome import Reason, Rejected
from pricing.engine import Site


class Place(Protocol):
    """What a place condition reads (a QuoteContext, or a place without a session)."""

    @property
    def site(self) -> Site: ...
    @property
    def operator_code(self) -> str: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...


class PlaceCondition(NamedTuple):
    """A condition (conditions.Condition) that reads only the place."""

    test: Callable[[Place], bool]
    why: Callable[[Place], Rejected]
    indexed: bool = True
    per_charger: bool = False  # reads the charger (else only its station and operator)


def always(rejected: Rejected) -> Callable[[object], Rejected]:
    """The wording of a failure that reads nothing of the session (one is enough)."""
    return lambda c: rejected


def _member(
    offer_id: str, allowed: frozenset[str], path: str, text: Callable[[str], str]
) -> PlaceCondition:
    """The site's value at `path` is one of those `allowed`."""
    value = attrgetter(path)
    return PlaceCondition(
        lambda c: value(c) in allowed,
        lambda c: Rejected(offer_id, Reason.NOT_VALID_HERE, text(value(c))),
        per_charger=path == "site.charger_code",
    )


def _site_values(here: str) -> list[tuple[str, Callable[[str], str]]]:
    """Per set-valued place attribute: where the place holds it, the failure's wording."""
    return [
        ("site.station_code", lambda v: f"{here} at station {v}"),
        ("site.charger_code", lambda v: f"{here} on charger {v}"),
        ("site.region_code", lambda v: f"{here} in region {v or '(none)'}"),
        ("site.city_code", lambda v: f"{here} in city {v or '(none)'}"),
        ("site.site_kind", lambda v: f"{here} at {v or 'unclassified'} sites"),
    ]


def place(offer: OfferRule) -> list[PlaceCondition]:
    app, here = offer.applicability, f"Offer {offer.id} is not valid"
    operator = offer.operator_code
    out = [
        PlaceCondition(
            lambda c: not c.operator_code or c.operator_code == operator,
            lambda c: Rejected(
                offer.id, Reason.NOT_VALID_HERE, f"{here} at {c.operator_code} stations"
            ),
        )
    ]
    sets = (app.station_codes, app.charger_codes, app.region_codes, app.city_codes, app.site_kinds)
    for allowed, (path, text) in zip(sets, _site_values(here), strict=True):
        if allowed:
            out.append(_member(offer.id, allowed, path, text))
    if app.category_codes:
        categories = app.category_codes
        out.append(
            PlaceCondition(
                lambda c: not categories.isdisjoint(c.site.category_codes),
                always(
                    Rejected(
                        offer.id, Reason.NOT_VALID_HERE, f"{here} for this charger's categories"
                    )
                ),
                per_charger=True,
            )
        )
    if app.circles:  # the index tries the circles' boxes
        inside, far = _circles(app.circles), f"{here} this far from its area"
        far_away = Rejected(offer.id, Reason.NOT_VALID_HERE, far)
        out.append(PlaceCondition(inside, always(far_away), indexed=False))
    return out


def _circles(circles: tuple[GeoCircle, ...]) -> Callable[[Place], bool]:
    def inside(c: Place) -> bool:
        lat, lon = c.lat, c.lon
        if lat is None or lon is None:
            return False  # a station without coordinates is outside every circle
        return any(in_circle(circle, lat, lon) for circle in circles)

    return inside


class _At(NamedTuple):
    site: Site
    operator_code: str
    lat: float | None
    lon: float | None


def where(site: Site, facts: OfferFacts) -> Place:
    """The place of `site` as place conditions read it, without a session."""
    return _At(site, facts.operator_code, facts.station.lat, facts.station.lon)


class PlaceTest(NamedTuple):
    """Whether an offer is valid at a place (`where`): every place condition holds, in two
    halves, its conditions built once for every place it is asked about: `station` reads
    only the station and operator (the same for each of a station's chargers), `charger`
    the rest."""

    station: Callable[[Place], bool]
    charger: Callable[[Place], bool]


def place_test(offer: OfferRule) -> PlaceTest:
    conditions = place(offer)
    station = [c.test for c in conditions if not c.per_charger]
    charger = [c.test for c in conditions if c.per_charger]
    return PlaceTest(
        lambda at: all(test(at) for test in station),
        lambda at: all(test(at) for test in charger),
    )
