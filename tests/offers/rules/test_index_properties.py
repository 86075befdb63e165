"""The index and the quote's two scopes, over random offers, sessions, customers and codes:
the index never drops an offer that could apply, a candidate read only on what the index
left open gets the outcome of all its conditions, and quote_offers() gives the same quote
explained or not, which is what a scan of every offer gives."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from offers.rules.choose import Combination, quote_offers
from offers.rules.construct import Applicability, OfferRule
from offers.rules.evaluate import assess, evaluate
from offers.rules.facts import OfferFacts
from offers.rules.index import OfferIndex
from offers.rules.outcome import Eligible, Reason
from offers.rules.session_view import QuoteContext
from pricing.engine.types import PricedSession
from tests.support.offers import best_offers

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
Case = tuple[list[OfferRule], PricedSession, OfferFacts]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Half the time the offers are open everywhere and always, so that the customer,
    the amounts and the codes decide (place and time would otherwise reject most)."""
    offers = draw(offer_lists())
    if draw(st.booleans()):
        offers = [replace(o, operator_code="op1", applicability=Applicability()) for o in offers]
    return offers, draw(sessions()), draw(session_facts([o.id for o in offers]))


# Two tests, not five: drawing the case is most of the time, so each draw checks several
# properties (the assertion messages say which).


@given(cases())
def test_the_index_never_drops_an_offer_that_could_apply(case: Case) -> None:
    offers, session, facts = case
    index = OfferIndex(offers)
    for_quote = {o.id for o in index.for_quote(session, facts)}
    explained = {o.id for o in index.for_quote(session, facts, explain=True)}
    for o in offers:
        outcome = evaluate(o, session, facts)
        could_apply = isinstance(outcome, Eligible) or outcome.reason is Reason.HELD_OUT
        if could_apply:
            assert o.id in for_quote, ("for_quote lost it", o, outcome)
        elif o.id not in for_quote:
            assert outcome.reason in INDEXED, ("for_quote dropped it for", o, outcome)
        # explained, the index keeps every offer of the place and day, so a quote can say why
        if isinstance(outcome, Eligible) or outcome.reason not in PLACE_OR_TIME:
            assert o.id in explained, ("the explained quote lost it", o, outcome)


@given(cases(), st.sampled_from(Combination))
def test_explained_or_not_the_quote_is_the_same(case: Case, combination: Combination) -> None:
    offers, session, facts = case
    index = OfferIndex(offers)
    ctx = QuoteContext.of(session, facts)
    # an offer read only on what the index left open, or from the first group of
    # conditions the index says it fails, gets the outcome all its conditions give
    for explain in (False, True):
        found, scopes = index.to_evaluate(ctx, explain=explain)
        assert assess(found, ctx, scopes) == assess(found, ctx), ("scoped", explain)
    fast = quote_offers(index, session, facts, combination)
    explained = quote_offers(index, session, facts, combination, explain=True)
    every = best_offers(offers, session, facts, combination)
    # the same applied offers and amounts, the same lines
    assert (fast.lines, fast.applied) == (explained.lines, explained.applied)
    assert (fast.lines, fast.applied) == (every.lines, every.applied)
    # each reason given is the one a scan of every offer gives; explained, every offer of
    # the place and day not applied has its reason
    assert set(fast.rejected) <= set(explained.rejected) <= set(every.rejected)
    applied = {a.offer_id for a in explained.applied if not a.held_out}
    told = {r.offer_id for r in explained.rejected}
    for o in index.for_quote(session, facts, explain=True):
        assert o.id in applied or o.id in told, ("no reason given", o)
