"""The one quote composition (offers.rules.composition): each kind of offers argument gives the
quote the step it stands for would give by hand."""

from decimal import Decimal as D

import pytest

from offers.rules.composition import Compete, Recheck, Recorded, Refused, Settle, compose
from offers.rules.construct import Base, PercentOff, ServiceFeeWaiver
from offers.rules.facts import Limits
from offers.rules.index import OfferIndex
from offers.rules.outcome import Applied, Reason
from offers.rules.stacking import discount_line
from pricing.engine import finalize
from pricing.engine.types import LineKind
from tests.offers.rules.helpers import total_discount
from tests.support.offers import best_offers

from .rules.helpers import deg_weekend_offer, facts, offer, priced_slot


def _offers():
    return [
        deg_weekend_offer(),
        offer("a-10", PercentOff(D("10")), additive=True, priority=2),
        offer("a-fee", ServiceFeeWaiver(), additive=True, priority=1),
    ]


@pytest.mark.parametrize("explain", [False, True])
def test_compete_gives_the_best_offers_taxed_after_discounts(explain: bool) -> None:
    session, offers = priced_slot(kwh="5"), _offers()
    competed = Compete(OfferIndex(offers), explain=explain)
    composed = compose(session, competed, facts())
    by_hand = best_offers(offers, session, facts())
    assert composed.quote == finalize(session, by_hand.lines)
    assert [a.offer_id for a in composed.applied] == list(by_hand.applied_ids())
    assert composed.quote.sum_of(LineKind.DISCOUNT) == -total_discount(by_hand)


def test_without_offers_the_session_is_only_taxed() -> None:
    session = priced_slot(kwh="5")
    composed = compose(session, None, facts())
    assert composed.quote == finalize(session) and composed.applied == ()
    assert composed.quote.total == D("116.20")  # 90 + 18 % GST, the untaxed ₹10 fee


def test_facts_for_completes_the_facts_of_the_offers_evaluated() -> None:
    offers = _offers()
    asked: list[str] = []

    def used_up(todo):
        asked.extend(o.id for o in todo)
        return facts(limits={o.id: Limits(remaining_uses=0) for o in todo})

    composed = compose(priced_slot(kwh="5"), Compete(OfferIndex(offers)), facts(),
                       facts_for=used_up)  # fmt: skip
    assert sorted(asked) == sorted(o.id for o in offers)
    assert composed.applied == ()
    assert {r.reason for r in composed.rejected} == {Reason.LIMIT_REACHED}


def test_recheck_refuses_an_offer_that_no_longer_applies() -> None:
    weekend = deg_weekend_offer()
    spent = facts(limits={weekend.id: Limits(remaining_uses=0)})
    with pytest.raises(Refused) as refused:
        compose(priced_slot(kwh="5"), Recheck((weekend,)), spent)
    assert refused.value.rejected.reason is Reason.LIMIT_REACHED
    again = compose(priced_slot(kwh="5"), Recheck((weekend,)), facts())
    assert [(a.offer_id, a.discount) for a in again.applied] == [(weekend.id, D("22.50"))]


def test_settle_reverses_an_offer_whose_qualifier_no_longer_holds() -> None:
    weekend = deg_weekend_offer()
    settled = compose(priced_slot(kwh="2", rate="18", fee="10"), Settle((weekend,)), facts())
    assert settled.applied == () and settled.quote.sum_of(LineKind.DISCOUNT) == 0
    assert [r.reason for r in settled.rejected] == [Reason.BELOW_MIN_VALUE]
    more = compose(priced_slot(kwh="5.2"), Settle((weekend,)), facts())
    assert [a.discount for a in more.applied] == [D("23.40")]  # DEG: 25 % of 93.60


def test_recorded_amounts_are_taxed_as_they_were_given() -> None:
    session, weekend = priced_slot(kwh="5"), deg_weekend_offer()
    line = discount_line(weekend, D("20.00"), session)
    recorded = Recorded((line,), (Applied(weekend.id, D("20.00"), Base.GROSS),))
    composed = compose(session, recorded, facts())
    assert composed.quote == finalize(session, [line])
    assert composed.quote.total == D("92.60")  # (90 - 20) + 18 % GST, the ₹10 fee
