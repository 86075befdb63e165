"""The session asked for at a charger, and many sessions quoted at once: the ORM gathers,
the engine computes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from cpo_portal.models import Charger
from pricing.engine.refusals import QuoteInputError
from pricing.engine.totals import finalize
from pricing.engine.types import (
    Conditions,
    Customer,
    Quote,
    QuoteLine,
    SessionRequest,
)
from pricing.engine.well_formed import is_aware

from .books import NoTariffError, no_tariff, price_books_for
from .sites import ConditionsDuring, site_for


def session_request_for(
    charger: Charger,
    start: dt.datetime,
    *,
    kwh: Decimal | None = None,
    amount: Decimal | None = None,
    end: dt.datetime | None = None,
    customer: Customer = Customer(),  # noqa: B008 (frozen, immutable)
) -> SessionRequest:
    """The session asked for at `charger`: every surface's request is built here."""
    return SessionRequest(
        site=site_for(charger), start=start, end=end, kwh=kwh, amount=amount, customer=customer
    )


@dataclass(frozen=True, slots=True)
class SessionToQuote:
    """One session of a batch for quote_sessions: its charger and start, its kWh, amount
    or end, the customer, and the adjustments finalize adds to its price."""

    charger: Charger
    start: dt.datetime
    kwh: Decimal | None = None
    amount: Decimal | None = None
    end: dt.datetime | None = None
    customer: Customer = Customer()  # noqa: RUF009 (frozen, immutable)
    adjustments: Sequence[QuoteLine] = ()


def quote_sessions(
    sessions: Sequence[SessionToQuote],
) -> list[Quote | NoTariffError | QuoteInputError]:
    """The full quote (lines, tax and total) of each session, in order, the same as each
    priced alone (book_and_conditions, the book's price, finalize), from a constant number
    of queries whatever their number: the pricing stamp read once per operator (the books
    from this process's memo, the missing ones compiled together) and the conditions of
    every station over the sessions' span in one read (sites.ConditionsDuring). Each answer
    is the Quote, or the NoTariffError or QuoteInputError pricing that session alone would
    raise (returned, not raised: the others are still quoted)."""
    if not sessions:
        return []
    books = price_books_for([s.charger for s in sessions])  # the stamp BEFORE the rest
    starts = [s.start for s in sessions if is_aware(s.start)]
    stations = [s.charger.station for s in sessions]
    span = ConditionsDuring(stations, min(starts), max(starts)) if starts else None
    out: list[Quote | NoTariffError | QuoteInputError] = []
    for s in sessions:
        book = books[s.charger.pk]
        if book is None:
            out.append(no_tariff(s.charger))
            continue
        request = session_request_for(
            s.charger, s.start, kwh=s.kwh, amount=s.amount, end=s.end, customer=s.customer
        )
        # A naive start is refused by the engine before it reads any condition.
        at = span.at(s.charger.station, s.start) if span and is_aware(s.start) else Conditions()
        try:
            out.append(finalize(book.price(request, at), s.adjustments))
        except QuoteInputError as refusal:
            out.append(refusal)
    return out
