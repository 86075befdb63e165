"""Which local hours are surge windows at each station: read from the operator's own
surge rules, not guessed from sessions.

Many surges are not about time at all (a fast-charging premium, a highway fee, a
renewable premium): they apply at every hour and shift nobody's demand. A *surge window*
is an hour in which a surge rule applies that does not apply at every hour of that kind
of day. The real price book prices a small probe session at each hour of the latest
weekday and weekend day of the period, and compares the surge codes on the lines. Cached
per operator against pricing's version stamp, so rule edits show at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.cache import cache

from cpo_portal.models import Charger
from pricing import services as pricing
from pricing.engine.errors import PricingSetupError, QuoteInputError
from pricing.engine.types import Conditions, LineKind
from pricing.models import PricingVersion

PROBE_KWH = Decimal("0.2")
TTL = 3600

Window = tuple[int, bool, int]  # station id, weekend, local hour


def last_day(first: dt.date, last: dt.date, weekend: bool) -> dt.date | None:
    day = last
    while day >= first:
        if (day.weekday() >= 5) == weekend:
            return day
        day -= dt.timedelta(days=1)
    return None


def _codes(charger: Charger, start: dt.datetime) -> frozenset[str]:
    request = pricing.session_request_for(charger, start, kwh=PROBE_KWH)
    priced = pricing.price_book_for(charger).price(request, Conditions())
    return frozenset(ln.code for ln in priced.lines if ln.kind is LineKind.SURGE)


def station_windows(charger: Charger, days: dict[bool, dt.date | None]) -> set[Window]:
    zone = ZoneInfo(charger.station.time_zone)
    out: set[Window] = set()
    for weekend, day in days.items():
        if day is None:
            continue
        try:
            hours = [
                _codes(charger, dt.datetime.combine(day, dt.time(h, 30), tzinfo=zone))
                for h in range(24)
            ]
        except (PricingSetupError, QuoteInputError, LookupError):
            return set()  # no tariff: nothing to say about its surges
        always = frozenset.intersection(*hours)
        out |= {(charger.station_id, weekend, h) for h, c in enumerate(hours) if c - always}
    return out


def surge_windows(operator, first: dt.date, last: dt.date) -> set[Window]:
    days = {False: last_day(first, last, False), True: last_day(first, last, True)}
    stamp = PricingVersion.current(operator.pk)
    key = f"analytics:surge-windows:{operator.pk}:{stamp}:{days[False]}:{days[True]}"
    found = cache.get(key)
    if found is not None:
        return found
    chargers = (
        Charger.objects.filter(operator=operator)
        .select_related("station", "operator")
        .order_by("station_id", "-power_kw", "code")
    )
    seen: set[int] = set()
    out: set[Window] = set()
    for charger in chargers:
        if charger.station_id in seen:
            continue
        seen.add(charger.station_id)
        out |= station_windows(charger, days)
    cache.set(key, out, TTL)
    return out
