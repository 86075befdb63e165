"""Turn priced slices of a session into Segments.

Both pricing paths cut the session into slices at every instant where a price *might*
change and price each slice by its first instant. Neighbouring slices that turned out to
price the same on the same local day are merged, so the Segments depend only on where the
price really changes (plus local midnight), not on how finely a path happened to cut.

Energy follows elapsed time at constant power. Each boundary's cumulative energy is fixed
to 1e-12 kWh and segments take the differences, so segment kWh add up to the session's
kWh exactly and a band's kWh do not depend on how many segments it was cut into.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from pricing.engine.bands import code_of, rate_of
from pricing.engine.quantity import Quantity, micros
from pricing.engine.types import Segment, SurgeRule, Tariff

# (local date, band index, applied surge rule indices): everything a slice's price depends on
SliceKey = tuple[dt.date, int, tuple[int, ...]]

_POSITION = Decimal("1e-12")


def build_segments(
    quantity: Quantity,
    starts: Sequence[dt.datetime],
    keys: Sequence[SliceKey],
    tariff: Tariff,
    rules: Sequence[SurgeRule],
) -> tuple[Segment, ...]:
    run_starts: list[dt.datetime] = []
    run_keys: list[SliceKey] = []
    for start, key in zip(starts, keys, strict=True):
        if not run_keys or key != run_keys[-1]:
            run_starts.append(start)
            run_keys.append(key)
    total_us = micros(quantity.end - quantity.start)
    positions = [
        (quantity.kwh * micros(start - quantity.start) / total_us).quantize(_POSITION)
        for start in run_starts
    ]
    positions[0] = Decimal(0)
    positions.append(quantity.kwh)
    ends = [*run_starts[1:], quantity.end]
    return tuple(
        Segment(
            start=start,
            end=end,
            kwh=positions[i + 1] - positions[i],
            band_code=code_of(tariff, band),
            rate_per_kwh=rate_of(tariff, band),
            surge_codes=tuple(rules[r].code for r in applied),
        )
        for i, (start, end, (_day, band, applied)) in enumerate(
            zip(run_starts, ends, run_keys, strict=True)
        )
    )
