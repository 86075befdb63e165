"""Bitmasks of offers (bit i is the i-th offer of the index), one builder per kind of
condition: a set of values (pricing.engine.ValueMask, shared with the surge rules), a
sorted bound, a local weekday and hour.

Each builder answers with the offers that may still apply, so a session's candidates are a
few dict lookups, bisects and integer ANDs, whatever the number of offers.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from pricing.engine import WHOLE_DAY, WITHIN, TimeWindow, Window, compile_window

HOUR_US = 3_600_000_000
ALL_WEEK_HOURS = 7 * 24


def bits(indices: Iterable[int]) -> int:
    out = 0
    for i in indices:
        out |= 1 << i
    return out


class BoundMask:
    """Offers whose bound admits x: `bound <= x` for lower bounds (valid_from, minimum
    session value, minimum kWh), `bound >= x` for upper bounds (valid_until, maximum kWh).
    Bounds are sorted once; a query is one bisect and a prefix or suffix mask. Offers
    without a bound always pass."""

    __slots__ = ("_bounds", "_free", "_lower", "_masks")

    def __init__(self, bounds: Sequence[Any | None], *, lower: bool) -> None:
        ordered = sorted((b, i) for i, b in enumerate(bounds) if b is not None)
        self._lower = lower
        self._bounds = [b for b, _ in ordered]
        self._free = bits(i for i, b in enumerate(bounds) if b is None)
        masks = [0]
        for _, i in ordered if lower else reversed(ordered):
            masks.append(masks[-1] | 1 << i)
        self._masks = masks

    def mask(self, x: Any) -> int:
        if self._lower:  # bounds[:k] are <= x
            return self._free | self._masks[bisect_right(self._bounds, x)]
        # bounds[k:] are >= x; masks count from the largest bound down
        return self._free | self._masks[len(self._bounds) - bisect_left(self._bounds, x)]

    @property
    def free(self) -> int:
        return self._free


def _may_meet(window: Window, weekday: int, hour: int) -> bool:
    """Whether some wall time in [hour:00, hour+1:00) on `weekday` is inside the window
    (as localtime.in_window reads it: a wrapping window belongs to the day it starts)."""
    start, end, days, shape = window
    lo, hi = hour * HOUR_US, (hour + 1) * HOUR_US
    today, yesterday = days >> weekday & 1, days >> (weekday + 6) % 7 & 1
    if shape == WHOLE_DAY:
        return bool(today)
    if shape == WITHIN:
        return bool(today) and start < hi and end > lo
    return bool(today and start < hi) or bool(yesterday and end > lo)


@lru_cache(maxsize=1024)
def week_hours(windows: tuple[TimeWindow, ...]) -> int:
    """Bit (weekday * 24 + hour) set for every local hour some window may be open in;
    no windows at all means every hour."""
    if not windows:
        return (1 << ALL_WEEK_HOURS) - 1
    compiled = [compile_window(w) for w in windows]
    out = 0
    for weekday in range(7):
        for hour in range(24):
            if any(_may_meet(w, weekday, hour) for w in compiled):
                out |= 1 << (weekday * 24 + hour)
    return out


def week_hour_masks(windows: Sequence[tuple[TimeWindow, ...]]) -> list[int]:
    """Per local (weekday * 24 + hour): the offers with no windows or a window that may be
    open some time in that hour. The minutes are checked when the offer is evaluated."""
    groups: dict[int, list[int]] = {}
    for i, ws in enumerate(windows):
        groups.setdefault(week_hours(ws), []).append(i)
    masks = [0] * ALL_WEEK_HOURS
    for hours, members in groups.items():
        group = bits(members)
        for slot in range(ALL_WEEK_HOURS):
            if hours >> slot & 1:
                masks[slot] |= group
    return masks
