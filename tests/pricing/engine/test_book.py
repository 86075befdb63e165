"""The compiled PriceBook must price exactly like the reference path."""

from __future__ import annotations

from hypothesis import given

from pricing.engine import QuoteInputError, compile_book, finalize, price_session
from tests.pricing.engine.strategies import scenarios


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
