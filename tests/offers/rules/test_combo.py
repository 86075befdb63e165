"""ONDC combo offers in the pure rules: the combo's value (session and qualifying add-ons),
its cap, the session limit, and how combos compete or stack with the regular selection.

The session is 5 kWh at ₹18 plus the ₹10 fee: ₹100 before tax.
"""

from __future__ import annotations

from decimal import Decimal

from offers.rules.bases import SessionView
from offers.rules.combo import (
    OrderExtras,
    combine,
    evaluate_combo,
    settle_combos,
)
from offers.rules.construct import ComboTerms, FixedOff, Meta, OndcOfferType, PercentOff, Qualifier
from offers.rules.outcome import Eligible, OfferResult, Reason, Rejected
from offers.rules.validate import validate_offer
from pricing.engine import finalize
from pricing.engine.types import LineKind, QuoteLine
from tests.offers.rules.helpers import facts, offer, priced_slot, total_discount
from tests.support.offers import best_offers

D = Decimal
VALET = QuoteLine(LineKind.ADDON, "valet-charging", "Valet", D("149.00"), tax_rate=D("0.18"))
CAFE = QuoteLine(LineKind.ADDON, "cafe-voucher", "Cafe voucher", D("120.00"), tax_rate=D("0.05"))
PARKING = QuoteLine(LineKind.ADDON, "parking", "Parking", D("30.00"), tax_rate=D("0.18"))


def combo(offer_id="combo1", benefit=None, secondary=("valet-charging",), cap="100", **kw):
    return offer(
        offer_id,
        benefit or PercentOff(D("10")),
        combo=ComboTerms(frozenset(secondary)),
        max_discount=None if cap is None else D(cap),
        **kw,
    )


def extras(*lines: QuoteLine) -> OrderExtras:
    return OrderExtras(item_ids=frozenset({"pe-charging-01"}), add_ons=lines)


def view(kwh="5"):
    return SessionView.of(priced_slot(kwh=kwh))


def test_a_combo_is_its_own_ondc_type_and_validates():
    assert combo().offer_type is OndcOfferType.COMBO
    assert validate_offer(combo()) == []
    assert validate_offer(combo(secondary=())) == [
        "combo needs at least one secondary item or add-on (item_id)"
    ]


def test_percent_of_the_session_and_the_qualifying_add_ons():
    outcome = evaluate_combo(combo(), view(), facts(), extras(VALET, CAFE))
    assert isinstance(outcome, Eligible)
    assert outcome.discount == D("24.90")  # 10% of 100 + 149; the cafe is not in the combo


def test_the_value_cap_applies():
    big = combo(benefit=PercentOff(D("50")), cap="60")
    assert evaluate_combo(big, view(), facts(), extras(VALET)).discount == D("60.00")


def test_never_more_than_what_is_left_of_the_session():
    fixed = combo(benefit=FixedOff(D("150")), cap="150")
    assert evaluate_combo(fixed, view(), facts(), extras(VALET)).discount == D("100.00")
    after = evaluate_combo(fixed, view(), facts(), extras(VALET), taken=D("90"))
    assert after.discount == D("10.00")


def test_without_a_secondary_add_on_the_combo_is_rejected_with_its_items():
    outcome = evaluate_combo(
        combo(secondary=("valet-charging", "reserved-bay")), view(), facts(), extras(CAFE)
    )
    assert isinstance(outcome, Rejected)
    assert outcome.reason is Reason.COMBO_INCOMPLETE
    assert outcome.message == (
        "Offer combo1 needs the charging session with one of: reserved-bay, valet-charging"
    )


def test_the_minimum_value_is_read_on_the_cart_with_add_ons():
    needy = combo(qualifier=Qualifier(min_session_value=D("200")))
    assert isinstance(evaluate_combo(needy, view(), facts(), extras(VALET)), Eligible)  # 249
    short = evaluate_combo(
        combo(secondary=("parking",), qualifier=Qualifier(min_session_value=D("200"))),
        view(),
        facts(),
        extras(PARKING),
    )  # 130
    assert isinstance(short, Rejected) and short.reason is Reason.BELOW_MIN_VALUE


def _regular(*offers):
    return best_offers(list(offers), priced_slot(), facts())


def _combine(regular, *combos, lines=(VALET,)):
    v, f, x = view(), facts(), extras(*lines)
    return combine(regular, [evaluate_combo(c, v, f, x) for c in combos], v, f, x)


def test_an_exclusive_combo_beats_a_smaller_exclusive_regular_offer():
    regular = _regular(offer("weekend", PercentOff(D("25"))))  # 22.50 off the energy
    result = _combine(regular, combo())  # 24.90
    assert result.applied_ids() == ("combo1",)
    assert [(ln.code, ln.amount, dict(ln.tags)["type"]) for ln in result.lines] == [
        ("combo1", D("-24.90"), "combo")
    ]
    assert result.rejection("weekend").reason is Reason.OUTRANKED


def test_a_smaller_exclusive_combo_loses_to_the_regular_offer():
    regular = _regular(offer("weekend", PercentOff(D("25"))))
    small = combo(secondary=("parking",))  # 10% of 130 = 13.00
    result = _combine(regular, small, lines=(PARKING,))
    assert result.applied_ids() == ("weekend",)
    assert result.rejection("combo1").reason is Reason.OUTRANKED


def test_additive_combos_stack_on_additive_offers_each_on_what_is_left():
    regular = _regular(offer("highway", PercentOff(D("10")), additive=True))  # 9.00
    cafe = combo("cafe30", FixedOff(D("30")), secondary=("cafe-voucher",), cap="30", additive=True)
    result = _combine(regular, cafe, lines=(CAFE,))
    assert [(ln.code, ln.amount) for ln in result.lines] == [
        ("highway", D("-9.00")),
        ("cafe30", D("-30.00")),
    ]
    quote = finalize(priced_slot(), [*result.lines, CAFE])
    assert [(ln.title, ln.amount) for ln in quote.lines if ln.kind is LineKind.TAX] == [
        ("GST (18%)", D("9.18")),  # (90 - 9 - 30) x 18% (this helper's fee is untaxed)
        ("GST (5%)", D("6.00")),  # the cafe voucher keeps its own rate and value
    ]
    assert quote.total == D("196.18")


def test_an_additive_combo_never_stacks_on_an_exclusive_offer():
    regular = _regular(offer("weekend", PercentOff(D("25"))))  # exclusive, 22.50
    cafe = combo("cafe30", FixedOff(D("30")), secondary=("cafe-voucher",), cap="30", additive=True)
    result = _combine(regular, cafe, lines=(CAFE,))
    assert result.applied_ids() == ("cafe30",)  # 30 alone beats 22.50 alone
    assert [ln.code for ln in result.lines] == ["cafe30"]
    small = combo("cafe10", FixedOff(D("10")), secondary=("cafe-voucher",), cap="10", additive=True)
    result = _combine(regular, small, lines=(CAFE,))
    assert result.applied_ids() == ("weekend",)
    assert result.rejection("cafe10").reason is Reason.OUTRANKED


def test_nothing_to_combine_leaves_the_regular_result_alone():
    regular = _regular(offer("weekend", PercentOff(D("25"))))
    result = _combine(regular, combo(), lines=())
    assert result.lines == regular.lines
    assert result.rejection("combo1").reason is Reason.COMBO_INCOMPLETE


def test_settlement_recomputes_on_the_add_ons_delivered():
    redeemed = [combo()]
    delivered = SessionView.of(priced_slot(kwh="6"))  # 108 + 10 = 118
    kept = settle_combos(redeemed, delivered, facts(), extras(VALET), OfferResult((), (), ()))
    assert kept.applied_ids() == ("combo1",)
    assert total_discount(kept) == D("26.70")  # 10% of 118 + 149
    gone = settle_combos(redeemed, delivered, facts(), extras(), OfferResult((), (), ()))
    assert gone.applied_ids() == ()
    assert gone.rejection("combo1").reason is Reason.COMBO_INCOMPLETE


def test_combo_quote_line_carries_the_ondc_offer_tags():
    exclusive = combo(meta=Meta(auto=True, additive=False))
    result = _combine(OfferResult((), (), ()), exclusive)
    assert dict(result.lines[0].tags) == {"type": "combo", "additive": "no", "auto": "yes"}
