"""Which local hours are surge windows at each station: read from the operator's own
surge rules, not guessed from sessions.

Many surges are not about time at all (a fast-charging premium, a highway fee, a
renewable premium): they apply at every hour and shift nobody's demand. A *surge window*
is an hour in which a surge rule applies that does not apply at every hour of that kind
of day. The real price book prices one probe session over the whole of the latest weekday
and of the latest weekend day of the period, at each station's most powerful charger:
the priced session comes in segments, one per stretch with one set of surges, so the
surges of each hour are those of the segment at half past it. One quote a station and
kind of day; cached per operator against pricing's version stamp, so rule edits show at
once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.cache import cache

from analytics.calc.periods import day_start
from cpo_portal.models import Charger, Stamp
from pricing import services as pricing
from pricing.engine import Conditions, PricingSetupError, QuoteInputError
from pricing.services import Book

PROBE_KWH = Decimal("0.2")  # over a whole day: a trickle, whatever the tariff
TTL = 3600

Window = tuple[int, bool, int]  # station id, weekend, local hour


def last_day(first: dt.date, last: dt.date, weekend: bool) -> dt.date | None:
    day = last
    while day >= first:
        if (day.weekday() >= 5) == weekend:
            return day
        day -= dt.timedelta(days=1)
    return None


def hourly_surges(book: Book, charger: Charger, day: dt.date) -> list[frozenset[str]]:
    """The surge codes that apply at half past each local hour of `day` at `charger`."""
    zone = ZoneInfo(charger.station.time_zone)
    start = day_start(day, charger.station.time_zone)
    end = day_start(day + dt.timedelta(days=1), charger.station.time_zone)
    request = pricing.session_request_for(charger, start, kwh=PROBE_KWH, end=end)
    segments = book.price(request, Conditions()).segments  # in time order
    out: list[frozenset[str]] = []
    i = 0
    for hour in range(24):
        moment = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=zone)
        while i < len(segments) and segments[i].end <= moment:
            i += 1
        inside = i < len(segments) and segments[i].start <= moment
        out.append(frozenset(segments[i].surge_codes) if inside else frozenset())
    return out


def station_windows(
    charger: Charger, days: dict[bool, dt.date | None], book: Book | None
) -> set[Window]:
    """`book`: the charger's compiled price book (None: no tariff, so no windows)."""
    if book is None:
        return set()
    out: set[Window] = set()
    for weekend, day in days.items():
        if day is None:
            continue
        try:
            hours = hourly_surges(book, charger, day)
        except (PricingSetupError, QuoteInputError, LookupError):
            return set()  # a tariff that cannot price: nothing to say about its surges
        always = frozenset.intersection(*hours)
        out |= {(charger.station_id, weekend, h) for h, c in enumerate(hours) if c - always}
    return out


def surge_windows(operator, first: dt.date, last: dt.date) -> set[Window]:
    days = {False: last_day(first, last, False), True: last_day(first, last, True)}
    stamp = Stamp.current(Stamp.Kind.PRICING, operator.pk)
    key = f"analytics:surge-windows:{operator.pk}:{stamp}:{days[False]}:{days[True]}"
    found = cache.get(key)
    if found is not None:
        return found
    chargers = (
        Charger.objects.filter(operator=operator)
        .select_related("station", "operator")
        .order_by("station_id", "-power_kw", "code")
    )
    probes: dict[int, Charger] = {}  # one charger a station: the most powerful
    for charger in chargers:
        probes.setdefault(charger.station_id, charger)
    books = pricing.price_books_for(probes.values())  # one stamp read, one query
    out: set[Window] = set()
    for charger in probes.values():
        out |= station_windows(charger, days, books[charger.pk])
    cache.set(key, out, TTL)
    return out
