"""Where and when an offer applies (ONDC applicability: intersection across attributes,
union within one). Each check answers None (passes) or a (Reason, message) failure."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

from offers.rules.facts import OfferFacts
from offers.rules.localtime import in_window
from offers.rules.outcome import Failure, Reason
from offers.rules.types import Applicability, GeoCircle, HolidayRule, Offer
from pricing.engine.types import Site

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def in_circle(circle: GeoCircle, lat: float, lon: float) -> bool:
    return haversine_km(circle.lat, circle.lon, lat, lon) <= circle.radius_km


def validity_window(offer: Offer) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The offer's own window narrowed by an energy-trade validity window, if any."""
    app, trade = offer.applicability, offer.energy_trade
    start, end = app.valid_from, app.valid_until
    if trade is not None:
        if trade.valid_from is not None:
            start = trade.valid_from if start is None else max(start, trade.valid_from)
        if trade.valid_until is not None:
            end = trade.valid_until if end is None else min(end, trade.valid_until)
    return start, end


def check_validity(offer: Offer, start: dt.datetime, now: dt.datetime | None) -> Failure | None:
    valid_from, valid_until = validity_window(offer)
    if valid_from is not None and start < valid_from:
        return Reason.NOT_STARTED, f"Offer {offer.id} starts {valid_from.isoformat()}"
    if valid_until is not None and (start > valid_until or (now and now > valid_until)):
        return Reason.EXPIRED, f"Offer {offer.id} ended {valid_until.isoformat()}"
    return None


def _outside(allowed: frozenset[str], value: str) -> bool:
    return bool(allowed) and value not in allowed


def without_validity(offer: Offer) -> Offer:
    """The offer as if it were valid at any time (to tell whether only its dates keep it
    from a session)."""
    trade = offer.energy_trade
    benefit = offer.benefit
    if trade is not None:
        benefit = replace(trade, valid_from=None, valid_until=None)
    app = replace(offer.applicability, valid_from=None, valid_until=None)
    return replace(offer, applicability=app, benefit=benefit)


def check_place(offer: Offer, site: Site, facts: OfferFacts) -> Failure | None:
    app = offer.applicability
    here = f"Offer {offer.id} is not valid"
    if facts.operator_code and offer.operator_code != facts.operator_code:
        return Reason.NOT_VALID_HERE, f"{here} at {facts.operator_code} stations"
    if _outside(app.station_codes, site.station_code):
        return Reason.NOT_VALID_HERE, f"{here} at station {site.station_code}"
    if _outside(app.charger_codes, site.charger_code):
        return Reason.NOT_VALID_HERE, f"{here} on charger {site.charger_code}"
    if _outside(app.region_codes, site.region_code):
        return Reason.NOT_VALID_HERE, f"{here} in region {site.region_code or '(none)'}"
    if _outside(app.city_codes, site.city_code):
        return Reason.NOT_VALID_HERE, f"{here} in city {site.city_code or '(none)'}"
    if _outside(app.site_kinds, site.site_kind):
        return Reason.NOT_VALID_HERE, f"{here} at {site.site_kind or 'unclassified'} sites"
    if app.category_codes and not app.category_codes & site.category_codes:
        return Reason.NOT_VALID_HERE, f"{here} for this charger's categories"
    if app.circles and not _in_any_circle(app, facts):
        return Reason.NOT_VALID_HERE, f"{here} this far from its area"
    return None


def _in_any_circle(app: Applicability, facts: OfferFacts) -> bool:
    lat, lon = facts.station.lat, facts.station.lon
    if lat is None or lon is None:
        return False  # a station without coordinates is outside every circle
    return any(in_circle(c, lat, lon) for c in app.circles)


def check_time(offer: Offer, start_local: dt.datetime, facts: OfferFacts) -> Failure | None:
    """Local wall-clock conditions, read at the session's local start."""
    app, day = offer.applicability, start_local.date()
    now = f"Offer {offer.id} is not valid"
    if app.windows and not any(in_window(w, start_local) for w in app.windows):
        return Reason.NOT_VALID_NOW, f"{now} at {start_local:%a %H:%M}"
    holiday = day in facts.holidays
    if app.holidays is HolidayRule.HOLIDAYS_ONLY and not holiday:
        return Reason.NOT_VALID_NOW, f"{now} on {day.isoformat()}: holidays only"
    if app.holidays is HolidayRule.EXCEPT_HOLIDAYS and holiday:
        return Reason.NOT_VALID_NOW, f"{now} on holidays ({day.isoformat()})"
    if app.launch_days is not None:
        opened = facts.station.opened_on
        first = f"{now}: only in the first {app.launch_days} days after the station opened"
        if opened is None:
            return Reason.NOT_VALID_NOW, f"{first}, and this station's opening date is not set"
        if not 0 <= (day - opened).days < app.launch_days:
            return Reason.NOT_VALID_NOW, f"{first} (opened {opened.isoformat()})"
    return None
