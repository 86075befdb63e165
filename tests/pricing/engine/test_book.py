"""The compiled PriceBook: a book reused for many sessions (its per-charger memos warm)
prices each as a fresh book does."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pricing.engine import QuoteInputError, compile_book
from tests.pricing.engine.strategies import (
    PLACES,
    conditions,
    requests,
    rule_sets,
    tariffs,
)


def _outcome(produce):
    try:
        return produce()
    except QuoteInputError as exc:
        return ("refused", str(exc))


@st.composite
def one_book_many_sessions(draw: st.DrawFn):
    """One operator's tariff and rules, and several sessions at its stations: the book's
    per-charger memos are reused across quotes."""
    zone, day = draw(st.sampled_from(PLACES))
    base = dt.date.fromisoformat(day)
    sessions = draw(
        st.lists(st.tuples(requests(zone, base), conditions(base)), min_size=2, max_size=6)
    )
    return draw(tariffs()), draw(rule_sets(base)), sessions


@given(one_book_many_sessions())
def test_a_reused_book_keeps_pricing_like_a_fresh_one(case):
    tariff, rules, sessions = case
    book = compile_book(tariff, rules)
    for request, conditions_ in sessions * 2:
        fresh = _outcome(lambda r=request, c=conditions_: compile_book(tariff, rules).price(r, c))
        assert _outcome(lambda r=request, c=conditions_: book.price(r, c)) == fresh
