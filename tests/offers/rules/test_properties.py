"""Invariants over random offers and sessions."""

from hypothesis import given
from hypothesis import strategies as st

from offers.rules.bases import SessionView
from offers.rules.choose import Combination
from offers.rules.construct import Base, OfferRule
from offers.rules.evaluate import evaluate
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Eligible
from offers.rules.settle import redeemed_on_delivery
from offers.rules.stacking import single, stack
from pricing.engine.amounts import ZERO, money
from pricing.engine.types import LineKind, PricedSession
from tests.offers.rules.helpers import total_discount
from tests.support.offers import best_offers

from .strategies import offer_lists, session_facts, sessions


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[OfferRule], PricedSession, OfferFacts]:
    offers = draw(offer_lists())
    return offers, draw(sessions()), draw(session_facts([o.id for o in offers]))


@given(cases(), st.sampled_from(Combination))
def test_discounts_stay_within_their_bases_caps_and_budgets(
    case: tuple[list[OfferRule], PricedSession, OfferFacts], combination: Combination
) -> None:
    offers, session, facts = case
    result = best_offers(offers, session, facts, combination)
    by_id = {o.id: o for o in offers}
    fee = sum((ln.amount for ln in session.lines if ln.kind is LineKind.SERVICE_FEE), ZERO)
    per_base = dict.fromkeys(Base, ZERO)
    for a in result.applied:
        assert a.discount >= 0
        per_base[a.base] += a.discount
        offer = by_id[a.offer_id]
        if offer.max_discount is not None:
            assert a.discount <= offer.max_discount
        budget = facts.limits_for(a.offer_id).remaining_budget
        if budget is not None:
            assert a.discount <= budget
    assert per_base[Base.ENERGY] <= session.energy_cost
    assert per_base[Base.SERVICE_FEE] <= fee
    assert sum(per_base.values(), ZERO) <= session.gross
    discounts = [ln.amount for ln in result.lines if ln.kind is LineKind.DISCOUNT]
    assert all(d < 0 and d == money(d) for d in discounts)
    assert -sum(discounts, ZERO) == total_discount(result)
    assert session.gross + sum(discounts, ZERO) >= 0  # never a negative session

    # the best is at least as good as any exclusive offer alone, and an offer alone
    # (taken from evaluate) is exactly the stack of that one offer
    net = total_discount(result) - sum((a.wheeling for a in result.applied), ZERO)
    view = SessionView.of(session)
    for outcome in (evaluate(o, session, facts) for o in offers):
        if isinstance(outcome, Eligible):
            assert single(outcome, session) == stack([outcome], view, facts)
            if not outcome.offer.meta.additive:
                assert net >= outcome.net

    # settling the very session that was quoted reproduces the quote
    settled = redeemed_on_delivery([by_id[i] for i in result.applied_ids()], session, facts)
    assert settled.lines == result.lines
