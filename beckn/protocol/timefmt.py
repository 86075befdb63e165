"""Timestamps and durations as Beckn peers really send them, and as we always send them.

Inbound we are lenient, because the DEG pages and real BAPs are:

- DEG colon timestamps `2025:09:24:10:00:00`, optionally with fractional seconds and a
  `Z` or `+05:30` / `+0530` offset;
- RFC 3339 / ISO 8601 `2025-09-24T10:00:00Z`, with or without fractional seconds (any
  number of digits; beyond microseconds they are truncated), `T`, `t` or a space between
  date and time.

A timestamp without an offset is read as **UTC**. That is a guess (a DEG page showing
10:00 in Bangalore may mean IST), but it is the only reading that does not depend on who
sent it, and RFC 3339 itself has no offset-less form; peers should send an offset.

Durations: ISO 8601 `PT15S`, `PT10M`, `P1D`, `P1W`, `P1DT2H30M`, `PT0.5S`, and the DEG short
form `15S` / `10M` / `2H` / `1D` (a bare `M` means minutes: a ttl in months is not a
thing), or bare digits meaning seconds. Years and months are refused (calendar-dependent).

Outbound we always send RFC 3339 UTC with milliseconds and `Z`, and ISO 8601 durations.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

_DATE_TIME = re.compile(
    r"^(?P<y>\d{4})(?P<sep>[:-])(?P<mo>\d{2})(?P=sep)(?P<d>\d{2})"
    r"(?P<t>[:Tt ])(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<frac>\d{1,12}))?"
    r"(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?$"
)
_NUMBER = r"\d{1,9}(?:[.,]\d{1,9})?"
_ISO_DURATION = re.compile(
    rf"^P(?:(?P<w>{_NUMBER})W)?(?:(?P<d>{_NUMBER})D)?"
    rf"(?:T(?:(?P<h>{_NUMBER})H)?(?:(?P<m>{_NUMBER})M)?(?:(?P<s>{_NUMBER})S)?)?$",
    re.IGNORECASE,
)
_CALENDAR_DURATION = re.compile(r"^P[^T]*[YM]", re.IGNORECASE)
_SHORT_DURATION = re.compile(rf"^(?P<n>{_NUMBER})(?P<unit>[WDHMS])?$", re.IGNORECASE)

_MICROS = {
    "w": 7 * 86_400_000_000,
    "d": 86_400_000_000,
    "h": 3_600_000_000,
    "m": 60_000_000,
    "s": 1_000_000,
}


def parse_timestamp(value: str) -> datetime:
    """An aware UTC datetime from a DEG or RFC 3339 timestamp; ValueError if neither."""
    match = _DATE_TIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a timestamp: {value!r}")
    if (match["sep"] == ":") != (match["t"] == ":"):
        raise ValueError(f"mixed timestamp separators: {value!r}")
    micro = int((match["frac"] or "0")[:6].ljust(6, "0"))
    stamp = datetime(
        int(match["y"]),
        int(match["mo"]),
        int(match["d"]),
        int(match["h"]),
        int(match["mi"]),
        int(match["s"]),
        micro,
        tzinfo=_offset(match["tz"]),
    )
    return stamp.astimezone(UTC)


def _offset(text: str | None) -> timezone:
    if text is None or text in "Zz":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"bad UTC offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# Speed only: a catalog says its search's time range at every station, so a search wrote
# the same two moments once per station (bench/results/on_search.md, "a search's moments
# written once"). A pure function of the moment, kept per process with nothing to
# invalidate: equal moments are equal keys whatever their zone, and have one text.
@lru_cache(maxsize=256)
def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds: `2025-09-24T04:30:00.000Z`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("refusing to format a naive datetime")
    utc = moment.astimezone(UTC)
    # the year padded by hand: strftime's %Y writes year 1 as "1" on glibc, not RFC 3339
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_duration(value: str) -> timedelta:
    """A timedelta from an ISO 8601 or DEG short duration; ValueError otherwise."""
    text = value.strip() if isinstance(value, str) else ""
    if _CALENDAR_DURATION.match(text):
        raise ValueError(f"years and months are not supported in durations: {value!r}")
    match = _ISO_DURATION.match(text)
    if match and text.upper() not in {"P", "PT"} and not text.upper().endswith("T"):
        parts = {unit: amount for unit, amount in match.groupdict().items() if amount}
    else:
        short = _SHORT_DURATION.match(text)
        if short is None:
            raise ValueError(f"not a duration: {value!r}")
        parts = {(short["unit"] or "s").lower(): short["n"]}
    micros = sum(Decimal(num.replace(",", ".")) * _MICROS[unit] for unit, num in parts.items())
    return timedelta(microseconds=int(micros))


def format_duration(span: timedelta) -> str:
    """ISO 8601: `PT15S`, `P1D`, `P1DT2H30M`, `PT0.5S`; `PT0S` for zero."""
    if span < timedelta(0):
        raise ValueError("durations are never negative")
    days, seconds, micros = span.days, span.seconds, span.microseconds
    hours, rest = divmod(seconds, 3600)
    minutes, whole_seconds = divmod(rest, 60)
    out = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if whole_seconds or micros:
        amount = Decimal(whole_seconds) + Decimal(micros) / Decimal(1_000_000)
        clock += f"{amount.normalize():f}S"
    if clock:
        out += "T" + clock
    return out if out != "P" else "PT0S"
