"""Candidate offers for a session without scanning them all.

Each attribute (operator, station, charger, region, city, site kind, category) maps its
values to a bitmask of the offers that name them, plus a mask of offers that leave it
open ('any'). Validity windows are sorted once, so 'started by t' and 'not ended by t' are
a bisect and a prefix/suffix mask; weekdays have a mask each; geo circles are tried with a
bounding box. A candidate is an offer in every mask. The index may return offers that
later fail evaluation, never the reverse: it only drops offers that cannot apply.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from offers.rules.applicability import EARTH_RADIUS_KM, validity_window
from offers.rules.facts import OfferFacts
from offers.rules.localtime import local, wraps
from offers.rules.types import GeoCircle, Offer
from pricing.engine.types import PricedSession

_MARGIN = 1.01  # bounding boxes 1 % larger than the circle: floats must never lose one


@dataclass(frozen=True, slots=True)
class _Attribute:
    any: int
    by_value: dict[str, int]

    def mask(self, *values: str) -> int:
        out = self.any
        for value in values:
            out |= self.by_value.get(value, 0)
        return out


def _attribute(
    offers: tuple[Offer, ...], values_of: Callable[[Offer], Iterable[str]]
) -> _Attribute:
    any_mask, by_value = 0, {}
    for i, offer in enumerate(offers):
        values = set(values_of(offer))
        if not values:
            any_mask |= 1 << i
        for value in values:
            by_value[value] = by_value.get(value, 0) | 1 << i
    return _Attribute(any_mask, by_value)


@dataclass(frozen=True, slots=True)
class _Box:
    lat_lo: float
    lat_hi: float
    lon: float
    lon_half: float  # >= 180: every longitude

    @classmethod
    def around(cls, c: GeoCircle) -> _Box:
        arc = c.radius_km / EARTH_RADIUS_KM
        dlat = math.degrees(arc) * _MARGIN
        cos_lat = math.cos(math.radians(c.lat))
        if math.sin(arc) >= cos_lat or abs(c.lat) + dlat >= 90:
            return cls(c.lat - dlat, c.lat + dlat, c.lon, 360.0)
        dlon = math.degrees(math.asin(min(1.0, math.sin(arc) / cos_lat))) * _MARGIN
        return cls(c.lat - dlat, c.lat + dlat, c.lon, dlon)

    def holds(self, lat: float, lon: float) -> bool:
        if not self.lat_lo <= lat <= self.lat_hi:
            return False
        return abs((lon - self.lon + 180.0) % 360.0 - 180.0) <= self.lon_half


def _days(offer: Offer) -> frozenset[int]:
    """Weekdays a session may start on and still be inside one of the offer's windows."""
    windows = offer.applicability.windows
    if not windows:
        return frozenset(range(7))
    days: set[int] = set()
    for w in windows:
        days |= w.days
        if wraps(w):
            days |= {(d + 1) % 7 for d in w.days}
    return frozenset(days)


def _cumulative(order: list[int]) -> list[int]:
    masks = [0]
    for i in order:
        masks.append(masks[-1] | 1 << i)
    return masks


class OfferIndex:
    def __init__(self, offers: tuple[Offer, ...]) -> None:
        self.offers = offers
        o = offers
        self._operator = _attribute(o, lambda x: {x.operator_code} - {""})
        self._station = _attribute(o, lambda x: x.applicability.station_codes)
        self._charger = _attribute(o, lambda x: x.applicability.charger_codes)
        self._region = _attribute(o, lambda x: x.applicability.region_codes)
        self._city = _attribute(o, lambda x: x.applicability.city_codes)
        self._kind = _attribute(o, lambda x: x.applicability.site_kinds)
        self._category = _attribute(o, lambda x: x.applicability.category_codes)
        windows = [validity_window(x) for x in o]
        starts = sorted((w[0].astimezone(dt.UTC), i) for i, w in enumerate(windows) if w[0])
        self._start_at = [t for t, _ in starts]
        self._started = _cumulative([i for _, i in starts])
        self._always_started = sum(1 << i for i, w in enumerate(windows) if w[0] is None)
        ends = sorted((w[1].astimezone(dt.UTC), i) for i, w in enumerate(windows) if w[1])
        self._end_at = [t for t, _ in ends]
        self._not_ended = _cumulative([i for _, i in reversed(ends)])  # from the latest end
        self._never_ends = sum(1 << i for i, w in enumerate(windows) if w[1] is None)
        self._weekday = [sum(1 << i for i, x in enumerate(o) if d in _days(x)) for d in range(7)]
        self._boxes = [
            (1 << i, [_Box.around(c) for c in x.applicability.circles])
            for i, x in enumerate(o)
            if x.applicability.circles
        ]
        self._no_geo = sum(1 << i for i, x in enumerate(o) if not x.applicability.circles)

    @classmethod
    def build(cls, offers: Iterable[Offer]) -> OfferIndex:
        return cls(tuple(offers))

    def __len__(self) -> int:
        return len(self.offers)

    def candidates(
        self,
        *,
        at: dt.datetime,
        time_zone: str | None = None,
        station_code: str = "",
        charger_code: str = "",
        category_codes: Iterable[str] = (),
        region: str = "",
        city: str = "",
        site_kind: str = "",
        operator_code: str = "",
        lat: float | None = None,
        lon: float | None = None,
    ) -> tuple[Offer, ...]:
        """Offers that may apply to a session starting at `at` (aware; weekday read in
        `time_zone`, or in `at`'s own zone), in the order they were given."""
        mask = self._station.mask(station_code) & self._charger.mask(charger_code)
        mask &= self._region.mask(region) & self._city.mask(city) & self._kind.mask(site_kind)
        mask &= self._category.mask(*category_codes)
        if operator_code:
            mask &= self._operator.mask(operator_code)
        utc = at.astimezone(dt.UTC)
        mask &= self._always_started | self._started[bisect.bisect_right(self._start_at, utc)]
        ended = bisect.bisect_left(self._end_at, utc)
        mask &= self._never_ends | self._not_ended[len(self._end_at) - ended]
        weekday = (local(at, time_zone) if time_zone else at).weekday()
        mask &= self._weekday[weekday]
        mask &= self._no_geo | self._geo(lat, lon)
        return self._materialise(mask)

    def for_session(self, priced: PricedSession, facts: OfferFacts) -> tuple[Offer, ...]:
        site = priced.request.site
        return self.candidates(
            at=priced.start,
            time_zone=site.time_zone,
            station_code=site.station_code,
            charger_code=site.charger_code,
            category_codes=site.category_codes,
            region=site.region_code,
            city=site.city_code,
            site_kind=site.site_kind,
            operator_code=facts.operator_code,
            lat=facts.station.lat,
            lon=facts.station.lon,
        )

    def _geo(self, lat: float | None, lon: float | None) -> int:
        if lat is None or lon is None:
            return 0
        out = 0
        for bit, boxes in self._boxes:
            if any(b.holds(lat, lon) for b in boxes):
                out |= bit
        return out

    def _materialise(self, mask: int) -> tuple[Offer, ...]:
        found = []
        while mask:
            low = mask & -mask
            found.append(self.offers[low.bit_length() - 1])
            mask ^= low
        return tuple(found)
