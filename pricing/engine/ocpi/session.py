"""What the OCPI calculator prices: a session as metered stretches of constant power.

A CPO knows a session as charging periods (OCPI CDR `charging_periods`): stretches with a
known energy and power, then time parked without charging. Within one ChargingPeriod energy
grows linearly, which is what lets the calculator split it exactly where a tariff element
starts or stops applying (a clock time, a kWh threshold, a session duration).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pricing.engine.amounts import ZERO


class OcpiSessionError(ValueError):
    """The session cannot be priced as given (naive datetime, negative energy, ...)."""


@dataclass(frozen=True, slots=True)
class ChargingPeriod:
    """One stretch of the session. `power_kw` defaults to the average, kwh / hours.

    `parking` marks time connected but not charging (OCPI PARKING_TIME); it carries no energy.
    `current_a` (sum over phases) is only needed when the tariff restricts on current.
    """

    duration: dt.timedelta
    kwh: Decimal = ZERO
    power_kw: Decimal | None = None
    current_a: Decimal | None = None
    parking: bool = False

    @property
    def seconds(self) -> Decimal:
        return seconds_of(self.duration)

    @property
    def power(self) -> Decimal:
        if self.parking:
            return ZERO
        if self.power_kw is not None:
            return self.power_kw
        return self.kwh * 3600 / self.seconds

    @property
    def current(self) -> Decimal | None:
        return ZERO if self.parking else self.current_a


@dataclass(frozen=True, slots=True)
class Reservation:
    """A reservation that ended when charging started, or `expired` with no session at all."""

    duration: dt.timedelta
    expired: bool = False


@dataclass(frozen=True, slots=True)
class OcpiSession:
    """`start` is when the charging session began (after any reservation)."""

    start: dt.datetime
    periods: tuple[ChargingPeriod, ...]
    reservation: Reservation | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise OcpiSessionError("session start must be timezone-aware")
        for i, p in enumerate(self.periods):
            _check_period(i, p)
        if self.reservation is not None:
            if self.reservation.duration <= dt.timedelta(0):
                raise OcpiSessionError("reservation duration must be positive")
            if self.reservation.expired and self.periods:
                raise OcpiSessionError("an expired reservation has no charging periods")
            if self.reservation.expired:
                return
        if not self.periods:
            raise OcpiSessionError("a session needs at least one charging period")

    @property
    def end(self) -> dt.datetime:
        return shift(self.start, sum((p.duration for p in self.periods), dt.timedelta(0)))

    @property
    def kwh(self) -> Decimal:
        return sum((p.kwh for p in self.periods), ZERO)

    @property
    def first_moment(self) -> dt.datetime:
        """When the driver accepted the tariff: the reservation if any, else plug-in."""
        if self.reservation is None:
            return self.start
        return shift(self.start, -self.reservation.duration)


def constant_power_session(
    start: dt.datetime,
    end: dt.datetime,
    *,
    kwh: Decimal | None = None,
    power_kw: Decimal | None = None,
    current_a: Decimal | None = None,
    parking: dt.timedelta = dt.timedelta(0),
    reservation: Reservation | None = None,
) -> OcpiSession:
    """Charging from `start` to `end` at constant power, then `parking` connected but idle.

    Give `kwh`, `power_kw` or both; with only power, the energy is power x duration.
    """
    if end.astimezone(dt.UTC) <= start.astimezone(dt.UTC):
        raise OcpiSessionError("end must be after start")
    elapsed = end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
    hours = seconds_of(elapsed) / 3600
    if kwh is None:
        if power_kw is None:
            raise OcpiSessionError("give kwh or power_kw")
        kwh = power_kw * hours
    periods = [ChargingPeriod(elapsed, kwh, power_kw, current_a)]
    if parking > dt.timedelta(0):
        periods.append(ChargingPeriod(parking, parking=True))
    return OcpiSession(start, tuple(periods), reservation)


def shift(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """`moment + delta` in real elapsed time. Plain `+` on an aware datetime adds wall-clock
    time, which is an hour off across a DST change."""
    return (moment.astimezone(dt.UTC) + delta).astimezone(moment.tzinfo)


def seconds_of(delta: dt.timedelta) -> Decimal:
    """Exact seconds of a timedelta (microseconds included), as Decimal."""
    whole = delta.days * 86400 + delta.seconds
    return Decimal(whole) + Decimal(delta.microseconds) / Decimal(1_000_000)


def _check_period(i: int, p: ChargingPeriod) -> None:
    where = f"periods[{i}]"
    if p.duration <= dt.timedelta(0):
        raise OcpiSessionError(f"{where}: duration must be positive")
    if p.kwh < 0:
        raise OcpiSessionError(f"{where}: kwh must not be negative")
    if p.parking and p.kwh != 0:
        raise OcpiSessionError(f"{where}: a parking period delivers no energy")
    for name in ("power_kw", "current_a"):
        value = getattr(p, name)
        if value is not None and value < 0:
            raise OcpiSessionError(f"{where}: {name} must not be negative")
