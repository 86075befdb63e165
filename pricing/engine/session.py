"""price_session: the reference pricing path.

Plain and direct: every rule's static conditions once, every matching rule's time
conditions for every slice. The compiled PriceBook must give identical results faster;
tests hold it to this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pricing.engine.bands import band_at, band_times
from pricing.engine.lines import priced_lines
from pricing.engine.quantity import resolve_quantity
from pricing.engine.segments import SliceKey, build_segments
from pricing.engine.surges import choose, moment_matches, site_matches, time_matches
from pricing.engine.types import Conditions, PricedSession, SessionRequest, SurgeRule, Tariff
from pricing.engine.well_formed import check_rules, check_tariff
from pricing.engine.windows import split_points, wall, window_times


def price_session(
    request: SessionRequest,
    tariff: Tariff,
    surges: Sequence[SurgeRule],
    conditions: Conditions,
) -> PricedSession:
    """Stage one of a quote: energy, fees and surges, before offers and tax.

    Raises QuoteInputError for a request that cannot be priced and PricingSetupError for a
    malformed tariff or rule set.
    """
    check_tariff(tariff)
    check_rules(surges)
    quantity = resolve_quantity(request, tariff)
    zone = quantity.zone
    matching = [
        index
        for index, rule in enumerate(surges)
        if site_matches(rule, request.site) and moment_matches(rule, request.customer, conditions)
    ]
    times = list(band_times(tariff))
    bounds: list[dt.datetime] = []
    for index in matching:
        rule = surges[index]
        times.extend(window_times(rule.window))
        bounds.extend(b for b in (rule.valid_from, rule.valid_until) if b is not None)
    points = split_points(zone, quantity.start, quantity.end, times, bounds)
    starts = points[:-1]
    keys: list[SliceKey] = []
    for instant in starts:
        local = wall(instant, zone)
        active = [
            index
            for index in matching
            if time_matches(surges[index], instant, local, conditions.holidays)
        ]
        keys.append((local.date(), band_at(tariff, local), choose(active, surges)))
    segments = build_segments(quantity, starts, keys, tariff, surges)
    position = {rule.code: index for index, rule in enumerate(surges)}
    return PricedSession(
        request=request,
        tariff=tariff,
        start=quantity.start,
        end=quantity.end,
        kwh=quantity.kwh,
        segments=segments,
        lines=priced_lines(tariff, request, segments, surges, position),
    )
