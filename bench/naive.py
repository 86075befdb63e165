"""The naive baseline for the benchmark: every rule, every condition, every slice.

No pre-filtering at all: the session is cut at every window edge of every rule, and each
slice checks each rule's static and time conditions afresh. It must price exactly like
the other paths (the benchmark counts mismatches); it only shows what compiling buys.
"""

from __future__ import annotations

from collections.abc import Sequence

from pricing.engine.bands import band_at, band_times
from pricing.engine.lines import priced_lines
from pricing.engine.quantity import micros, resolve_quantity
from pricing.engine.segments import SliceKey, segments_of_runs
from pricing.engine.surges import choose, moment_matches, site_matches, time_matches
from pricing.engine.types import Conditions, PricedSession, SessionRequest, SurgeRule, Tariff
from pricing.engine.windows import split_points, wall, window_times


def price_naively(
    request: SessionRequest, tariff: Tariff, surges: Sequence[SurgeRule], conditions: Conditions
) -> PricedSession:
    quantity = resolve_quantity(request, tariff)
    times = [*band_times(tariff), *(t for rule in surges for t in window_times(rule.window))]
    bounds = [b for rule in surges for b in (rule.valid_from, rule.valid_until) if b is not None]
    starts = split_points(quantity.zone, quantity.start, quantity.end, times, bounds)[:-1]
    keys: list[SliceKey] = []
    for instant in starts:
        local = wall(instant, quantity.zone)
        active = [
            index
            for index, rule in enumerate(surges)
            if site_matches(rule, request.site)
            and moment_matches(rule, request.customer, conditions)
            and time_matches(rule, instant, local, conditions.holidays)
        ]
        keys.append((local.date(), band_at(tariff, local), choose(active, surges)))
    runs = [i for i, key in enumerate(keys) if i == 0 or key != keys[i - 1]]  # merged
    run_starts = [starts[i] for i in runs]
    offsets = [micros(start - quantity.start) for start in run_starts]
    run_keys = [keys[i] for i in runs]
    segments = segments_of_runs(quantity, run_starts, offsets, run_keys, tariff, surges)
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
