"""Which energy rate applies at a wall-clock time.

Bands are indexed by position in `tariff.bands`; -1 is the tariff's default rate. When
bands overlap, the first listed wins, so an operator can put exceptions first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pricing.engine.types import Tariff
from pricing.engine.windows import window_owner, window_times

DEFAULT_BAND = -1


def band_at(tariff: Tariff, local: dt.datetime) -> int:
    for index, band in enumerate(tariff.bands):
        if window_owner(band.window, local) is not None:
            return index
    return DEFAULT_BAND


def rate_of(tariff: Tariff, band: int) -> Decimal:
    return tariff.energy_rate_per_kwh if band == DEFAULT_BAND else tariff.bands[band].rate_per_kwh


def band_times(tariff: Tariff) -> tuple[dt.time, ...]:
    return tuple(t for band in tariff.bands for t in window_times(band.window))
