"""The fast path against the reference, over random offers, sessions, customers and codes:
the index never drops an offer that could apply, a compiled offer evaluates exactly like
evaluate(), and quote_offers() gives what a scan of every offer gives."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from offers.rules.compiled import CompiledOffer
from offers.rules.context import QuoteContext
from offers.rules.evaluate import evaluate
from offers.rules.facts import OfferFacts
from offers.rules.index import OfferIndex
from offers.rules.outcome import Eligible, Fit, Reason
from offers.rules.select import Combination, best_offers, quote_offers
from offers.rules.types import Applicability, Offer
from pricing.engine.types import PricedSession

from .strategies import offer_lists, session_facts, sessions

# What the index decides: every reason evaluate() can find before the code's match, the
# use limits and the benefit. An offer the index drops must be rejected for one of these.
INDEXED = {
    Reason.NOT_STARTED,
    Reason.EXPIRED,
    Reason.NOT_VALID_HERE,
    Reason.NOT_VALID_NOW,
    Reason.BELOW_MIN_VALUE,
    Reason.BELOW_MIN_KWH,
    Reason.ABOVE_MAX_KWH,
    Reason.SEGMENT,
    Reason.TIER,
    Reason.MEMBERS_ONLY,
    Reason.FIRST_SESSION_ONLY,
    Reason.REFERRAL_ONLY,
    Reason.NOT_ANNIVERSARY,
    Reason.CODE_REQUIRED,
}

PLACE_OR_TIME = {Reason.NOT_STARTED, Reason.EXPIRED, Reason.NOT_VALID_HERE, Reason.NOT_VALID_NOW}
Case = tuple[list[Offer], PricedSession, OfferFacts]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Half the time the offers are open everywhere and always, so that the customer,
    the amounts and the codes decide (place and time would otherwise reject most)."""
    offers = draw(offer_lists())
    if draw(st.booleans()):
        offers = [replace(o, operator_code="op1", applicability=Applicability()) for o in offers]
    return offers, draw(sessions()), draw(session_facts([o.id for o in offers]))


@given(cases())
def test_index_never_loses_an_offer_that_could_apply(case: Case) -> None:
    offers, session, facts = case
    found = {o.id for o in OfferIndex.build(offers).for_quote(session, facts)}
    for o in offers:
        outcome = evaluate(o, session, facts)
        if isinstance(outcome, Eligible) or outcome.reason is Reason.HELD_OUT:
            assert o.id in found, (o, outcome)
        elif o.id not in found:
            assert outcome.reason in INDEXED, (o, outcome)


@given(cases())
def test_the_offers_of_the_place_and_day_are_all_there(case: Case) -> None:
    """for_session: every offer rejected for anything but place or time is kept, so a
    caller can say why it did not apply."""
    offers, session, facts = case
    found = {o.id for o in OfferIndex.build(offers).for_session(session, facts)}
    for o in offers:
        outcome = evaluate(o, session, facts)
        if isinstance(outcome, Eligible) or outcome.reason not in PLACE_OR_TIME:
            assert o.id in found, (o, outcome)


@given(cases())
def test_a_compiled_offer_evaluates_exactly_like_evaluate(case: Case) -> None:
    offers, session, facts = case
    ctx = QuoteContext.of(session, facts)
    for o in offers:
        assert CompiledOffer(o).evaluate(ctx) == evaluate(o, session, facts)


@given(cases())
def test_a_candidate_needs_only_the_checks_the_index_does_not_decide(case: Case) -> None:
    offers, session, facts = case
    ctx = QuoteContext.of(session, facts)
    for candidate in OfferIndex.build(offers).compiled_for(ctx):
        outcome = candidate.assess_candidate(ctx)
        expected = evaluate(candidate.offer, session, facts)
        assert (outcome.eligible() if isinstance(outcome, Fit) else outcome) == expected


@given(cases(), st.sampled_from(Combination))
def test_quote_offers_gives_what_a_scan_of_every_offer_gives(
    case: Case, combination: Combination
) -> None:
    offers, session, facts = case
    fast = quote_offers(OfferIndex.build(offers), session, facts, combination)
    slow = best_offers(offers, session, facts, combination)
    assert (fast.lines, fast.applied) == (slow.lines, slow.applied)
    assert set(fast.rejected) <= set(slow.rejected)
