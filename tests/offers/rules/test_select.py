"""The combination policy, with the worked examples of docs/offers.md.

Session: 10 kWh at ₹18 (energy 180.00) + service fee 10.00 = gross 190.00.
"""

from dataclasses import replace
from decimal import Decimal as D

from offers.rules.bases import SessionView
from offers.rules.choose import Combination, quote_offers
from offers.rules.construct import (
    Base,
    EnergyTradeTerms,
    FixedOff,
    Holdout,
    PercentOff,
    PricingModel,
    ServiceFeeWaiver,
    WheelingCharges,
)
from offers.rules.evaluate import evaluate_in
from offers.rules.facts import Limits
from offers.rules.index import OfferIndex
from offers.rules.outcome import Applied, Eligible, Reason, Rejected, outranked
from offers.rules.session_view import QuoteContext
from pricing.engine.types import LineKind
from tests.offers.rules.helpers import total_discount
from tests.support.offers import best_offers
from tests.support.scenarios.offer_mix import build_network, build_offers
from tests.support.scenarios.offer_sessions import build_sessions

from .helpers import facts, offer, priced_slot

SESSION = priced_slot(kwh="10", rate="18", fee="10")
PCT25 = offer("x-25pct", PercentOff(D("25")))  # exclusive, 45.00
FLAT50 = offer("x-flat50", FixedOff(D("50")))  # exclusive, 50.00
ADD10 = offer("a-10pct", PercentOff(D("10")), additive=True, priority=10)
ADD20 = offer("a-20pct", PercentOff(D("20")), additive=True, priority=5)
WAIVER = offer("a-fee", ServiceFeeWaiver(), additive=True, priority=1)


def amounts(result) -> list[tuple[str, D]]:  # type: ignore[no-untyped-def]
    return [(ln.code, ln.amount) for ln in result.lines]


def test_exclusive_offers_compete_on_the_saving() -> None:
    result = best_offers([PCT25, FLAT50], SESSION, facts())
    assert amounts(result) == [("x-flat50", D("-50.00"))]
    (lost,) = result.rejected
    assert (lost.offer_id, lost.reason) == ("x-25pct", Reason.OUTRANKED)
    assert lost.message == (
        "Offer x-25pct cannot be combined with the offers that give the best price, "
        "which save ₹50.00"
    )


def test_exclusive_ties_go_to_priority_then_id() -> None:
    flat45 = offer("x-flat45", FixedOff(D("45")), priority=5)
    assert amounts(best_offers([PCT25, flat45], SESSION, facts())) == [("x-flat45", D("-45.00"))]
    same = replace(flat45, meta=replace(flat45.meta, priority=0))
    assert amounts(best_offers([same, PCT25], SESSION, facts())) == [("x-25pct", D("-45.00"))]


def test_additives_stack_in_priority_order_on_what_is_left() -> None:
    result = best_offers([WAIVER, ADD20, ADD10], SESSION, facts())
    # 10 % of 180 = 18.00; 20 % of the 162.00 left = 32.40; the fee 10.00
    assert amounts(result) == [
        ("a-10pct", D("-18.00")),
        ("a-20pct", D("-32.40")),
        ("a-fee", D("-10.00")),
    ]
    assert total_discount(result) == D("60.40")
    assert result.lines[0].tags == (("type", "discount"), ("additive", "yes"), ("auto", "yes"))


def test_best_of_exclusive_alone_and_the_additive_stack() -> None:
    stack_wins = best_offers([PCT25, ADD10, ADD20, WAIVER], SESSION, facts())
    assert total_discount(stack_wins) == D("60.40")  # beats 45.00
    assert [r.offer_id for r in stack_wins.rejected] == ["x-25pct"]
    exclusive_wins = best_offers([PCT25, ADD10, WAIVER], SESSION, facts())
    assert amounts(exclusive_wins) == [("x-25pct", D("-45.00"))]  # beats 18 + 10
    assert {r.reason for r in exclusive_wins.rejected} == {Reason.OUTRANKED}


def test_additives_on_top_of_an_exclusive_when_the_policy_allows() -> None:
    result = best_offers(
        [PCT25, ADD10, WAIVER], SESSION, facts(), Combination.EXCLUSIVE_PLUS_ADDITIVES
    )
    # 45.00, then 10 % of the 135.00 left, then the fee
    assert amounts(result) == [
        ("x-25pct", D("-45.00")),
        ("a-10pct", D("-13.50")),
        ("a-fee", D("-10.00")),
    ]


def test_discounts_never_exceed_their_base() -> None:
    big_energy = offer("a1", FixedOff(D("150"), Base.ENERGY), additive=True, priority=4)
    half = offer("a2", PercentOff(D("50")), additive=True, priority=3)
    gross = offer("a3", FixedOff(D("100")), additive=True, priority=2)
    fee = offer("a4", ServiceFeeWaiver(), additive=True, priority=1)
    result = best_offers([big_energy, half, gross, fee], SESSION, facts())
    # 150 of the energy, 50 % of the 30 left, then the gross has 25 left, the fee nothing
    assert amounts(result) == [("a1", D("-150.00")), ("a2", D("-15.00")), ("a3", D("-25.00"))]
    assert total_discount(result) == SESSION.gross
    (dropped,) = result.rejected
    assert (dropped.offer_id, dropped.reason) == ("a4", Reason.NO_BENEFIT)
    assert dropped.message == "Offer a4 has nothing left to discount after the offers before it"


def test_budget_is_cut_per_offer_inside_a_stack() -> None:
    limits = {"a-20pct": Limits(remaining_budget=D("7.25"))}
    result = best_offers([ADD10, ADD20], SESSION, facts(limits=limits))
    assert amounts(result) == [("a-10pct", D("-18.00")), ("a-20pct", D("-7.25"))]


def test_code_that_matches_nothing_is_reported() -> None:
    result = best_offers([PCT25], SESSION, facts(unmatched_codes=("XMAS99",)))
    (unknown,) = result.rejected
    assert (unknown.offer_id, unknown.reason, unknown.message) == (
        "",
        Reason.CODE_UNKNOWN,
        "Code XMAS99 matches no offer",
    )
    assert total_discount(result) == D("45.00")


def test_held_out_winner_is_recorded_for_roi_without_a_discount() -> None:
    held = replace(PCT25, holdout=Holdout(D("1")))
    small = offer("x-5pct", PercentOff(D("5")))
    result = best_offers([held, small], SESSION, facts())
    assert amounts(result) == [("x-5pct", D("-9.00"))]
    assert result.applied[-1] == Applied("x-25pct", D("0"), Base.ENERGY, held_out=True)
    assert result.applied_ids() == ("x-5pct",)
    assert [(r.offer_id, r.reason) for r in result.rejected] == [("x-25pct", Reason.HELD_OUT)]


def test_held_out_loser_is_not_recorded_as_exposure() -> None:
    held = replace(offer("x-5pct", PercentOff(D("5"))), holdout=Holdout(D("1")))
    result = best_offers([held, PCT25], SESSION, facts())
    assert [a.offer_id for a in result.applied] == ["x-25pct"]


def test_energy_trade_competes_on_its_net_saving_and_adds_a_wheeling_line() -> None:
    terms = EnergyTradeTerms(
        PricingModel.PER_KWH,
        rate_per_kwh=D("12"),
        wheeling=WheelingCharges(D("2.50"), "INR", "Grid wheeling charge"),
    )
    trade = offer("trade", terms, title="Green energy at ₹12/kWh")
    alone = best_offers([trade], SESSION, facts())
    assert [(ln.kind, ln.amount) for ln in alone.lines] == [
        (LineKind.DISCOUNT, D("-60.00")),
        (LineKind.WHEELING, D("2.50")),
    ]
    assert alone.lines[1].title == "Grid wheeling charge"
    assert alone.applied[0].wheeling == D("2.50")
    flat58 = offer("x-flat58", FixedOff(D("58")))  # 58.00 beats 60.00 - 2.50
    assert amounts(best_offers([trade, flat58], SESSION, facts())) == [("x-flat58", D("-58.00"))]


def test_nothing_eligible_gives_no_lines() -> None:
    result = best_offers([], SESSION, facts())
    assert (result.lines, result.applied, result.rejected) == ((), (), ())


def test_outranked_wording() -> None:
    assert outranked("x-25pct", D("50"), "INR") == Rejected(
        "x-25pct",
        Reason.OUTRANKED,
        "Offer x-25pct cannot be combined with the offers that give the best price, "
        "which save ₹50.00",
    )
    assert outranked("x", D("2.5"), "USD").message == (
        "Offer x cannot be combined with the offers that give the best price, which save $2.50"
    )


def test_outranked_offers_are_worded_when_read_as_a_scan_of_every_offer_words_them() -> None:
    network = build_network(50)
    offers = build_offers(300, network=network)
    index = OfferIndex(offers)
    seen = 0
    for session, buyer in build_sessions(network, 60, offers=offers):
        result = quote_offers(index, session, buyer)
        assert result._rejected is None  # nothing worded until someone reads it
        view = SessionView.of(session)
        eligible = [
            p.id
            for p in index.candidates_for(QuoteContext.of(session, buyer))
            if isinstance(evaluate_in(p.offer, view, buyer), Eligible)
        ]
        saving = sum((a.discount - a.wheeling for a in result.applied if not a.held_out), D(0))
        applied = {a.offer_id for a in result.applied}
        expected = [
            Rejected(
                offer_id,
                Reason.OUTRANKED,
                f"Offer {offer_id} cannot be combined with the offers that give the best "
                f"price, which save ₹{saving.quantize(D('0.01'))}",
            )
            for offer_id in eligible
            if offer_id not in applied
        ]
        rejected = result.rejected
        assert [r for r in rejected if r.reason is Reason.OUTRANKED] == expected
        assert result.rejected is rejected  # worded once, then kept
        # a scan of every offer (then select_in) words them alike
        reference = best_offers(offers, session, buyer)
        assert set(rejected) <= set(reference.rejected)
        assert result == quote_offers(index, session, buyer)
        seen += len(expected)
    assert seen > 60
