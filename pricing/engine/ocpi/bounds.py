"""min_price / max_price of an OCPI Tariff, applied to the session total.

mod_tariffs, Tariff object, NOTE on min_price / max_price: the bound excl. VAT and the bound
incl. VAT "both apply", each to its own total, because VAT can be made of several rates.
When a bound gives no incl_vat (it is optional in 2.2.1), the incl-VAT total follows the
excl-VAT one at the session's own VAT ratio; with nothing priced, there is no VAT to follow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from pricing.engine.amounts import money
from pricing.engine.ocpi.cost import CostKind, CostLine
from pricing.engine.ocpi.objects import OcpiPrice, OcpiTariff

Rounding = Callable[[Decimal], Decimal]


def adjustment_lines(tariff: OcpiTariff, lines: Sequence[CostLine]) -> list[CostLine]:
    """Zero, one or two ADJUSTMENT lines that bring the rounded totals inside the bounds."""
    excl = sum((ln.excl_vat for ln in lines), Decimal(0))
    incl = sum((ln.incl_vat for ln in lines), Decimal(0))
    out: list[CostLine] = []
    for kind, bound, floor in _bounds(tariff):
        new_excl, new_incl = bounded(bound, excl, incl, floor=floor, rounding=money)
        if (new_excl, new_incl) != (excl, incl):
            d_excl, d_incl = new_excl - excl, new_incl - incl
            out.append(CostLine(kind, d_excl, d_incl - d_excl, d_incl, exact_excl_vat=d_excl))
            excl, incl = new_excl, new_incl
    return out


def clamp_unrounded(tariff: OcpiTariff, excl: Decimal, incl: Decimal) -> tuple[Decimal, Decimal]:
    for _, bound, floor in _bounds(tariff):
        excl, incl = bounded(bound, excl, incl, floor=floor, rounding=lambda d: d)
    return excl, incl


def bounded(
    bound: OcpiPrice, excl: Decimal, incl: Decimal, *, floor: bool, rounding: Rounding
) -> tuple[Decimal, Decimal]:
    def beyond(value: Decimal, limit: Decimal) -> bool:
        return value < limit if floor else value > limit

    limit = rounding(bound.excl_vat)
    new_excl = limit if beyond(excl, limit) else excl
    if bound.incl_vat is not None:
        limit_incl = rounding(bound.incl_vat)
        new_incl = limit_incl if beyond(incl, limit_incl) else incl
    elif new_excl == excl:
        new_incl = incl
    else:
        new_incl = rounding(new_excl * incl / excl) if excl else new_excl
    return new_excl, new_incl


def _bounds(tariff: OcpiTariff) -> list[tuple[CostKind, OcpiPrice, bool]]:
    out = []
    if tariff.min_price is not None:
        out.append((CostKind.MIN_PRICE, tariff.min_price, True))
    if tariff.max_price is not None:
        out.append((CostKind.MAX_PRICE, tariff.max_price, False))
    return out
