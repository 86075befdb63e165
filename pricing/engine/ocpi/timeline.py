"""Cut a session into pieces inside which no TariffRestrictions can change its answer.

OCPI (CDR module, ChargingPeriod) requires a new charging period wherever another tariff
element becomes active. The candidates are: every start_time / end_time of any element and
local midnight (day_of_week, start_date, end_date) in the Location's time zone, every
min/max_duration (seconds since the session began) and every min/max_kwh (energy so far).
Power and current are constant inside a ChargingPeriod, so they never cut one.

Offsets are exact Decimal seconds from the phase's origin. Energy at a cut is interpolated
linearly; at a kWh threshold it is the threshold itself, so piece energies add up exactly.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from pricing.engine.ocpi.objects import TariffElement, TariffRestrictions
from pricing.engine.ocpi.session import ChargingPeriod, OcpiSessionError, seconds_of

MIDNIGHT = dt.time(0, 0)


@dataclass(frozen=True, slots=True)
class Piece:
    start: Decimal  # seconds since the phase origin
    end: Decimal
    kwh_before: Decimal  # energy delivered before this piece, in this phase
    kwh: Decimal
    power_kw: Decimal
    current_a: Decimal | None
    parking: bool

    @property
    def seconds(self) -> Decimal:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Moment:
    """The state a restriction is checked against: a piece's midpoint, away from any cut."""

    local: dt.datetime
    elapsed: Decimal
    kwh: Decimal
    power_kw: Decimal
    current_a: Decimal | None


def split(
    origin: dt.datetime,
    periods: Sequence[ChargingPeriod],
    tz: ZoneInfo,
    elements: Iterable[TariffElement],
) -> tuple[Piece, ...]:
    restrictions = [e.restrictions for e in elements if e.restrictions is not None]
    total = sum((p.seconds for p in periods), Decimal(0))
    times = sorted(set(_clock_offsets(origin, total, tz, restrictions)) | _durations(restrictions))
    marks = sorted(_kwh_marks(restrictions))
    pieces: list[Piece] = []
    t0, e0 = Decimal(0), Decimal(0)
    for period in periods:
        t1, e1 = t0 + period.seconds, e0 + period.kwh
        points = {t0: e0, t1: e1}
        for t in times:
            if t0 < t < t1:
                points.setdefault(t, _on_grid(e0 + period.kwh * (t - t0) / period.seconds, KWH))
        for k in marks:
            if e0 < k < e1:
                points[_on_grid(t0 + (k - e0) * period.seconds / period.kwh, SECONDS)] = k
        previous = e0
        ordered = sorted(points.items())
        for (a, ea), (b, eb) in itertools.pairwise(ordered):
            eb = min(max(eb, previous), e1)  # guard monotonicity against last-digit rounding
            ea = previous
            pieces.append(Piece(a, b, ea, eb - ea, period.power, period.current, period.parking))
            previous = eb
        t0, e0 = t1, e1
    return tuple(pieces)


# Interpolated points sit on a fixed grid, far finer than any meter, so that the pieces'
# energies add up exactly (28-digit Decimal arithmetic would otherwise round the last digit
# of a sum of interpolated values).
KWH = Decimal("1e-12")
SECONDS = Decimal("1e-9")


def _on_grid(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step)


def moment(origin: dt.datetime, piece: Piece, tz: ZoneInfo) -> Moment:
    middle = (piece.start + piece.end) / 2
    return Moment(
        local=(origin.astimezone(dt.UTC) + to_timedelta(middle)).astimezone(tz),
        elapsed=middle,
        kwh=piece.kwh_before + piece.kwh / 2,
        power_kw=piece.power_kw,
        current_a=piece.current_a,
    )


def holds(r: TariffRestrictions | None, at: Moment) -> bool:
    """True when every restriction that is set matches (reservation is decided by the caller).

    Lower bounds are inclusive and upper bounds exclusive, as the spec states for durations
    and dates; the same convention is used for kWh, power and current.
    """
    if r is None:
        return True
    if not _time_matches(r.start_time, r.end_time, at.local.time()):
        return False
    day = at.local.date()
    if (r.start_date and day < r.start_date) or (r.end_date and day >= r.end_date):
        return False
    if r.day_of_week and at.local.weekday() not in {d.weekday for d in r.day_of_week}:
        return False
    checks = (
        (r.min_kwh, r.max_kwh, at.kwh),
        (r.min_power, r.max_power, at.power_kw),
        (r.min_duration, r.max_duration, at.elapsed),
    )
    if not all(_within(low, high, value) for low, high, value in checks):
        return False
    if r.min_current is None and r.max_current is None:
        return True
    if at.current_a is None:
        raise OcpiSessionError("the tariff restricts on current: give ChargingPeriod.current_a")
    return _within(r.min_current, r.max_current, at.current_a)


def _within(low: Decimal | int | None, high: Decimal | int | None, value: Decimal) -> bool:
    return (low is None or value >= low) and (high is None or value < high)


def _time_matches(start: dt.time | None, end: dt.time | None, now: dt.time) -> bool:
    """[start, end) in local time; end before start wraps past midnight; start == end is all day."""
    if start is None:
        return end is None or now < end
    if end is None:
        return now >= start
    if start < end:
        return start <= now < end
    return now >= start or now < end


def _clock_offsets(
    origin: dt.datetime, total: Decimal, tz: ZoneInfo, restrictions: list[TariffRestrictions]
) -> Iterable[Decimal]:
    clock = {MIDNIGHT}
    for r in restrictions:
        clock.update(t for t in (r.start_time, r.end_time) if t is not None)
    origin_utc = origin.astimezone(dt.UTC)
    day = origin_utc.astimezone(tz).date()
    last = (origin_utc + to_timedelta(total)).astimezone(tz).date()
    while day <= last:
        for c in clock:
            at = dt.datetime.combine(day, c, tzinfo=tz).astimezone(dt.UTC)
            offset = seconds_of(at - origin_utc)
            if 0 < offset < total:
                yield offset
        day += dt.timedelta(days=1)


def _durations(restrictions: list[TariffRestrictions]) -> set[Decimal]:
    values = (d for r in restrictions for d in (r.min_duration, r.max_duration))
    return {Decimal(d) for d in values if d is not None}


def _kwh_marks(restrictions: list[TariffRestrictions]) -> set[Decimal]:
    values = (k for r in restrictions for k in (r.min_kwh, r.max_kwh))
    return {k for k in values if k is not None}


def to_timedelta(seconds: Decimal) -> dt.timedelta:
    micro = (seconds * 1_000_000).to_integral_value(rounding=ROUND_FLOOR)
    return dt.timedelta(microseconds=int(micro))
