"""Local wall-clock reading of recurring windows (pricing.engine.types.TimeWindow)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from pricing.engine import TimeWindow

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(at: dt.datetime, time_zone: str) -> dt.datetime:
    return at.astimezone(zone(time_zone))


def in_window(window: TimeWindow, at_local: dt.datetime) -> bool:
    """Whether a local instant falls in the window; a wrapping window belongs to the day
    it starts, so Friday 22:00-06:00 covers Saturday 01:00."""
    t, day = at_local.time().replace(tzinfo=None), at_local.weekday()
    if window.start == window.end:
        return day in window.days
    if window.start < window.end:
        return day in window.days and window.start <= t < window.end
    if t >= window.start:
        return day in window.days
    return t < window.end and (day - 1) % 7 in window.days


def overlap(window: TimeWindow, start: dt.datetime, end: dt.datetime, tz: str) -> dt.timedelta:
    """How much of [start, end) lies inside the recurring window, in the zone `tz`.

    Instants are compared in UTC: two datetimes sharing one ZoneInfo compare by wall
    clock, which is wrong across a DST change."""
    if end <= start:
        return dt.timedelta(0)
    zi, utc = zone(tz), dt.UTC
    start, end = start.astimezone(utc), end.astimezone(utc)
    first, last = start.astimezone(zi).date() - ONE_DAY, end.astimezone(zi).date()
    total = dt.timedelta(0)
    day = first
    while day <= last:
        if day.weekday() in window.days:
            w_start = dt.datetime.combine(day, window.start, zi).astimezone(utc)
            w_day = day if window.start < window.end else day + ONE_DAY
            w_end = dt.datetime.combine(w_day, window.end, zi).astimezone(utc)
            lo, hi = max(start, w_start), min(end, w_end)
            if hi > lo:
                total += hi - lo
        day += ONE_DAY
    return total
