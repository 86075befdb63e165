"""Our time-of-day RateBand windows <-> OCPI start_time / end_time / day_of_week restrictions.

The two models read a window past midnight differently. Ours (TimeWindow) belongs to the day
it starts: 22:00-06:00 on Monday runs Monday 22:00 to Tuesday 06:00. OCPI checks every
restriction at each moment, so 22:00-06:00 with day_of_week MONDAY means Monday 00:00-06:00
and Monday 22:00-24:00. Unless the window covers every day, a wrapping band therefore
becomes two elements, [start, 24:00) on its days and [00:00, end) on the days after.

OCPI has no place for a band's code and label. They travel in tariff_alt_text as one
DisplayText per band, "CODE: label (18:00-21:00 Mon Tue)" (names and hours, no prices, as
the spec asks of alt text next to elements; OCPI strings hold no line breaks), so that
to_ocpi -> from_ocpi gives the same bands back. Texts of several lines, as other parties
may send, are read line by line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from pricing.engine.ocpi.objects import DayOfWeek, DisplayText, TariffRestrictions
from pricing.engine.types import ALL_DAYS, RateBand, TimeWindow

MIDNIGHT = dt.time(0, 0)
HEADER = "Time-of-day energy rates (local time):"
NAME_RE = re.compile(r"^(?P<code>[^:\s][^:]*): (?P<label>.*) \((?P<when>[^()]*)\)$")
TAX_RE = re.compile(r"^Prices exclude (?P<tax>.+)\.$")
TEXT_LIMIT = 512  # DisplayText.text is string(512)


def restrictions_for(window: TimeWindow) -> list[dict[str, Any]]:
    """OCPI restriction objects (JSON) that together cover exactly `window`."""
    s, e, days = window.start, window.end, window.days
    if e < s and e != MIDNIGHT and days != ALL_DAYS:
        return [_restriction(s, MIDNIGHT, days), _restriction(MIDNIGHT, e, _next(days))]
    return [_restriction(s, e, days)]


def windows_for(r: TariffRestrictions) -> list[TimeWindow]:
    """Our windows for an element restricted only by start_time / end_time / day_of_week."""
    days = frozenset(d.weekday for d in r.day_of_week) or ALL_DAYS
    s, e = r.start_time or MIDNIGHT, r.end_time or MIDNIGHT
    if e < s and e != MIDNIGHT and days != ALL_DAYS:
        return [TimeWindow(s, MIDNIGHT, days), TimeWindow(MIDNIGHT, e, days)]
    return [TimeWindow(s, e, days)]


def merge_wrapped(windows: list[tuple[TimeWindow, Any]]) -> list[tuple[TimeWindow, Any]]:
    """Join [s, 24:00) on D and [00:00, e) on D+1 at the same price into one s-e window on D."""
    out: list[tuple[TimeWindow, Any]] = []
    for window, price in windows:
        joined = _joined(out[-1], (window, price)) if out else None
        if joined is not None:
            out[-1] = joined
        else:
            out.append((window, price))
    return out


def named_bands(
    windows: list[tuple[TimeWindow, Any]], names: list[tuple[str, str, str]]
) -> tuple[list[tuple[TimeWindow, Any]], list[tuple[str, str]]]:
    """The elements' windows as bands, and each band's (code, label).

    Where the alt text names every band with its hours (our own export), a band past
    midnight split in two is joined again exactly where its hours say so: a band ending at
    24:00 and the next one starting at 00:00 stay two. Otherwise the windows are joined
    wherever [s, 24:00) on D and [00:00, e) on D+1 meet at one price, and named by the alt
    text when it names as many, else BAND1, BAND2, ... with their hours."""
    described = _joined_as_described(windows, [when for _, _, when in names])
    if described is not None:
        return described, [(code, label) for code, label, _ in names]
    merged = merge_wrapped(windows)
    if len(names) != len(windows) or len(windows) == len(merged):
        windows = merged
    if len(names) != len(windows):
        return windows, [(f"BAND{n}", describe(w)) for n, (w, _) in enumerate(windows, start=1)]
    return windows, [(code, label) for code, label, _ in names]


def _joined_as_described(
    windows: list[tuple[TimeWindow, Any]], hours: list[str]
) -> list[tuple[TimeWindow, Any]] | None:
    out: list[tuple[TimeWindow, Any]] = []
    at = 0
    for when in hours:
        joined = _joined(windows[at], windows[at + 1]) if at + 1 < len(windows) else None
        if joined is not None and describe(joined[0]) == when:
            out.append(joined)
            at += 2
        elif at < len(windows) and describe(windows[at][0]) == when:
            out.append(windows[at])
            at += 1
        else:
            return None
    return out if out and at == len(windows) else None


def _joined(
    first: tuple[TimeWindow, Any], then: tuple[TimeWindow, Any]
) -> tuple[TimeWindow, Any] | None:
    """[s, 24:00) on D and [00:00, e) on D+1 at one price as one s-e window on D."""
    (prev, prev_price), (window, price) = first, then
    if (
        prev_price == price
        and prev.end == MIDNIGHT < prev.start
        and window.start == MIDNIGHT < window.end < prev.start
        and window.days == _next(prev.days)
    ):
        return TimeWindow(prev.start, window.end, prev.days), price
    return None


def alt_texts(bands: Iterable[RateBand], tax_name: str) -> list[DisplayText]:
    lines = [HEADER, *(f"{b.code}: {b.label} ({describe(b.window)})" for b in bands)]
    if len(lines) == 1:
        lines = []
    lines.append(f"Prices exclude {tax_name}.")
    return [DisplayText("en", line[:TEXT_LIMIT]) for line in lines]


def read_alt_texts(
    texts: Iterable[DisplayText],
) -> tuple[list[tuple[str, str, str]], str | None]:
    """Band (code, label, hours) in order, and the tax name, from English alt texts."""
    names: list[tuple[str, str, str]] = []
    tax: str | None = None
    for text in texts:
        if text.language.lower() != "en":
            continue
        for line in text.text.splitlines():
            if m := NAME_RE.match(line):
                names.append((m["code"], m["label"], m["when"]))
            elif m := TAX_RE.match(line):
                tax = m["tax"]
    return names, tax


def describe(window: TimeWindow) -> str:
    days = (
        "every day"
        if window.days == ALL_DAYS
        else " ".join(DayOfWeek.of(d).value[:3].title() for d in sorted(window.days))
    )
    return f"{window.start:%H:%M}-{window.end:%H:%M} {days}"


def _restriction(s: dt.time, e: dt.time, days: frozenset[int]) -> dict[str, Any]:
    out: dict[str, Any] = {"start_time": f"{s:%H:%M}", "end_time": f"{e:%H:%M}"}
    if days != ALL_DAYS:
        out["day_of_week"] = [DayOfWeek.of(d).value for d in sorted(days)]
    return out


def _next(days: frozenset[int]) -> frozenset[int]:
    return frozenset((d + 1) % 7 for d in days)
