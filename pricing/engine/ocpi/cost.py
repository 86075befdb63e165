"""The priced result of an OCPI session: lines per dimension and element, and their totals.

Every line is rounded half-up to the cent at the line (excl. VAT, then its VAT), and the
totals are the exact sums of the lines. The unrounded totals are kept beside them because
the spec's worked examples round only once, at the end (see docs/ocpi.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pricing.engine.amounts import ZERO
from pricing.engine.ocpi.objects import TariffDimensionType


class CostKind(StrEnum):
    FLAT = "flat"
    ENERGY = "energy"
    TIME = "time"
    PARKING_TIME = "parking_time"
    RESERVATION_FLAT = "reservation_flat"
    RESERVATION_TIME = "reservation_time"
    MIN_PRICE = "min_price"  # raises the session to the tariff's min_price
    MAX_PRICE = "max_price"  # caps the session at the tariff's max_price (negative)


@dataclass(frozen=True, slots=True)
class CostLine:
    """One priced dimension of one tariff element (or a min/max price adjustment).

    Volumes are in the dimension's step_size unit scale: kWh for energy, seconds for the
    time kinds, 1 for a flat fee. `billed_volume` includes the step_size round-up.
    """

    kind: CostKind
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal
    exact_excl_vat: Decimal  # before rounding to the cent
    element: int | None = None  # index into OcpiTariff.elements
    price: Decimal | None = None  # per kWh / per hour / per session, excl. VAT
    vat_percent: Decimal | None = None  # None: no VAT applies (OCPI: vat omitted)
    volume: Decimal = ZERO
    billed_volume: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PricedPeriod:
    """A stretch in which the active element of every dimension stays the same."""

    start: dt.datetime
    end: dt.datetime
    kwh: Decimal
    parking: bool
    reservation: bool
    active: tuple[tuple[TariffDimensionType, int], ...]  # dimension -> element index


@dataclass(frozen=True, slots=True)
class OcpiCost:
    currency: str
    lines: tuple[CostLine, ...]
    periods: tuple[PricedPeriod, ...]
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    unrounded_excl_vat: Decimal
    unrounded_incl_vat: Decimal

    def lines_of(self, *kinds: CostKind) -> tuple[CostLine, ...]:
        return tuple(ln for ln in self.lines if ln.kind in kinds)


def make_cost(
    currency: str,
    lines: Iterable[CostLine],
    periods: Iterable[PricedPeriod],
    unrounded: tuple[Decimal, Decimal],
) -> OcpiCost:
    lines = tuple(lines)
    return OcpiCost(
        currency=currency,
        lines=lines,
        periods=tuple(periods),
        total_excl_vat=_sum(ln.excl_vat for ln in lines),
        total_vat=_sum(ln.vat for ln in lines),
        total_incl_vat=_sum(ln.incl_vat for ln in lines),
        unrounded_excl_vat=unrounded[0],
        unrounded_incl_vat=unrounded[1],
    )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)
