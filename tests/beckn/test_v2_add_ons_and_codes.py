"""Add-ons and offer codes in Beckn 2.0, on 1.1's commerce path: shown in the catalogs,
asked for in a contract (a commitment per add-on, a code in the offer's descriptor), and
the same money as the same select in 1.1.

The world is the beckn conftest's `shop` (operator A: ₹18/kWh, ₹10 fee, 18%
GST; the valet ₹149 at 18 %, the cafe voucher ₹120 at 5 %, the valet combo) with a
code-only offer besides: SAVE10, 10 % off the energy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beckn.models import Order
from offers.models import OfferCode
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.offers.factories import OfferFactory
from tests.support.beckn import money_1_1, money_2_0

pytestmark = pytest.mark.django_db
VALET = "valet-charging"


@pytest.fixture
def coded(shop):
    offer = OfferFactory(
        operator=shop.op_a, code="save-ten", title="Save 10", auto=False,
        percent=Decimal("10"), min_session_value=None, max_discount=None,
    )  # fmt: skip
    OfferCode.objects.create(offer=offer, code="SAVE10")
    return shop


def with_code(message: dict, code: str) -> dict:
    message["contract"]["commitments"][0]["offer"]["descriptor"] = {"code": code}
    return message


def same_money(money: tuple[str, list[tuple[str, str]]]) -> tuple[str, list[tuple[str, str]]]:
    total, lines = money
    return total, [(title.split(" (")[0], amount) for title, amount in lines]


def select_1_1(network, add_ons=()) -> dict:
    body = msgs.select(network.op_a.code, network.charger_a.code, offers=())
    body["order"]["items"][0]["add_ons"] = [{"id": a} for a in add_ons]
    return body


def test_the_catalog_shows_each_add_on_as_an_offer_at_its_chargers(shop, bap_v2, run_v2, our_key):
    _, found = run_v2(bap_v2, "discover", v2.discover())  # callback_v2: schema-valid
    catalog = next(c for c in found["message"]["catalogs"] if c["provider"]["id"] == shop.op_a.code)
    offers = {o["id"]: o for o in catalog["offers"]}
    valet = offers[f"add-on:{VALET}"]
    assert valet["descriptor"]["name"] == "Valet charging"
    assert shop.charger_a.code in valet["resourceIds"]
    price = valet["considerations"][0]["considerationAttributes"]
    assert price["value"] == 149.0 and price["currency"] == "INR"
    assert "GST 18%" in price["components"][0]["description"]
    assert "add-on:cafe-voucher" in offers


@pytest.mark.parametrize(
    ("add_ons", "code"),
    [((VALET,), None), ((VALET, "cafe-voucher"), None), ((), "SAVE10"), ((VALET,), "SAVE10")],
)
def test_the_same_select_costs_the_same_in_both_versions(
    coded, bap, bap_v2, run, run_v2, our_key, add_ons, code
):
    charger = coded.charger_a.code
    asking = select_1_1(coded, add_ons)
    if code:  # 1.1's schema wants an id beside the code
        asking["order"]["offers"] = [{"id": "save-ten", "descriptor": {"code": code}}]
    _, one = run(bap, "select", asking)
    message = v2.with_add_ons(v2.contract(charger), charger, *add_ons)
    if code:
        message = with_code(message, code)
    _, two = run_v2(bap_v2, "select", message)
    assert "error" not in one and "error" not in two
    # the same total and lines; a label's percentage only where it holds in 2.0 (two GST
    # rates: neither is its percentage of one base, so 2.0 says "GST")
    assert same_money(money_2_0(two)) == same_money(money_1_1(one))
    titles = [title for title, _ in money_1_1(one)[1]]
    for add_on in add_ons:
        assert {"valet-charging": "Valet charging", "cafe-voucher": "Cafe voucher"}[
            add_on
        ] in titles
    if code and not add_ons:  # (with the valet, the valet combo beats it: one offer)
        assert "Save 10" in " ".join(titles)  # the code unlocked its offer
    commitments = two["message"]["contract"]["commitments"]
    assert [c["offer"]["id"] for c in commitments[1:]] == [f"add-on:{a}" for a in add_ons]


def test_an_add_on_and_a_code_stay_with_the_order_through_confirm(coded, bap_v2, run_v2, our_key):
    charger = coded.charger_a.code
    asking = with_code(v2.with_add_ons(v2.contract(charger), charger, VALET), "SAVE10")
    _, selected = run_v2(bap_v2, "select", asking)
    total = money_2_0(selected)[0]
    # init and confirm restate the contract without them: the order keeps both
    run_v2(bap_v2, "init", v2.contract(charger, buyer=True))
    _, confirmed = run_v2(bap_v2, "confirm", v2.contract(charger, buyer=True, total=float(total)))
    assert confirmed["message"]["contract"]["status"]["code"] == "ACTIVE", confirmed.get("error")
    order = Order.objects.get()
    assert order.held_session.add_on_ids == [VALET]
    assert order.offer_codes == ["SAVE10"]
    assert f"{order.quote_total:.2f}" == total


def test_an_unknown_add_on_is_the_same_error_as_in_1_1(coded, bap, bap_v2, run, run_v2, our_key):
    charger = coded.charger_a.code
    _, one = run(bap, "select", select_1_1(coded, ("no-such-thing",)))
    asking = v2.with_add_ons(v2.contract(charger), charger, "no-such-thing")
    _, two = run_v2(bap_v2, "select", asking)
    assert one["error"]["code"] == two["error"]["errorCode"] == "30007"
    # each names where its message asks for the add-on
    assert one["error"]["paths"] == "$.message.order.items[0].add_ons[0].id"
    assert two["error"]["paths"] == "$.message.contract.commitments[1].offer.id"
