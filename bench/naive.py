"""The naive baseline for the benchmark: every rule, every condition, every slice.

No pre-filtering at all: the session is cut at every window edge of every rule, and each
slice checks each rule's static and time conditions afresh. It must price exactly like
the other paths (the benchmark counts mismatches); it only shows what compiling buys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from pricing.engine.bands import DEFAULT_BAND, band_at, band_times, rate_of
from pricing.engine.lines import priced_lines
from pricing.engine.quantity import Quantity, micros, resolve_quantity
from pricing.engine.segments import POSITION, SliceKey
from pricing.engine.surges import choose, moment_matches, site_matches, time_matches
from pricing.engine.types import (
    Conditions,
    PricedSession,
    Segment,
    SessionRequest,
    SurgeRule,
    Tariff,
)
from pricing.engine.well_formed import BASE_CODE
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


def segments_of_runs(
    quantity: Quantity,
    run_starts: Sequence[dt.datetime],
    offsets: Sequence[int],
    run_keys: Sequence[SliceKey],
    tariff: Tariff,
    rules: Sequence[SurgeRule],
) -> tuple[Segment, ...]:
    """Segments of merged runs: each run's start, as an instant and in microseconds from
    the session's start, and its key (neighbouring runs have different keys)."""
    total_us = micros(quantity.end - quantity.start)
    kwh = quantity.kwh
    positions = [Decimal(0)]
    positions.extend((kwh * us / total_us).quantize(POSITION) for us in offsets[1:])
    positions.append(kwh)
    ends = [*run_starts[1:], quantity.end]
    return tuple(
        Segment(
            start,
            ends[i],
            positions[i + 1] - positions[i],
            BASE_CODE if band == DEFAULT_BAND else tariff.bands[band].code,
            rate_of(tariff, band),
            tuple([rules[r].code for r in applied]),
        )
        for i, (start, (_day, band, applied)) in enumerate(zip(run_starts, run_keys, strict=True))
    )
