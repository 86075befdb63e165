"""The compiled PriceBook must price exactly like the reference path."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pricing.engine import QuoteInputError, compile_book, finalize, price_session
from tests.pricing.engine.strategies import (
    PLACES,
    conditions,
    requests,
    rule_sets,
    scenarios,
    tariffs,
)


def _outcome(produce):
    try:
        return produce()
    except QuoteInputError as exc:
        return ("refused", str(exc))


@given(scenarios())
def test_compiled_book_equals_reference(scenario):
    request, tariff, rules, conditions = scenario
    book = compile_book(tariff, rules)
    naive = _outcome(lambda: price_session(request, tariff, rules, conditions))
    fast = _outcome(lambda: book.price(request, conditions))
    assert fast == naive
    if not isinstance(naive, tuple):
        assert book.quote(request, conditions) == finalize(naive)


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
def test_a_reused_book_keeps_pricing_like_the_reference(case):
    tariff, rules, sessions = case
    book = compile_book(tariff, rules)
    for request, conditions_ in sessions * 2:
        naive = _outcome(lambda r=request, c=conditions_: price_session(r, tariff, rules, c))
        assert _outcome(lambda r=request, c=conditions_: book.price(r, c)) == naive
