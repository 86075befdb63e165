"""Every resource a 2.0 contract commits to reaches the rule that an order is one charging
session (beckn.wire.request_parsing.asked_add_ons), not only each commitment's first: a
charging commitment for two chargers is refused naming the second, not quoted at the first
alone. A resource is never read as an add-on, whatever its id: a 2.0 add-on is asked for
by its offer (`add-on:<id>`). The charger named again (among the charging commitment's
resources, or as a 1.1 item after it) is refused as named twice, not as no add-on of itself.

The world is the beckn conftest's `shop` (operator A: ₹18/kWh, ₹10 fee, 18% GST; the valet
₹149 at 18 %, the cafe voucher ₹120 at 5 %), with a second charger at station A
(`second_charger`, a-charger-02)."""

from __future__ import annotations

import pytest

from beckn.models import Order, SelectQuote
from offers.models import AddOnBooking
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.support.beckn import money_2_0

pytestmark = pytest.mark.django_db
VALET = "valet-charging"


def one_session(resource: str) -> str:
    return (
        f'an order is one charging session: "{resource}" is not an add-on of "a-charger-01"; '
        "book another charger in a transaction of its own"
    )


def with_resources(message: dict, *resources: str, commitment: int = 0) -> dict:
    """The commitment with these resources after its first."""
    message["contract"]["commitments"][commitment]["resources"].extend(
        {"id": r, "quantity": {"unitCode": "INR", "unitQuantity": 100}} for r in resources
    )
    return message


def test_a_charging_commitment_for_two_chargers_is_refused_at_select_init_and_confirm(
    shop, second_charger, bap_v2, run_v2, our_key
):
    """Not quoted at the first charger alone (the second dropped without a word)."""
    charger = shop.charger_a.code
    refused = {
        "errorCode": "30000",
        "errorMessage": one_session("a-charger-02"),
        "paths": "$.message.contract.commitments[0].resources[1].id",
    }
    _, body = run_v2(bap_v2, "select", with_resources(v2.contract(charger), "a-charger-02"))
    assert body["error"] == refused
    assert not SelectQuote.objects.exists()
    _, selected = run_v2(bap_v2, "select", v2.contract(charger))
    two = with_resources(v2.contract(charger, buyer=True), "a-charger-02")
    _, body = run_v2(bap_v2, "init", two)
    assert body["error"] == refused
    assert not Order.objects.exists()
    run_v2(bap_v2, "init", v2.contract(charger, buyer=True))
    total = float(money_2_0(selected)[0])
    two = with_resources(v2.contract(charger, buyer=True, total=total), "a-charger-02")
    _, body = run_v2(bap_v2, "confirm", two)
    assert body["error"] == refused
    assert Order.objects.get().state == "initialized"


def test_a_resource_named_as_an_add_on_is_not_taken_as_that_add_on(shop, bap_v2, run_v2, our_key):
    """A resource whose id is an add-on's, in the charging commitment or in another
    commitment that is no add-on's, is refused, naming it: the valet is not booked."""
    charger = shop.charger_a.code
    beside = with_resources(v2.contract(charger), VALET)
    _, body = run_v2(bap_v2, "select", beside)
    assert body["error"] == {
        "errorCode": "30000",
        "errorMessage": one_session(VALET),
        "paths": "$.message.contract.commitments[0].resources[1].id",
    }
    own = v2.contract(charger)
    own["contract"]["commitments"].append(
        {
            "status": {"descriptor": {"code": "DRAFT"}},
            "resources": [{"id": VALET, "quantity": {"unitQuantity": 1}}],
            "offer": {"id": f"list-price:{VALET}", "resourceIds": [VALET]},
        }
    )
    _, body = run_v2(bap_v2, "select", own)
    assert body["error"] == {
        "errorCode": "30000",
        "errorMessage": one_session(VALET),
        "paths": "$.message.contract.commitments[1].resources[0].id",
    }
    assert not SelectQuote.objects.exists() and not AddOnBooking.objects.exists()


TWICE = '"a-charger-01" is named twice: an order names its charger once'


def test_a_charging_commitment_naming_its_charger_twice_is_refused_so(
    shop, bap_v2, run_v2, our_key
):
    """A contract with add-ons whose charging commitment repeats its own charger: refused
    at select, init and confirm as named twice (it was "'a-charger-01' is not an add-on of
    'a-charger-01'"), naming the repeat; nothing held, booked or confirmed."""
    charger = shop.charger_a.code

    def twice(message: dict) -> dict:
        return v2.with_add_ons(with_resources(message, charger), charger, VALET)

    refused = {
        "errorCode": "30000",
        "errorMessage": TWICE,
        "paths": "$.message.contract.commitments[0].resources[1].id",
    }
    _, body = run_v2(bap_v2, "select", twice(v2.contract(charger)))
    assert body["error"] == refused
    assert not SelectQuote.objects.exists()
    _, selected = run_v2(bap_v2, "select", v2.with_add_ons(v2.contract(charger), charger, VALET))
    _, body = run_v2(bap_v2, "init", twice(v2.contract(charger, buyer=True)))
    assert body["error"] == refused
    assert not Order.objects.exists()
    run_v2(bap_v2, "init", v2.with_add_ons(v2.contract(charger, buyer=True), charger, VALET))
    total = float(money_2_0(selected)[0])
    _, body = run_v2(bap_v2, "confirm", twice(v2.contract(charger, buyer=True, total=total)))
    assert body["error"] == refused
    assert Order.objects.get().state == "initialized" and not AddOnBooking.objects.exists()


def test_a_1_1_order_naming_its_charger_twice_is_refused_so(shop, bap, run, our_key):
    """The same rule for both versions: the charging item named again as a second item."""
    body = msgs.select(shop.op_a.code, shop.charger_a.code, offers=())
    body["order"]["items"][0]["add_ons"] = [{"id": VALET}]
    body["order"]["items"].append({"id": shop.charger_a.code})
    _, answer = run(bap, "select", body)
    assert answer["error"] == {
        "code": "30000",
        "message": TWICE,
        "paths": "$.message.order.items[1].id",
    }
