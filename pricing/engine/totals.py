"""Stage two: adjustments from higher layers, minimum/maximum price, tax, total.

Tax is GST on the taxable value after discounts (CGST Act s.15(3)): lines are grouped by
their tax rate, each group's net is its taxable value, and each group gets one tax line.
Lines with `tax_rate=None` are outside GST (pass-through charges): never taxed.

A discount can never take its group's taxable value below zero. Rather than refuse the
quote, finalize CLAMPS: the group's discount lines are shrunk, last first, until the group
nets to exactly zero, and each shrunk line is tagged ("clamped_from", <original amount>)
so the offers layer can record what was really granted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache

from pricing.engine import text
from pricing.engine.amounts import ZERO, money
from pricing.engine.refusals import QuoteInputError
from pricing.engine.types import LineKind, PricedSession, Quote, QuoteLine, Tariff

ADJUSTMENT_KINDS = frozenset({LineKind.DISCOUNT, LineKind.ADDON, LineKind.WHEELING})
_DISCOUNT, _ADDON, _TAX = LineKind.DISCOUNT, LineKind.ADDON, LineKind.TAX  # read once


def _paisa(amount: Decimal) -> Decimal:
    """The amount written with exactly two decimals, and never as -0.00."""
    return money(amount) + ZERO


def _checked(line: QuoteLine) -> QuoteLine:
    if line.kind not in ADJUSTMENT_KINDS:
        raise QuoteInputError(f"{line.kind} lines cannot be added as adjustments")
    amount = line.amount
    if not amount.is_finite():
        raise QuoteInputError(f"adjustment {line.code} is not rounded to the paisa")
    exact = _paisa(amount)
    if amount != exact:
        raise QuoteInputError(f"adjustment {line.code} is not rounded to the paisa")
    negative = line.kind is _DISCOUNT
    if (amount > ZERO) if negative else (amount < ZERO):
        raise QuoteInputError(f"{line.kind} line {line.code} has the wrong sign")
    return line if str(exact) == str(amount) else dataclasses.replace(line, amount=exact)


def _base(lines: Sequence[QuoteLine], rate: Decimal | None) -> Decimal:
    return sum((ln.amount for ln in lines if ln.tax_rate == rate), ZERO)


def _bases(lines: Sequence[QuoteLine]) -> dict[Decimal | None, Decimal]:
    """Every tax rate group's net, in one pass (the same sums as _base, line by line)."""
    bases: dict[Decimal | None, Decimal] = {}
    for ln in lines:
        bases[ln.tax_rate] = bases.get(ln.tax_rate, ZERO) + ln.amount
    return bases


def _clamp_discounts(lines: list[QuoteLine]) -> dict[Decimal | None, Decimal]:
    """Clamp `lines` in place; the groups' nets after clamping come back."""
    bases = _bases(lines)
    for base in bases.values():
        if base < ZERO:
            break
    else:  # no group below zero: nothing to clamp
        return bases
    shrunk = False
    for rate, base in bases.items():
        shortfall = -base
        shrunk = shrunk or shortfall > ZERO
        for i in reversed(range(len(lines))):
            line = lines[i]
            if shortfall <= ZERO:
                break
            if line.tax_rate != rate or line.kind is not _DISCOUNT:
                continue
            give_back = min(shortfall, -line.amount)
            clamped = line.amount + give_back
            lines[i] = dataclasses.replace(
                line,
                amount=_paisa(clamped),
                tags=(*line.tags, ("clamped_from", str(line.amount))),
            )
            shortfall -= give_back
    return _bases(lines) if shrunk else bases


def _price_bound(
    tariff: Tariff, lines: Sequence[QuoteLine], total: Decimal | None = None
) -> QuoteLine | None:
    """OCPI min_price / max_price, against the session's pre-tax total after adjustments.

    Add-ons (valet, a cafe voucher) are sold beside the session, not part of its price:
    they neither count towards the minimum nor get capped by the maximum. `total` is
    the sum of `lines`, if the caller has it and none is an add-on."""
    if tariff.min_price is None and tariff.max_price is None:
        return None
    if total is None:
        lines = [ln for ln in lines if ln.kind is not _ADDON]
        pre_tax = sum([ln.amount for ln in lines], ZERO)
    else:
        pre_tax = total
    lowest = None if tariff.min_price is None else money(tariff.min_price)
    if lowest is not None and pre_tax < lowest:
        code, title = "min_price", "Minimum session price"
        amount = lowest - pre_tax
    elif tariff.max_price is not None and pre_tax > money(tariff.max_price):
        code, title = "max_price", "Maximum session price"
        # never take the tariff's own tax group below zero
        amount = max(money(tariff.max_price) - pre_tax, -_base(lines, tariff.tax_rate))
        if amount == ZERO:
            return None
    else:
        return None
    return QuoteLine(
        kind=LineKind.ADJUSTMENT, code=code, title=title, amount=amount, tax_rate=tariff.tax_rate
    )


OCPI_VAT = "ocpi_vat"  # tag of a line the OCPI calculator priced: its VAT, as OCPI rounds it


def _ocpi_only(lines: Sequence[QuoteLine]) -> bool:
    return bool(lines) and all(any(k == OCPI_VAT for k, _ in ln.tags) for ln in lines)


def _ocpi_quote(priced: PricedSession) -> Quote:
    """VAT exactly as OCPI computes it: per component line, rounded at the line (the
    min/max price adjustment carries its own VAT, as in the OCPI 2.2.1 examples)."""
    by_rate: dict[Decimal | None, Decimal] = {}
    for line in priced.lines:
        vat = Decimal(dict(line.tags)[OCPI_VAT])
        if vat:
            by_rate[line.tax_rate] = by_rate.get(line.tax_rate, ZERO) + vat
    name = priced.tariff.tax_name
    tax = [
        QuoteLine(
            kind=LineKind.TAX,
            code=name,
            title=f"{name} ({text.percent(rate)})" if rate is not None else name,
            amount=amount,
        )
        for rate, amount in by_rate.items()
    ]
    lines = (*priced.lines, *tax)
    return Quote(
        currency=priced.tariff.currency,
        start=priced.start,
        end=priced.end,
        kwh=priced.kwh,
        lines=lines,
        total=sum((ln.amount for ln in lines), ZERO),
        tax_included=ZERO,
        tax_inclusive=False,
    )


def finalize(priced: PricedSession, adjustments: Sequence[QuoteLine] = ()) -> Quote:
    """The quote a customer sees: total is exactly the sum of its lines and never negative.

    A session the OCPI calculator priced alone (every line tagged with its OCPI VAT, no
    surge and no adjustment) keeps OCPI's own VAT per component; anything added on top is
    taxed as below, on the net of each rate group."""
    if not adjustments and _ocpi_only(priced.lines):
        return _ocpi_quote(priced)
    tariff = priced.tariff
    lines = [*priced.lines, *(_checked(ln) for ln in adjustments)]
    bases = _clamp_discounts(lines)  # by tax rate, in the order the rates first appear
    # the groups' nets add up to the lines' sum exactly (Decimal sums of paisa amounts)
    addons = any(ln.kind is _ADDON for ln in adjustments)
    bound = _price_bound(tariff, lines, None if addons else sum([*bases.values()], ZERO))
    if bound is not None:
        lines.append(bound)
        bases[bound.tax_rate] = bases.get(bound.tax_rate, ZERO) + bound.amount
    tax_lines, included = [], ZERO
    for rate, base in bases.items():
        if not rate or base <= ZERO:
            continue
        if tariff.tax_included:
            included += money(base * rate / (1 + rate))
            continue
        rate_text = str(rate)
        tax_lines.append(  # kind, code, title, amount, kWh, rate, tax rate, item, tags
            QuoteLine(
                _TAX,
                tariff.tax_name,
                _tax_title(tariff.tax_name, rate_text),
                money(base * rate),
                None,
                None,
                None,
                "",
                (("rate", rate_text), ("taxable_value", str(base))),
            )
        )
    lines.extend(tax_lines)
    return Quote(
        currency=tariff.currency,
        start=priced.start,
        end=priced.end,
        kwh=priced.kwh,
        lines=tuple(lines),
        total=sum([*bases.values(), *(ln.amount for ln in tax_lines)], ZERO),
        tax_included=included,
        tax_inclusive=tariff.tax_included,
    )


@lru_cache(maxsize=256)
def _tax_title(name: str, rate: str) -> str:
    return f"{name} ({text.percent(Decimal(rate))})"
