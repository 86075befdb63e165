"""Cutting a date range into whole months, whole blocks and single days.

A block is a fixed slice of a month: days 1-7, 8-14, 15-21, 22-28 and 29 to the month's
end. Blocks nest in months, so the pre-aggregates of a range are its whole months, then
the whole blocks left at its edges, then at most six days at each end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

BLOCK_STARTS = (1, 8, 15, 22, 29)
ONE_DAY = dt.timedelta(days=1)


def day_start(day: dt.date, time_zone: str) -> dt.datetime:
    """The local midnight that starts `day` in the time zone."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(time_zone))


def month_end(day: dt.date) -> dt.date:
    first_of_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_of_next - ONE_DAY


def block_start(day: dt.date) -> dt.date:
    return day.replace(day=max(s for s in BLOCK_STARTS if s <= day.day))


def block_end(start: dt.date) -> dt.date:
    return month_end(start) if start.day == BLOCK_STARTS[-1] else start + dt.timedelta(days=6)


@dataclass(slots=True)
class Split:
    months: list[dt.date] = field(default_factory=list)  # first days
    blocks: list[dt.date] = field(default_factory=list)  # first days
    days: list[dt.date] = field(default_factory=list)


def split(first: dt.date, last: dt.date) -> Split:
    """The whole months, whole blocks and remaining days that make up [first, last]."""
    out = Split()
    day = first
    while day <= last:
        if day.day == 1 and month_end(day) <= last:
            out.months.append(day)
            day = month_end(day) + ONE_DAY
        elif day.day in BLOCK_STARTS and block_end(day) <= last:
            out.blocks.append(day)
            day = block_end(day) + ONE_DAY
        else:
            out.days.append(day)
            day += ONE_DAY
    return out


def covering(first: dt.date, last: dt.date) -> Split:
    """The months and blocks that overlap [first, last] (what a rebuild must refresh)."""
    out = Split()
    day = block_start(first)
    while day <= last:
        out.blocks.append(day)
        day = block_end(day) + ONE_DAY
    day = first.replace(day=1)
    while day <= last:
        out.months.append(day)
        day = month_end(day) + ONE_DAY
    return out
