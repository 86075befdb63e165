"""Price a session under an OCPI 2.2.1 Tariff the way the Tariffs module says a CPO must.

- Per dimension, the active PriceComponent at a moment is the one of the first element (in
  list order) that has that dimension and whose restrictions all hold (Tariff object).
- The session is cut wherever that could change (see timeline.py), and each piece is priced
  with the components active in it: ENERGY per kWh, TIME per hour charging, PARKING_TIME per
  hour connected without charging. FLAT is charged once, from the first piece.
- step_size rounds the session total of a dimension up to a multiple of the step_size of the
  last component used for it, and the extra is billed in that last piece (CDR module,
  step_size; and every worked example in the Tariffs module but one, see docs/ocpi.md).
- Reservation elements price the reservation before the session (or an expired one).
- VAT is per component; min_price / max_price bound the totals (bounds.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from pricing.engine.amounts import ZERO, money
from pricing.engine.ocpi.bounds import adjustment_lines, clamp_unrounded
from pricing.engine.ocpi.cost import CostKind, CostLine, OcpiCost, PricedPeriod, make_cost
from pricing.engine.ocpi.objects import (
    OcpiTariff,
    PriceComponent,
    ReservationRestrictionType,
    TariffDimensionType,
)
from pricing.engine.ocpi.session import ChargingPeriod, OcpiSession, OcpiSessionError, shift
from pricing.engine.ocpi.timeline import Moment, Piece, holds, moment, split, to_timedelta

D = TariffDimensionType
NOISE = Decimal("1e-9")  # below any step: Decimal interpolation noise is cleared before ceil
CHARGING_KINDS = {D.FLAT: CostKind.FLAT, D.ENERGY: CostKind.ENERGY, D.TIME: CostKind.TIME}
CHARGING_KINDS[D.PARKING_TIME] = CostKind.PARKING_TIME
RESERVATION_KINDS = {D.FLAT: CostKind.RESERVATION_FLAT, D.TIME: CostKind.RESERVATION_TIME}


@dataclass(frozen=True, slots=True)
class _Use:
    element: int
    component: PriceComponent
    volume: Decimal  # kWh or seconds


def calculate(
    tariff: OcpiTariff,
    session: OcpiSession,
    time_zone: str | ZoneInfo,
) -> OcpiCost:
    """The cost of `session` under `tariff`; restrictions read in `time_zone` (Location's)."""
    tz = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
    _check_valid(tariff, session)
    lines: list[CostLine] = []
    periods: list[PricedPeriod] = []
    if session.reservation is not None:
        expired = session.reservation.expired
        phase = _Phase(tariff, tz, session.first_moment, _reservation_elements(tariff, expired))
        pieces = (ChargingPeriod(session.reservation.duration),)
        phase.price(pieces, RESERVATION_KINDS, lines, periods)
    if session.periods:
        chargeable = [i for i, e in enumerate(tariff.elements) if e.reservation is None]
        phase = _Phase(tariff, tz, session.start, chargeable)
        phase.price(session.periods, CHARGING_KINDS, lines, periods)
    exact_excl = sum((ln.exact_excl_vat for ln in lines), ZERO)
    exact_incl = sum((ln.exact_excl_vat * _vat_factor(ln.vat_percent) for ln in lines), ZERO)
    unrounded = clamp_unrounded(tariff, exact_excl, exact_incl)
    lines.extend(adjustment_lines(tariff, lines))
    return make_cost(tariff.currency, lines, periods, unrounded)


@dataclass(frozen=True, slots=True)
class _Phase:
    tariff: OcpiTariff
    tz: ZoneInfo
    origin: dt.datetime  # the phase's offsets count from here
    candidates: list[int]  # element indices that may apply, in priority order

    def price(
        self,
        periods: tuple[ChargingPeriod, ...],
        kinds: dict[TariffDimensionType, CostKind],
        lines: list[CostLine],
        out_periods: list[PricedPeriod],
    ) -> None:
        origin = self.origin
        elements = [self.tariff.elements[i] for i in self.candidates]
        pieces = split(origin, periods, self.tz, elements)
        uses: dict[TariffDimensionType, list[_Use]] = defaultdict(list)
        flat: _Use | None = None
        for n, piece in enumerate(pieces):
            at = moment(origin, piece, self.tz)
            active: dict[TariffDimensionType, tuple[int, PriceComponent]] = {}
            for dim in kinds:
                found = self._active(dim, at)
                if found is not None:
                    active[dim] = found
            if n == 0 and D.FLAT in active:
                flat = _Use(*active[D.FLAT], Decimal(1))
            for dim, volume in _volumes(piece, kinds):
                if volume > 0 and dim in active:
                    uses[dim].append(_Use(*active[dim], volume))
            _append(out_periods, self._period(piece, active, kinds is RESERVATION_KINDS))
        if flat is not None:
            lines.append(_line(kinds[D.FLAT], D.FLAT, [flat], ZERO))
        for dim in (D.ENERGY, D.TIME, D.PARKING_TIME):
            if uses.get(dim):
                extra = _step_extra(dim, uses[dim])
                lines.extend(_dimension_lines(kinds[dim], dim, uses[dim], extra))

    def _active(self, dim: TariffDimensionType, at: Moment) -> tuple[int, PriceComponent] | None:
        for i in self.candidates:
            element = self.tariff.elements[i]
            component = element.component(dim)
            if component is not None and holds(element.restrictions, at):
                return i, component
        return None

    def _period(
        self, piece: Piece, active: dict[TariffDimensionType, tuple[int, PriceComponent]], res: bool
    ) -> PricedPeriod:
        origin = self.origin
        return PricedPeriod(
            start=shift(origin, to_timedelta(piece.start)),
            end=shift(origin, to_timedelta(piece.end)),
            kwh=piece.kwh,
            parking=piece.parking,
            reservation=res,
            active=tuple((dim, found[0]) for dim, found in active.items()),
        )


def _append(periods: list[PricedPeriod], period: PricedPeriod) -> None:
    """Report a new period only where an active element (or charging/parking) changes."""
    last = periods[-1] if periods else None
    same = ("parking", "reservation", "active")
    if (
        last
        and last.end == period.start
        and all(getattr(last, k) == getattr(period, k) for k in same)
    ):
        periods[-1] = dataclasses.replace(last, end=period.end, kwh=last.kwh + period.kwh)
    else:
        periods.append(period)


def _volumes(
    piece: Piece, kinds: dict[TariffDimensionType, CostKind]
) -> list[tuple[TariffDimensionType, Decimal]]:
    out = [(D.TIME, ZERO if piece.parking else piece.seconds)]
    if D.ENERGY in kinds:
        out.append((D.ENERGY, piece.kwh))
        out.append((D.PARKING_TIME, piece.seconds if piece.parking else ZERO))
    return out


def _step_extra(dim: TariffDimensionType, uses: list[_Use]) -> Decimal:
    """Round the dimension's total up with the step_size of the last component used."""
    step = uses[-1].component.step_size
    total = sum((u.volume for u in uses), ZERO)
    if step <= 0:
        return ZERO
    scale = Decimal(1000) if dim is D.ENERGY else Decimal(1)  # step units: Wh or seconds
    units = (total * scale).quantize(NOISE, rounding=ROUND_HALF_EVEN)
    billed = (units / step).to_integral_value(rounding=ROUND_CEILING) * step
    return max(billed / scale - total, ZERO)


def _dimension_lines(
    kind: CostKind, dim: TariffDimensionType, uses: list[_Use], extra: Decimal
) -> list[CostLine]:
    """One line per element used, in order of first use; the round-up goes to the last."""
    groups: dict[int, list[_Use]] = {}
    for use in uses:
        groups.setdefault(use.element, []).append(use)
    last = uses[-1].element
    return [_line(kind, dim, g, extra if e == last else ZERO) for e, g in groups.items()]


def _line(kind: CostKind, dim: TariffDimensionType, uses: list[_Use], extra: Decimal) -> CostLine:
    component = uses[0].component
    volume = sum((u.volume for u in uses), ZERO)
    billed = volume + extra
    per_unit = Decimal(3600) if dim in (D.TIME, D.PARKING_TIME) else Decimal(1)
    exact = component.price * billed / per_unit
    excl = money(exact)
    vat = ZERO if component.vat is None else money(excl * component.vat / 100)
    return CostLine(
        kind=kind,
        excl_vat=excl,
        vat=vat,
        incl_vat=excl + vat,
        exact_excl_vat=exact,
        element=uses[0].element,
        price=component.price,
        vat_percent=component.vat,
        volume=volume,
        billed_volume=billed,
    )


def _vat_factor(percent: Decimal | None) -> Decimal:
    return Decimal(1) if percent is None else 1 + percent / 100


def _reservation_elements(tariff: OcpiTariff, expired: bool) -> list[int]:
    """RESERVATION_EXPIRES elements win for an expired reservation, dimension by dimension."""
    kinds = [ReservationRestrictionType.RESERVATION]
    if expired:
        kinds.insert(0, ReservationRestrictionType.RESERVATION_EXPIRES)
    return [i for k in kinds for i, e in enumerate(tariff.elements) if e.reservation is k]


def _check_valid(tariff: OcpiTariff, session: OcpiSession) -> None:
    """The tariff valid when the driver starts is the one that applies (Tariff object, NOTE)."""
    when = session.first_moment
    if tariff.start_date_time is not None and when < tariff.start_date_time:
        raise OcpiSessionError(f"tariff {tariff.id} is valid from {tariff.start_date_time}")
    if tariff.end_date_time is not None and when > tariff.end_date_time:
        raise OcpiSessionError(f"tariff {tariff.id} was valid until {tariff.end_date_time}")
