"""Fees charged on top of a session's quote: the buyer finder fee and the overcharge
estimation buffer (DEG's 2.0 `FEE` components; the per-session service fee is the
tariff's own SERVICE_FEE line, priced with the session).

Both are worked out from the finished quote (after offers, the minimum/maximum price and
tax) and added after it as FEE lines, so every quote keeps `total == sum(lines)`:

- **Buyer finder fee**: what the BAP that found the customer asks (its terms: a percentage,
  or an amount), bounded by the operator's maximum percentage. Its base is the sale's value
  before tax (the quote's total less its tax). A percentage above the maximum is charged at
  the maximum; an amount above the maximum percentage of the base is charged at that.
- **Overcharge estimation buffer**: the operator's percentage of the amount payable before
  fees, held against the session delivering more than estimated and released at
  settlement (a settled quote has none).

Each line's title names its percentage and base ("Buyer finder fee (2.5% of ₹127.50)"),
and the figure is that percentage of that base, half-up to the paisa. Fee lines are
outside GST (`tax_rate=None`): the buffer is a refundable deposit, not consideration; the
finder fee is the BAP's commission, collected for it and invoiced (with its GST) by the
BAP to the operator. Neither counts towards the tariff's minimum or maximum price.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from cpo_portal.formatting.digits import stated_percent
from pricing.engine import text
from pricing.engine.amounts import HUNDRED, ZERO, money, percent_of
from pricing.engine.types import LineKind, Quote, QuoteLine

FINDER_FEE = "buyer_finder_fee"
BUFFER = "overcharge_buffer"


class FeeType(StrEnum):
    """ChargingSession.buyerFinderFee.feeType (EvChargingSession v1)."""

    PERCENTAGE = "PERCENTAGE"
    AMOUNT = "AMOUNT"


@dataclass(frozen=True, slots=True)
class FinderFee:
    """The BAP's terms: `value` percent of the sale, or `value` rupees."""

    fee_type: FeeType
    value: Decimal

    def __post_init__(self) -> None:
        if not self.value.is_finite() or self.value < ZERO:
            raise ValueError("a buyer finder fee is a number of at least 0")
        if self.fee_type is FeeType.PERCENTAGE and self.value > HUNDRED:
            raise ValueError("a buyer finder fee percentage is at most 100")


@dataclass(frozen=True, slots=True)
class FeeTerms:
    """The fees of one quote: the operator's settings and the BAP's terms."""

    buffer_percent: Decimal = ZERO  # operator: overcharge estimation buffer, % of payable
    finder_fee: FinderFee | None = None  # the BAP's terms, if it sent any
    finder_fee_max_percent: Decimal = ZERO  # operator: the most a BAP may take, % of sale

    @property
    def none(self) -> bool:
        return not self.buffer_percent and (self.finder_fee is None or not self.finder_fee.value)

    def settled(self) -> FeeTerms:
        """The terms a settled session is charged on: the buffer is released."""
        return dataclasses.replace(self, buffer_percent=ZERO)


def _fee_line(code: str, title: str, amount: Decimal, percent: Decimal, base: Decimal) -> QuoteLine:
    return QuoteLine(
        kind=LineKind.FEE,
        code=code,
        title=title,
        amount=amount,
        tax_rate=None,
        tags=(("percent", text.plain(percent)), ("base", str(base))),
    )


def finder_fee_line(quote: Quote, terms: FeeTerms) -> QuoteLine | None:
    """The buyer finder fee on `quote` (before any fee), bounded by the operator's maximum."""
    asked = terms.finder_fee
    if asked is None or not asked.value:
        return None
    base = quote.excl_tax
    ceiling = terms.finder_fee_max_percent
    if base <= ZERO or ceiling <= ZERO:
        return None
    of = text.amount_with_symbol(quote.currency, base)
    if asked.fee_type is FeeType.PERCENTAGE:
        percent = min(asked.value, ceiling)
        amount = money(percent_of(base, percent))
        title = f"Buyer finder fee ({stated_percent(percent)} of {of})"
    else:
        amount = min(money(asked.value), money(percent_of(base, ceiling)))
        percent = amount * HUNDRED / base
        title = f"Buyer finder fee ({text.amount_with_symbol(quote.currency, amount)} on {of})"
    if amount <= ZERO:
        return None
    return _fee_line(FINDER_FEE, title, amount, percent, base)


def buffer_line(quote: Quote, terms: FeeTerms) -> QuoteLine | None:
    """The overcharge estimation buffer: the operator's percentage of the payable."""
    percent, base = terms.buffer_percent, quote.total
    if percent <= ZERO or base <= ZERO:
        return None
    amount = money(percent_of(base, percent))
    if amount <= ZERO:
        return None
    of = text.amount_with_symbol(quote.currency, base)
    title = f"Overcharge estimation buffer ({stated_percent(percent)} of {of})"
    return _fee_line(BUFFER, title, amount, percent, base)


def with_fees(quote: Quote, terms: FeeTerms | None) -> Quote:
    """`quote` with its fee lines after every other line; the total grows by exactly them.
    Both fees are worked out on the quote before any fee (neither is charged on the other)."""
    if terms is None or terms.none:
        return quote
    fees = [ln for ln in (finder_fee_line(quote, terms), buffer_line(quote, terms)) if ln]
    if not fees:
        return quote
    total = quote.total + sum((ln.amount for ln in fees), ZERO)
    return dataclasses.replace(quote, lines=(*quote.lines, *fees), total=total)


def fee_of(quote: Quote, code: str) -> Decimal:
    """The amount of one fee (FINDER_FEE, BUFFER) in `quote`; 0 when it has none."""
    return sum((ln.amount for ln in quote.lines_of(LineKind.FEE) if ln.code == code), ZERO)
