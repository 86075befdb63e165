"""Local wall-clock window math.

Rate bands and surge windows are written in the station's wall-clock time. A window is
active at an instant when the *wall clock* at that instant reads a time inside it:

- spring forward: wall times in the gap never occur, so a window edge inside the gap takes
  effect at the transition instant (the clock jumps past it);
- fall back: the repeated hour is read twice, so a window edge inside it is crossed twice.

All instants handled here are aware UTC datetimes: subtracting two aware datetimes that
share a ZoneInfo gives wall-clock, not elapsed, time, which is wrong across DST.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pricing.engine.refusals import QuoteInputError
from pricing.engine.types import TimeWindow

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)
MIDNIGHT = dt.time(0)
_MICRO = dt.timedelta(microseconds=1)
_SAMPLE = dt.timedelta(hours=6)  # offsets never change twice within six hours


@lru_cache(maxsize=256)
def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise QuoteInputError(f"unknown time zone {name!r}") from exc


def wall(instant: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive local wall-clock reading at `instant`."""
    return instant.astimezone(zone).replace(tzinfo=None)


def time_us(t: dt.time) -> int:
    """Microseconds since midnight: integer comparisons for the compiled path."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def instants_at(zone: ZoneInfo, local: dt.datetime) -> tuple[dt.datetime, ...]:
    """Every instant at which the wall clock reads `local`: none in a gap, two in an overlap."""
    found: list[dt.datetime] = []
    for fold in (0, 1):
        instant = local.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if wall(instant, zone) == local and instant not in found:
            found.append(instant)
    return tuple(sorted(found))


def station_instant(zone: ZoneInfo, local: dt.datetime) -> dt.datetime:
    """The one instant at which the station's wall clock reads `local` (naive), in UTC.

    A time the clocks skip (spring forward) or read twice (fall back) is refused with a
    sentence for the person who typed it, rather than priced at another hour."""
    hits = instants_at(zone, local)
    shown = f"{local:%Y-%m-%d %H:%M}"
    if not hits:
        raise QuoteInputError(
            f"{shown} does not occur at this station ({zone.key}): the clocks go forward "
            "past it. Give another time."
        )
    if len(hits) > 1:
        typed = f"{local:%Y-%m-%dT%H:%M}"
        first, second = (h.astimezone(zone).strftime("%z") for h in hits)
        first, second = (f"{o[:3]}:{o[3:]}" for o in (first, second))
        raise QuoteInputError(
            f"{shown} occurs twice at this station ({zone.key}): the clocks go back. "
            f"Add the UTC offset: {typed}{first} (the first) or {typed}{second} (the second)."
        )
    return hits[0]


def _first_new_offset(zone: ZoneInfo, lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
    """Bisect for the first instant in (lo, hi] whose UTC offset differs from lo's."""
    old = lo.astimezone(zone).utcoffset()
    while hi - lo > _MICRO:
        mid = lo + (hi - lo) // 2
        if mid.astimezone(zone).utcoffset() == old:
            lo = mid
        else:
            hi = mid
    return hi


def offset_changes(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Instants in (start, end) where the zone's UTC offset changes (the wall clock jumps)."""
    changes: list[dt.datetime] = []
    a = start
    offset_a = a.astimezone(zone).utcoffset()
    while a < end:
        b = min(a + _SAMPLE, end)
        offset_b = b.astimezone(zone).utcoffset()
        if offset_b != offset_a:
            change = _first_new_offset(zone, a, b)
            if start < change < end:
                changes.append(change)
        a, offset_a = b, offset_b
    return changes


def first_at_or_after(zone: ZoneInfo, local: dt.datetime) -> dt.datetime:
    """The first instant at which the wall clock reads `local` or has jumped past it."""
    hits = instants_at(zone, local)
    if hits:
        return hits[0]
    a = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    b = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _first_new_offset(zone, min(a, b), max(a, b))


@lru_cache(maxsize=8192)
def day_span(zone: ZoneInfo, day: dt.date) -> tuple[dt.datetime, dt.datetime, dt.timedelta | None]:
    """(first instant of the local day, first instant of the next, its UTC offset if the
    wall clock runs steadily from 00:00 through the whole day, else None).

    Cached: a station quotes the same few days over and over.
    """
    start = first_at_or_after(zone, dt.datetime.combine(day, MIDNIGHT))
    end = first_at_or_after(zone, dt.datetime.combine(day + ONE_DAY, MIDNIGHT))
    offset = start.astimezone(zone).utcoffset()
    steady = (
        wall(start, zone).time() == MIDNIGHT  # not so where midnight falls in a DST gap
        and end.astimezone(zone).utcoffset() == offset
        and not offset_changes(zone, start, end)
    )
    return start, end, offset if steady else None


def split_points(
    zone: ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
    times: Iterable[dt.time],
    instants: Iterable[dt.datetime] = (),
) -> list[dt.datetime]:
    """start, end and every instant between where the wall clock reads one of `times`,
    reads midnight, or jumps (DST), plus the given absolute `instants`: sorted, unique."""
    points = {start, end}
    wanted = set(times) | {MIDNIGHT}
    first, last = wall(start, zone).date(), wall(end, zone).date()
    for day in (first + dt.timedelta(days=i) for i in range((last - first).days + 1)):
        for t in wanted:
            hits = instants_at(zone, dt.datetime.combine(day, t))
            points.update(u for u in hits if start < u < end)
    points.update(offset_changes(zone, start, end))
    points.update(i.astimezone(UTC) for i in instants if start < i < end)
    return sorted(points)


def window_owner(window: TimeWindow, local: dt.datetime) -> dt.date | None:
    """The local day whose occurrence of `window` covers wall time `local`, or None.

    A wrapping window (22:00-06:00) belongs to the day it starts, so 03:00 on Sunday is
    Saturday's night window: its day-of-week and holiday checks use Saturday.
    """
    day, t = local.date(), local.time()
    start, end = window.start, window.end
    owner: dt.date | None
    if start < end:
        owner = day if start <= t < end else None
    elif start == end or t >= start:
        owner = day
    else:
        owner = day - ONE_DAY if t < end else None
    if owner is None or owner.weekday() not in window.days:
        return None
    return owner


def window_times(window: TimeWindow | None) -> tuple[dt.time, ...]:
    """The wall times at which `window` can switch on or off."""
    return () if window is None else (window.start, window.end)
