"""Turn priced slices of a session into Segments.

The compiled book cuts the session into slices at every instant where a price *might*
change and prices each slice by its first instant. Neighbouring slices that turned out to
price the same on the same local day are merged, so the Segments depend only on where the
price really changes (plus local midnight), not on how finely the session was cut.

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

POSITION = Decimal("1e-12")  # cumulative kWh are fixed to this


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
            code_of(tariff, band),
            rate_of(tariff, band),
            tuple([rules[r].code for r in applied]),
        )
        for i, (start, (_day, band, applied)) in enumerate(zip(run_starts, run_keys, strict=True))
    )
