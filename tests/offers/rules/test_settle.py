"""Settlement on delivered energy, and reversals capped by what was given."""

from decimal import Decimal as D

import pytest

from offers.rules.construct import PercentOff, ServiceFeeWaiver
from offers.rules.facts import Limits
from offers.rules.outcome import Reason
from offers.rules.settle import redeemed_on_delivery, reversal_amount
from tests.offers.rules.helpers import total_discount
from tests.support.offers import best_offers

from .helpers import deg_weekend_offer, facts, offer, priced_slot


def test_settlement_keeps_the_combination_and_its_order() -> None:
    a = offer("a-10", PercentOff(D("10")), additive=True, priority=2)
    b = offer("a-fee", ServiceFeeWaiver(), additive=True, priority=1)
    quoted = best_offers([b, a], priced_slot(kwh="5"), facts())
    assert total_discount(quoted) == D("19.00")  # 9.00 + 10.00
    by_id = {o.id: o for o in (a, b)}
    redeemed = [by_id[i] for i in quoted.applied_ids()]
    settled = redeemed_on_delivery(redeemed, priced_slot(kwh="7.5"), facts())
    assert [(ln.code, ln.amount) for ln in settled.lines] == [
        ("a-10", D("-13.50")),
        ("a-fee", D("-10.00")),
    ]


def test_used_up_limits_and_codes_do_not_undo_a_redemption() -> None:
    opt_in = offer("c", PercentOff(D("10")), auto=False)
    spent = facts(limits={"c": Limits(remaining_uses=0, remaining_customer_uses=0)})
    settled = redeemed_on_delivery([opt_in], priced_slot(kwh="5.2"), spent)
    assert [ln.amount for ln in settled.lines] == [D("-9.36")]


def test_a_qualifier_lost_on_delivery_reverses_the_offer() -> None:
    settled = redeemed_on_delivery(
        [deg_weekend_offer()], priced_slot(kwh="2", rate="18", fee="10"), facts()
    )
    assert settled.lines == ()
    (lost,) = settled.rejected
    assert lost.reason is Reason.BELOW_MIN_VALUE
    assert lost.message.endswith("this one is ₹46.00")


@pytest.mark.parametrize(
    ("given", "already", "requested", "expected"),
    [
        ("200", "0", "50", "50.00"),
        ("200", "50", "200", "150.00"),
        ("200", "200", "10", "0.00"),
        ("22.50", "0", "22.50", "22.50"),
    ],
)
def test_reversal_never_exceeds_what_was_given(
    given: str, already: str, requested: str, expected: str
) -> None:
    assert reversal_amount(D(given), D(already), D(requested)) == D(expected)


def test_reversal_refuses_impossible_histories() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        reversal_amount(D("10"), D("11"), D("1"))
    with pytest.raises(ValueError, match="positive"):
        reversal_amount(D("10"), D("0"), D("-1"))
