"""An order is one charging session, in 1.1 and 2.0 alike: its first item (commitment) is
the charger, every one after it one of that charger's add-ons, each add-on once. Nothing an
order names is dropped without a word: a second charger, an add-on named twice or asked for
more than once is refused naming its place in the message sent; an add-on sent as an item
of its own (as DEG's on_select lists one) is taken.

The world is the beckn conftest's `shop` (operator A: ₹18/kWh, ₹10 fee, 18% GST; the valet
₹149 at 18 %, the cafe voucher ₹120 at 5 %, the valet combo), with a second charger at
station A (`second_charger`, a-charger-02) where a test needs one."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from beckn.models import Order, SelectQuote
from offers.models import AddOnBooking, Redemption
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.support.beckn import breakup, money_2_0

pytestmark = pytest.mark.django_db
VALET = "valet-charging"
ADD_ONS = [{"id": VALET}]


def order_1_1(shop, action, add_ons=ADD_ONS, total=None):
    """A 1.1 select / init / confirm of ₹100 at a-charger-01, with these add-ons."""
    op, charger = shop.op_a.code, shop.charger_a.code
    kw = {"total": total} if action == "confirm" else {}
    body = getattr(msgs, action)(op, charger, offers=(), **kw)
    if add_ons is not None:
        body["order"]["items"][0]["add_ons"] = add_ons
    return body


def select_1_1(shop):
    return order_1_1(shop, "select", add_ons=[])


# -- 1.1 -------------------------------------------------------------------------------


def with_items(body, *items):
    """The order with these items after the charging one."""
    body["order"]["items"].extend(items)
    return body


SECOND = {"id": "a-charger-02"}
ONE_SESSION = (
    'an order is one charging session: "a-charger-02" is not an add-on of "a-charger-01"; '
    "book another charger in a transaction of its own"
)


def test_a_second_charger_in_one_order_is_refused_at_select_init_and_confirm(
    shop, second_charger, bap, run, our_key
):
    """Two EVSEs in one order: not quoted as the first alone (the second dropped without a
    word), but refused, naming the second."""
    expected = {
        "code": "30000",
        "message": ONE_SESSION,
        "paths": "$.message.order.items[1].id",
    }
    _, body = run(bap, "select", with_items(order_1_1(shop, "select"), SECOND))
    assert body["error"] == expected
    assert not SelectQuote.objects.exists()  # nothing held for init
    run(bap, "select", order_1_1(shop, "select"))
    _, body = run(bap, "init", with_items(order_1_1(shop, "init"), SECOND))
    assert body["error"] == expected
    assert not Order.objects.exists()
    run(bap, "init", order_1_1(shop, "init"))
    _, body = run(bap, "confirm", with_items(order_1_1(shop, "confirm", total="264.44"), SECOND))
    assert body["error"] == expected
    assert Order.objects.get().state == "initialized"
    assert not Redemption.objects.filter(kind="redeemed").exists()
    assert not AddOnBooking.objects.exists()


@pytest.mark.parametrize(
    "item",
    [{"id": "valet-charging"}, {"id": "valet-charging", "descriptor": {"code": "add-on-item"}}],
    ids=["by its id", "marked as DEG's on_select lists it"],
)
def test_an_add_on_sent_as_a_second_item_is_taken(shop, bap, run, our_key, item):
    """DEG's on_select lists an add-on as an item of its own: a BAP that sends it back so
    has it priced and booked, as when it is one of the charging item's add_ons."""
    _, body = run(bap, "select", with_items(order_1_1(shop, "select", add_ons=None), item))
    assert ("Valet charging", "149.00") in breakup(body)
    assert body["message"]["order"]["quote"]["price"]["value"] == "264.44"
    run(bap, "init", with_items(order_1_1(shop, "init", add_ons=None), item))
    confirm = order_1_1(shop, "confirm", total="264.44", add_ons=None)
    _, body = run(bap, "confirm", with_items(confirm, item))
    assert body["message"]["order"]["status"] == "ACTIVE", body.get("error")
    assert AddOnBooking.objects.get().code == "valet-charging"


def test_an_add_on_item_that_is_no_add_on_here_is_30007_naming_it(shop, bap, run, our_key):
    spa = {"id": "spa", "descriptor": {"code": "add-on-item"}}
    _, body = run(bap, "select", with_items(order_1_1(shop, "select"), spa))
    assert body["error"]["code"] == "30007"
    assert body["error"]["paths"] == "$.message.order.items[1].id"
    assert body["error"]["message"] == "There is no add-on spa at cpo-a.example"


@pytest.mark.parametrize(
    ("add_ons", "items", "twice", "path"),
    [
        (ADD_ONS * 2, (), VALET, "$.message.order.items[0].add_ons[1].id"),
        (ADD_ONS, ({"id": VALET},), VALET, "$.message.order.items[1].id"),
        (
            None,
            ({"id": "cafe-voucher"}, {"id": "cafe-voucher"}),
            "cafe-voucher",
            "$.message.order.items[2].id",
        ),
    ],
    ids=["twice in add_ons", "in add_ons and as an item", "as two items"],
)
def test_an_add_on_named_twice_is_refused_naming_the_repeat(
    shop, bap, run, our_key, add_ons, items, twice, path
):
    """An order takes one of each add-on: a second valet is not taken once without a word."""
    _, body = run(bap, "select", with_items(order_1_1(shop, "select", add_ons=add_ons), *items))
    assert body["error"] == {
        "code": "30000",
        "message": f'add-on "{twice}" is asked for twice: an order takes one of each add-on; '
        "name it once",
        "paths": path,
    }
    assert not SelectQuote.objects.exists()


def test_an_add_on_item_asked_for_more_than_once_is_refused(shop, bap, run, our_key):
    two = {"id": "valet-charging", "quantity": {"selected": {"count": 2}}}
    _, body = run(bap, "select", with_items(order_1_1(shop, "select", add_ons=None), two))
    assert body["error"] == {
        "code": "30000",
        "message": 'add-on "valet-charging" is one per order, not 2',
        "paths": "$.message.order.items[1].quantity.selected.count",
    }


ELSEWHERE = (
    'add-on "valet-charging" is asked for at "{}", but the order is for "a-charger-01": '
    "an add-on is added to its order's charger"
)


def test_an_add_on_item_for_another_item_is_refused(shop, second_charger, bap, run, our_key):
    """An add-on item tied to another item than the charging one (`parent_item_id`) is
    not booked at the order's charger without a word."""
    item = {"id": VALET, "parent_item_id": "a-charger-02"}
    _, body = run(bap, "select", with_items(order_1_1(shop, "select", add_ons=None), item))
    assert body["error"] == {
        "code": "30000",
        "message": ELSEWHERE.format("a-charger-02"),
        "paths": "$.message.order.items[1].parent_item_id",
    }
    assert not SelectQuote.objects.exists()


# -- 2.0 -------------------------------------------------------------------------------


def with_commitment(message: dict, resource: str, offer: str | None = None) -> dict:
    """A further commitment: the resource under `offer` (its list price by default)."""
    message["contract"]["commitments"].append(
        {
            "status": {"descriptor": {"code": "DRAFT"}},
            "resources": [{"id": resource, "quantity": {"unitCode": "INR", "unitQuantity": 100}}],
            "offer": {"id": offer or f"list-price:{resource}", "resourceIds": [resource]},
        }
    )
    return message


def test_a_second_charger_in_one_contract_is_refused_at_select_init_and_confirm(
    shop, second_charger, bap_v2, run_v2, our_key
):
    """Two EVSEs in one contract: not quoted as the first alone, but refused, naming the
    second commitment's resource."""
    charger = shop.charger_a.code
    refused = {
        "errorCode": "30000",
        "errorMessage": ONE_SESSION,
        "paths": "$.message.contract.commitments[1].resources[0].id",
    }
    _, body = run_v2(bap_v2, "select", with_commitment(v2.contract(charger), "a-charger-02"))
    assert body["error"] == refused
    assert not SelectQuote.objects.exists()
    _, selected = run_v2(bap_v2, "select", v2.contract(charger))
    two = with_commitment(v2.contract(charger, buyer=True), "a-charger-02")
    _, body = run_v2(bap_v2, "init", two)
    assert body["error"] == refused
    assert not Order.objects.exists()
    run_v2(bap_v2, "init", v2.contract(charger, buyer=True))
    total = float(money_2_0(selected)[0])
    two = with_commitment(v2.contract(charger, buyer=True, total=total), "a-charger-02")
    _, body = run_v2(bap_v2, "confirm", two)
    assert body["error"] == refused
    assert Order.objects.get().state == "initialized"


def test_a_second_commitment_under_another_offer_of_the_same_charger_is_refused(
    shop, bap_v2, run_v2, our_key
):
    """A commitment that is no add-on is a second charging part, whatever it commits to:
    the order's own charger again is named twice (not "no add-on of" itself)."""
    charger = shop.charger_a.code
    asking = with_commitment(v2.contract(charger), charger, offer="save-ten")
    _, body = run_v2(bap_v2, "select", asking)
    assert body["error"]["errorCode"] == "30000"
    assert body["error"]["errorMessage"] == (
        '"a-charger-01" is named twice: an order names its charger once'
    )
    assert body["error"]["paths"] == "$.message.contract.commitments[1].resources[0].id"


@pytest.mark.parametrize(
    ("resources", "named"),
    [(["a-charger-02"], 0), (["a-charger-01", "a-charger-02"], 1), (["no-such-charger"], 0)],
    ids=["another charger", "its charger and another", "no charger of ours"],
)
def test_an_add_on_committed_to_another_charger_is_refused(
    shop, second_charger, bap_v2, run_v2, our_key, resources, named
):
    """An add-on commitment's resource is the charger it is added to (the contracts we
    send say so; its offer's `resourceIds` are where it is sold): one that names another
    than the order's is refused, naming that resource, not booked at the order's."""
    charger = shop.charger_a.code
    asking = v2.with_add_ons(v2.contract(charger), charger, VALET)
    asking["contract"]["commitments"][1]["resources"] = [
        {"id": r, "quantity": {"unitQuantity": 1}} for r in resources
    ]
    _, body = run_v2(bap_v2, "select", asking)
    assert body["error"] == {
        "errorCode": "30000",
        "errorMessage": ELSEWHERE.format(resources[named]),
        "paths": f"$.message.contract.commitments[1].resources[{named}].id",
    }
    assert not SelectQuote.objects.exists()


def test_an_add_on_committed_to_another_charger_is_refused_at_init_and_confirm(
    shop, second_charger, bap_v2, run_v2, our_key
):
    charger = shop.charger_a.code
    refused = {
        "errorCode": "30000",
        "errorMessage": ELSEWHERE.format("a-charger-02"),
        "paths": "$.message.contract.commitments[1].resources[0].id",
    }
    _, selected = run_v2(bap_v2, "select", v2.contract(charger))
    elsewhere = v2.with_add_ons(v2.contract(charger, buyer=True), "a-charger-02", VALET)
    _, body = run_v2(bap_v2, "init", elsewhere)
    assert body["error"] == refused
    assert not Order.objects.exists()
    run_v2(bap_v2, "init", v2.contract(charger, buyer=True))
    total = float(money_2_0(selected)[0])
    elsewhere = v2.contract(charger, buyer=True, total=total)
    _, body = run_v2(bap_v2, "confirm", v2.with_add_ons(elsewhere, "a-charger-02", VALET))
    assert body["error"] == refused
    assert Order.objects.get().state == "initialized"
    assert not AddOnBooking.objects.exists()


def test_an_add_on_named_twice_in_a_contract_is_refused_naming_the_repeat(
    shop, bap_v2, run_v2, our_key
):
    charger = shop.charger_a.code
    asking = v2.with_add_ons(v2.contract(charger), charger, VALET, "cafe-voucher", VALET)
    _, body = run_v2(bap_v2, "select", asking)
    assert body["error"] == {
        "errorCode": "30000",
        "errorMessage": f'add-on "{VALET}" is asked for twice: an order takes one of each '
        "add-on; name it once",
        "paths": "$.message.contract.commitments[3].offer.id",
    }


def test_an_add_on_asked_for_more_than_once_in_a_contract_is_refused(shop, bap_v2, run_v2, our_key):
    charger = shop.charger_a.code
    asking = v2.with_add_ons(v2.contract(charger), charger, VALET)
    asking["contract"]["commitments"][1]["resources"][0]["quantity"]["unitQuantity"] = 2
    _, body = run_v2(bap_v2, "select", asking)
    assert body["error"] == {
        "errorCode": "30000",
        "errorMessage": f'add-on "{VALET}" is one per order, not 2',
        "paths": "$.message.contract.commitments[1].resources[0].quantity.unitQuantity",
    }


@pytest.mark.parametrize(
    ("case", "path_1_1", "path_2_0"),
    [
        ("second charger", "items[1].id", "commitments[1].resources[0].id"),
        ("add-on twice", "items[0].add_ons[1].id", "commitments[2].offer.id"),
        (
            "two of an add-on",
            "items[1].quantity.selected.count",
            "commitments[1].resources[0].quantity.unitQuantity",
        ),
        ("add-on elsewhere", "items[1].parent_item_id", "commitments[1].resources[0].id"),
    ],
)
def test_one_rule_for_both_versions(
    shop, second_charger, bap, bap_v2, run, run_v2, case, path_1_1, path_2_0
):
    """Whatever the version, the same order parts are refused with the same code and
    reason; each names the part where its own message has it."""
    charger = shop.charger_a.code
    one, two = select_1_1(shop), v2.contract(charger)
    if case == "second charger":
        one["order"]["items"].append({"id": "a-charger-02"})
        two = with_commitment(two, "a-charger-02")
    elif case == "add-on twice":
        one["order"]["items"][0]["add_ons"] = [{"id": VALET}, {"id": VALET}]
        two = v2.with_add_ons(two, charger, VALET, VALET)
    elif case == "two of an add-on":
        one["order"]["items"].append({"id": VALET, "quantity": {"selected": {"count": 2}}})
        two = v2.with_add_ons(two, charger, VALET)
        two["contract"]["commitments"][1]["resources"][0]["quantity"]["unitQuantity"] = 2
    else:
        one["order"]["items"].append({"id": VALET, "parent_item_id": "a-charger-02"})
        two = v2.with_add_ons(two, "a-charger-02", VALET)
    _, answered_1_1 = run(bap, "select", one)
    _, answered_2_0 = run_v2(bap_v2, "select", two)
    error_1_1, error_2_0 = answered_1_1["error"], answered_2_0["error"]
    assert (error_1_1["code"], error_1_1["message"]) == (
        error_2_0["errorCode"],
        error_2_0["errorMessage"],
    )
    assert error_1_1["paths"] == f"$.message.order.{path_1_1}"
    assert error_2_0["paths"] == f"$.message.contract.{path_2_0}"


DEG_SELECT = (
    Path(__file__).resolve().parents[1]
    / "fixtures/beckn/deg-v2-examples/03_select/ev-charging-select.json"
)


def deg_order(operator: str, *chargers: str) -> dict:
    """DEG's select example (core v2 `beckn:Order`), one order item per charger."""
    order = json.loads(DEG_SELECT.read_text())["message"]["order"]
    order["beckn:seller"] = operator
    order["beckn:orderAttributes"]["preferences"] = {  # DEG's hours, on a bookable day
        "startTime": f"{msgs.SATURDAY}T10:00:00Z",
        "endTime": f"{msgs.SATURDAY}T11:30:00Z",
    }
    line = order["beckn:orderItems"][0]
    order["beckn:orderItems"] = []
    for charger in chargers:
        item = copy.deepcopy(line)
        item["beckn:orderedItem"] = charger
        item["beckn:acceptedOffer"]["beckn:id"] = f"list-price:{charger}"
        item["beckn:acceptedOffer"]["beckn:items"] = [charger]
        item["beckn:acceptedOffer"]["beckn:provider"] = operator
        order["beckn:orderItems"].append(item)
    return {"order": order}


def test_a_second_order_item_in_deg_s_shape_is_refused_naming_it_there(
    shop, second_charger, bap_v2, run_v2, our_key
):
    """A BAP that sends DEG's `beckn:Order` is told where its own message has the part."""
    charger, operator = shop.charger_a.code, shop.op_a.code
    _, body = run_v2(bap_v2, "select", deg_order(operator, charger))
    assert "error" not in body, body["error"]
    _, body = run_v2(bap_v2, "select", deg_order(operator, charger, "a-charger-02"))
    assert body["error"] == {
        "errorCode": "30000",
        "errorMessage": ONE_SESSION,
        "paths": "$.message.order.beckn:orderItems[1].beckn:orderedItem",
    }


def test_an_add_on_order_item_in_deg_s_shape_for_another_charger_is_refused_naming_it(
    shop, second_charger, bap_v2, run_v2, our_key
):
    charger, operator = shop.charger_a.code, shop.op_a.code
    message = deg_order(operator, charger, "a-charger-02")
    add_on = message["order"]["beckn:orderItems"][1]
    add_on["beckn:quantity"] = {"unitQuantity": 1}
    add_on["beckn:acceptedOffer"]["beckn:id"] = f"add-on:{VALET}"
    _, body = run_v2(bap_v2, "select", message)
    assert body["error"] == {
        "errorCode": "30000",
        "errorMessage": ELSEWHERE.format("a-charger-02"),
        "paths": "$.message.order.beckn:orderItems[1].beckn:orderedItem",
    }
