"""Price and quote a session at a charger: the ORM gathers, the engine computes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from cpo_portal.models import Charger
from pricing.engine.types import Customer, PricedSession, Quote, QuoteLine, SessionRequest

from .books import book_and_conditions
from .sites import site_for


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


def price(
    charger: Charger,
    start: dt.datetime,
    *,
    kwh: Decimal | None = None,
    amount: Decimal | None = None,
    end: dt.datetime | None = None,
    customer: Customer = Customer(),  # noqa: B008 (frozen, immutable)
) -> PricedSession:
    """Stage one (before offers and tax). Raises QuoteInputError, NoTariffError."""
    book, conditions = book_and_conditions(charger, start)
    request = session_request_for(
        charger, start, kwh=kwh, amount=amount, end=end, customer=customer
    )
    return book.price(request, conditions)


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
    """The full quote: lines, tax and total. Raises QuoteInputError, NoTariffError."""
    book, conditions = book_and_conditions(charger, start)
    request = session_request_for(
        charger, start, kwh=kwh, amount=amount, end=end, customer=customer
    )
    return book.quote(request, conditions, adjustments)
