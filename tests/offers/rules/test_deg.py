"""The DEG offer page's numbers: 25 % off the energy, minimum session value 50, cap 100."""

from decimal import Decimal as D

from offers.rules.construct import Base
from offers.rules.evaluate import evaluate
from offers.rules.facts import PresentedCode
from offers.rules.outcome import Eligible
from offers.rules.settle import redeemed_on_delivery
from pricing.engine.types import LineKind
from tests.offers.rules.helpers import total_discount
from tests.support.offers import best_offers

from .helpers import deg_weekend_offer, facts, priced_slot


def test_quote_five_kwh_at_18_gives_minus_22_50() -> None:
    session = priced_slot(kwh="5", rate="18", fee="10")
    assert session.energy_cost == D("90.00")
    assert session.gross == D("100.00")
    result = best_offers([deg_weekend_offer()], session, facts())
    (line,) = result.lines
    assert line.kind is LineKind.DISCOUNT
    assert line.code == "weekend-discount-25"
    assert line.title == "Weekend Special Offer (25% off)"
    assert line.amount == D("-22.50")
    assert line.tax_rate == D("0.18")
    assert line.tags == (("type", "discount"), ("additive", "no"), ("auto", "yes"))
    (applied,) = result.applied
    assert (applied.offer_id, applied.discount, applied.base) == (
        "weekend-discount-25",
        D("22.50"),
        Base.ENERGY,
    )
    assert not applied.held_out
    assert result.rejected == ()


def test_settled_on_5_2_kwh_gives_minus_23_40() -> None:
    delivered = priced_slot(kwh="5.2", rate="18", fee="10")
    assert delivered.energy_cost == D("93.60")
    result = redeemed_on_delivery([deg_weekend_offer()], delivered, facts())
    assert [ln.amount for ln in result.lines] == [D("-23.40")]
    assert total_discount(result) == D("23.40")


def test_code_used_is_recorded() -> None:
    codes = {"weekend-discount-25": PresentedCode("WEEKEND25", matched=True)}
    outcome = evaluate(deg_weekend_offer(), priced_slot(), facts(codes=codes))
    assert isinstance(outcome, Eligible)
    assert outcome.code == "WEEKEND25"
    assert outcome.discount == D("22.50")


def test_cap_of_100_binds_on_a_big_session() -> None:
    result = best_offers([deg_weekend_offer()], priced_slot(kwh="40", rate="18"), facts())
    # 25 % of 720 is 180; the cap is 100
    assert [ln.amount for ln in result.lines] == [D("-100.00")]
