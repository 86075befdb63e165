"""Pricing references shared by tests and benches."""

from __future__ import annotations

from collections.abc import Sequence

from pricing.engine import Quote, QuoteInputError
from pricing.services import NoTariffError, SessionToQuote, quote_session


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
