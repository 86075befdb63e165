"""Pricing references shared by tests and benches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from cpo_portal.models import Charger
from pricing.engine import Customer, Quote, QuoteInputError, QuoteLine, finalize
from pricing.services import (
    NoTariffError,
    SessionToQuote,
    book_and_conditions,
    session_request_for,
)


def quote_session(
    charger: Charger,
    start: dt.datetime,
    *,
    kwh: Decimal | None = None,
    amount: Decimal | None = None,
    end: dt.datetime | None = None,
    customer: Customer = Customer(),  # noqa: B008 (frozen, immutable)
    adjustments: Sequence[QuoteLine] = (),
) -> Quote:
    """One session's full quote (lines, tax and total), priced alone: its book and its
    conditions read for it (pricing.services.book_and_conditions), then the book's price
    and finalize. Raises QuoteInputError, NoTariffError."""
    book, conditions = book_and_conditions(charger, start)
    request = session_request_for(
        charger, start, kwh=kwh, amount=amount, end=end, customer=customer
    )
    return finalize(book.price(request, conditions), adjustments)


def one_at_a_time(asks: Sequence[SessionToQuote]) -> list[Quote | NoTariffError | QuoteInputError]:
    """What quote_session answers for each session in turn, its refusal in place of a quote:
    the reference pricing.services.quote_sessions must equal."""
    out: list[Quote | NoTariffError | QuoteInputError] = []
    for s in asks:
        try:
            out.append(quote_session(s.charger, s.start, kwh=s.kwh, amount=s.amount, end=s.end,
                                     customer=s.customer, adjustments=s.adjustments))  # fmt: skip
        except (NoTariffError, QuoteInputError) as refusal:
            out.append(refusal)
    return out
