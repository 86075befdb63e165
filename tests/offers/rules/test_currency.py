"""Money never crosses currencies: an offer applies only to sessions priced in its currency,
and a definition that mixes currencies is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from offers.rules.choose import Combination, quote_offers
from offers.rules.construct import (
    EnergyTradeTerms,
    FixedOff,
    PricingModel,
    TimeOfDayRate,
    WheelingCharges,
)
from offers.rules.evaluate import evaluate
from offers.rules.index import OfferIndex
from offers.rules.outcome import Eligible, Reason, Rejected
from offers.rules.validate import validate_offer
from tests.support.offers import best_offers

from .helpers import facts, offer, priced_slot
from .strategies import offer_lists, session_facts, sessions

USD_SESSION = dict(kwh="10", rate="0.30", fee="0", currency="USD")  # $3.00 of energy


def test_a_rupee_off_never_becomes_a_dollar_off() -> None:
    one_off = offer("one-off", FixedOff(D("1")))  # stated in INR (the default)
    outcome = evaluate(one_off, priced_slot(**USD_SESSION), facts())
    assert isinstance(outcome, Rejected)
    assert (outcome.reason, outcome.message) == (
        Reason.NOT_VALID_HERE,
        "Offer one-off is priced in INR; this station charges in USD",
    )
    result = best_offers([one_off], priced_slot(**USD_SESSION), facts())
    assert result.lines == () and result.applied == ()


def test_fixed_energy_trade_applies_only_in_its_own_currency() -> None:
    """The issue's repro: FIXED 1.00 with no wheeling on a $0.30/kWh session gave -2.00."""
    fixed = EnergyTradeTerms(PricingModel.FIXED, fixed_price=D("1.00"))
    inr = evaluate(offer("trade", fixed), priced_slot(**USD_SESSION), facts())
    assert isinstance(inr, Rejected) and inr.reason is Reason.NOT_VALID_HERE
    assert "INR" in inr.message and "USD" in inr.message
    usd = evaluate(offer("trade", fixed, currency="USD"), priced_slot(**USD_SESSION), facts())
    assert isinstance(usd, Eligible) and usd.discount == D("2.00")  # $3.00 of energy for $1


def test_a_mixed_definition_is_refused_and_valid_nowhere() -> None:
    terms = EnergyTradeTerms(
        PricingModel.TIME_OF_DAY,
        time_of_day_rates=(TimeOfDayRate(dt.time(9), dt.time(17), D("12"), "INR"),),
        wheeling=WheelingCharges(D("0.10"), "USD", "grid"),
    )
    mixed = offer("mixed", terms, currency="INR")
    assert validate_offer(mixed) == ["wheeling charge is in USD, but the offer is in INR"]
    for currency in ("INR", "USD"):
        outcome = evaluate(mixed, priced_slot(currency=currency), facts())
        assert isinstance(outcome, Rejected) and outcome.reason is Reason.NOT_VALID_HERE
    assert validate_offer(offer("x", currency="inr")) == [
        "currency must be an ISO 4217 code like INR, not 'inr'"
    ]


@given(st.data(), st.sampled_from(Combination))
def test_no_discount_ever_crosses_currencies(data: st.DataObject, combination: Combination) -> None:
    """Random offers and tariffs in INR and USD: every discount (and wheeling charge) given
    comes from an offer stated wholly in the session's currency, on both paths."""
    offers = data.draw(offer_lists())
    session = data.draw(sessions())
    f = data.draw(session_facts([o.id for o in offers]))
    currency = session.tariff.currency
    slow = best_offers(offers, session, f, combination)
    fast = quote_offers(OfferIndex(offers), session, f, combination)
    by_id = {o.id: o for o in offers}
    for result in (slow, fast):
        for applied in result.applied:
            assert by_id[applied.offer_id].currencies == {currency}, applied
    for o in offers:
        outcome = evaluate(o, session, f)
        if o.currencies != {currency}:
            assert isinstance(outcome, Rejected), o
            assert outcome.reason in {Reason.NOT_VALID_HERE, Reason.NOT_STARTED, Reason.EXPIRED}
