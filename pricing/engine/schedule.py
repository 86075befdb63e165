"""Recurring weekly windows as spans of the week: overlap checks and the week-view grid.

Plain Python (no ORM) so validation and the admin's week picture share one reading of a
window, the engine's: [start, end) on each listed day, `end <= start` wraps past midnight
into the next day (the window belongs to the day it starts), `start == end` is all day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DAY = 24 * 3600
WEEK = 7 * DAY
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def seconds(t: dt.time) -> int:
    return (t.hour * 60 + t.minute) * 60 + t.second


def week_spans(start: dt.time, end: dt.time, days: Iterable[int]) -> list[tuple[int, int]]:
    """Half-open [a, b) second-of-week spans, split at the Sunday/Monday seam."""
    s, e = seconds(start), seconds(end)
    length = (e - s) % DAY or DAY
    spans = []
    for day in sorted(set(days)):
        a = day * DAY + s
        b = a + length
        if b <= WEEK:
            spans.append((a, b))
        else:
            spans.extend([(a, WEEK), (0, b - WEEK)])
    return spans


@dataclass(frozen=True)
class LabelledWindow:
    label: str
    start: dt.time
    end: dt.time
    days: tuple[int, ...]


def first_overlap(windows: Sequence[LabelledWindow]) -> str | None:
    """A sentence naming the first two windows that overlap and when, or None."""
    spans = [(w, week_spans(w.start, w.end, w.days)) for w in windows]
    for i, (one, one_spans) in enumerate(spans):
        for other, other_spans in spans[i + 1 :]:
            shared = [
                max(a1, a2)
                for a1, b1 in one_spans
                for a2, b2 in other_spans
                if max(a1, a2) < min(b1, b2)
            ]
            if shared:
                lo = min(shared)
                when = f"{DAY_NAMES[lo // DAY]} {lo % DAY // 3600:02d}:{lo % 3600 // 60:02d}"
                return (
                    f"Bands {one.label!r} and {other.label!r} overlap "
                    f"(both apply on {when}): a time can have only one rate."
                )
    return None


def hour_cover(spans: Sequence[tuple[int, int]]) -> list[list[float]]:
    """7 x 24 fractions: how much of each (day, hour) cell the spans cover."""
    grid = [[0.0] * 24 for _ in range(7)]
    for a, b in spans:
        cell = a // 3600
        while cell * 3600 < b:
            lo, hi = max(a, cell * 3600), min(b, (cell + 1) * 3600)
            day, hour = divmod(cell, 24)
            grid[day][hour] = min(1.0, grid[day][hour] + (hi - lo) / 3600)
            cell += 1
    return grid


def clock(t: dt.time) -> str:
    """6 PM, 6:30 PM, 12 AM: how the DEG page writes times."""
    hour = t.hour % 12 or 12
    suffix = "AM" if t.hour < 12 else "PM"
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"


def days_text(days: Iterable[int]) -> str:
    chosen = sorted(set(days))
    short = [name[:3] for name in DAY_NAMES]
    if len(chosen) == 7:
        return "every day"
    if chosen == [5, 6]:
        return "weekends"
    if chosen == [0, 1, 2, 3, 4]:
        return "weekdays"
    runs: list[list[int]] = []
    for day in chosen:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        short[r[0]] if len(r) == 1 else f"{short[r[0]]}-{short[r[-1]]}" if len(r) > 2
        else f"{short[r[0]]}, {short[r[1]]}"
        for r in runs
    ]  # fmt: skip
    return ", ".join(parts)


def window_text(start: dt.time | None, end: dt.time | None, days: Iterable[int]) -> str:
    """'between 6 PM - 9 PM every day', 'all day weekends'."""
    when = days_text(days)
    if start is None or end is None or start == end:
        return f"all day {when}" if when != "every day" else "all day, every day"
    return f"between {clock(start)} - {clock(end)} {when}"
