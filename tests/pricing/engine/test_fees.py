"""Fees on top of a quote (pricing.engine.fees): the buyer finder fee and the overcharge
estimation buffer add up with every other line, each true to the percentage and base its
title names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pricing.engine import (
    FeeTerms,
    FeeType,
    FinderFee,
    LineKind,
    QuoteInputError,
    compile_book,
    finalize,
    with_fees,
)
from pricing.engine.amounts import money
from pricing.engine.fees import BUFFER, FINDER_FEE, fee_of
from pricing.engine.types import Conditions, SessionRequest, Site, Tariff
from tests.pricing.engine.build import book_price
from tests.pricing.engine.strategies import scenarios

D = Decimal
percents = st.integers(0, 10_000).map(lambda n: D(n).scaleb(-2))  # 0.00 .. 100.00


@st.composite
def fee_terms(draw: st.DrawFn) -> FeeTerms:
    finder = None
    if draw(st.booleans()):
        kind = draw(st.sampled_from(list(FeeType)))
        value = (
            draw(percents)
            if kind is FeeType.PERCENTAGE
            else D(draw(st.integers(0, 50_000))).scaleb(-2)
        )
        finder = FinderFee(kind, value)
    return FeeTerms(
        buffer_percent=draw(percents), finder_fee=finder, finder_fee_max_percent=draw(percents)
    )


@given(scenarios(), fee_terms())
def test_fees_add_up_with_every_line(scenario, terms):
    request, tariff, rules, conditions = scenario
    try:
        priced = book_price(request, tariff, rules, conditions)
    except QuoteInputError:
        assume(False)
        raise
    before = finalize(priced)
    quote = with_fees(before, terms)
    assert quote.total == sum((ln.amount for ln in quote.lines), D(0))
    assert quote.lines[: len(before.lines)] == before.lines  # nothing else moves
    tax = before.tax_included if before.tax_inclusive else before.sum_of(LineKind.TAX)
    finder, buffer = fee_of(quote, FINDER_FEE), fee_of(quote, BUFFER)
    assert quote.total == before.total + finder + buffer
    for line in quote.lines_of(LineKind.FEE):
        assert line.amount == money(line.amount) > 0
        assert line.tax_rate is None
    # each fee is its percentage of its base, half-up to the paisa
    assert buffer == (money(before.total * terms.buffer_percent / 100) if before.total > 0 else 0)
    sale = before.total - tax
    bound = sale * terms.finder_fee_max_percent / 100
    if terms.finder_fee is None or sale <= 0:
        assert finder == 0
    elif terms.finder_fee.fee_type is FeeType.PERCENTAGE:
        percent = min(terms.finder_fee.value, terms.finder_fee_max_percent)
        assert finder == money(sale * percent / 100)
    else:
        assert finder == min(money(terms.finder_fee.value), money(bound))
    assert finder <= money(bound)


SITE = Site("st-1", "ch-1", "Asia/Kolkata", D("60"))
START = dt.datetime(2025, 9, 24, 10, 0, tzinfo=dt.UTC)


def _quote(tariff: Tariff, kwh: str):
    book = compile_book(tariff, [])
    return finalize(book.price(SessionRequest(SITE, START, kwh=D(kwh)), Conditions()))


def test_deg_fees_named_and_true_to_their_label():
    """DEG's on_select: 2.5 kWh at ₹45 and a ₹10 service fee; the BAP asks 2.5 %."""
    tariff = Tariff("t", "INR", D("45"), service_fee=D("10"), tax_rate=D("0.18"))
    before = _quote(tariff, "2.5")  # 112.50 + 10 + GST 22.05 = 144.55
    assert before.total == D("144.55")
    terms = FeeTerms(D("10"), FinderFee(FeeType.PERCENTAGE, D("2.5")), D("5"))
    quote = with_fees(before, terms)
    fees = {ln.code: ln for ln in quote.lines_of(LineKind.FEE)}
    assert fees[FINDER_FEE].amount == D("3.06")  # 2.5 % of 122.50, 3.0625 half-up
    assert fees[FINDER_FEE].title == "Buyer finder fee (2.5% of ₹122.50)"
    assert fees[BUFFER].amount == D("14.46")  # 10 % of 144.55, 14.455 half-up
    assert fees[BUFFER].title == "Overcharge estimation buffer (10% of ₹144.55)"
    assert quote.total == D("162.07")
    assert quote.lines[-2:] == (fees[FINDER_FEE], fees[BUFFER])


def test_finder_fee_bounded_by_the_operator_maximum():
    tariff = Tariff("t", "INR", D("20"), tax_rate=D("0"))
    before = _quote(tariff, "10")  # 200.00
    asked_much = FeeTerms(
        finder_fee=FinderFee(FeeType.PERCENTAGE, D("8")), finder_fee_max_percent=D("3")
    )
    assert fee_of(with_fees(before, asked_much), FINDER_FEE) == D("6.00")
    amount = FeeTerms(finder_fee=FinderFee(FeeType.AMOUNT, D("50")), finder_fee_max_percent=D("3"))
    assert fee_of(with_fees(before, amount), FINDER_FEE) == D("6.00")
    small = FeeTerms(finder_fee=FinderFee(FeeType.AMOUNT, D("4")), finder_fee_max_percent=D("3"))
    line = with_fees(before, small).lines[-1]
    assert (line.amount, line.title) == (D("4.00"), "Buyer finder fee (₹4.00 on ₹200.00)")
    none_allowed = FeeTerms(finder_fee=FinderFee(FeeType.PERCENTAGE, D("2")))
    assert with_fees(before, none_allowed) == before


def test_no_fees_leave_the_quote_as_it_was():
    before = _quote(Tariff("t", "INR", D("18"), service_fee=D("10")), "5")
    assert with_fees(before, None) is before
    assert with_fees(before, FeeTerms()) is before
    assert with_fees(before, FeeTerms().settled()) is before
    assert FeeTerms(D("10")).settled().buffer_percent == 0


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FeeType.PERCENTAGE, "-1"),
        (FeeType.PERCENTAGE, "100.01"),
        (FeeType.AMOUNT, "-0.01"),
        (FeeType.AMOUNT, "NaN"),
    ],
)
def test_bad_finder_fee_terms_are_refused(kind, value):
    with pytest.raises(ValueError, match="buyer finder fee"):
        FinderFee(kind, D(value))
