"""What the callbacks say when a request cannot be served (the error object of on_<x>)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from beckn.models import Order, OrderState, SelectQuote
from beckn.protocol.tags import tag_values
from tests.beckn import bap as msgs

pytestmark = pytest.mark.django_db


def error_of(body) -> dict:
    assert "error" in body, body
    return body["error"]


def confirmed(network, bap, run):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger))
    return Order.objects.get()


def test_unknown_provider_and_item(network, bap, fake, run, our_key):
    _, body = run(bap, "select", msgs.select("nobody.example", network.charger_a.code))
    assert error_of(body) == {
        "code": "30001",
        "message": 'provider "nobody.example" is not on this BPP',
        "paths": "$.message.order.provider.id",
    }
    _, body = run(bap, "select", msgs.select(network.op_a.code, network.charger_b.code))
    assert error_of(body)["code"] == "30004"
    assert "is not a charger of this provider" in error_of(body)["message"]


def test_out_of_service_charger(network, bap, fake, run, our_key):
    network.charger_a.status = "Faulted"
    network.charger_a.save()
    _, body = run(bap, "select", msgs.select(network.op_a.code, network.charger_a.code))
    assert error_of(body)["code"] == "40002"


def test_bad_quantity_unit(network, bap, fake, run, our_key):
    message = msgs.select(network.op_a.code, network.charger_a.code)
    message["order"]["items"][0]["quantity"]["selected"]["measure"]["unit"] = "litres"
    _, body = run(bap, "select", message)
    assert error_of(body)["code"] == "30000"
    assert error_of(body)["paths"] == "$.message.order.items[0].quantity.selected.measure.unit"


def test_select_reports_an_offer_that_does_not_apply_without_failing(
    network, bap, fake, run, our_key
):
    message = msgs.select(network.op_a.code, network.charger_a.code, offers=("no-such-offer",))
    _, body = run(bap, "select", message)
    offers = body["message"]["order"]["offers"]
    refused = next(o for o in offers if o["id"] == "no-such-offer")
    assert tag_values(refused["tags"], "offer-validation") == {
        "validated": "false",
        "reason": "Offer no-such-offer does not exist",
    }


def test_init_refuses_an_offer_that_became_invalid(network, bap, fake, run, our_key):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "select", msgs.select(op, charger))
    fake.expire("weekend-discount-25")
    _, body = run(bap, "init", msgs.init(op, charger))
    error = error_of(body)
    assert error["code"] == "30006"
    assert error["message"] == "Offer weekend-discount-25 ended 2020-01-01T00:00:00+00:00"
    assert not Order.objects.exists()  # the select's quote is still held for init
    assert SelectQuote.objects.get().order is None


def test_init_reports_a_changed_quote(network, bap, fake, run, our_key):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "select", msgs.select(op, charger))
    fake.tariff = dataclasses.replace(fake.tariff, service_fee=Decimal("20"))
    _, body = run(bap, "init", msgs.init(op, charger))
    change = tag_values(body["message"]["order"]["tags"], "quote-change")
    assert change["previous-total"] == "91.45" and change["new-total"] == "94.39"


def test_confirm_refuses_a_quote_that_changed_since_init(network, bap, fake, run, our_key):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger, offers=()))
    fake.tariff = dataclasses.replace(fake.tariff, service_fee=Decimal("20"))
    _, body = run(bap, "confirm", msgs.confirm(op, charger))
    error = error_of(body)
    assert error["code"] == "40003"
    assert error["message"] == (
        "the price changed since on_init: 91.45 then, 94.39 now; "
        "send init again to accept the new quote"
    )
    assert Order.objects.get().state == OrderState.INITIALIZED


@pytest.mark.parametrize(
    ("value", "currency"),
    [("1.00", "INR"), ("91.454", "INR"), ("91.445", "INR"), ("91.45", "USD")],
    ids=["invented", "a tenth of a paisa more", "rounds to it", "another currency"],
)
def test_confirm_refuses_a_quote_the_bap_invented(
    network, bap, fake, run, our_key, value, currency
):
    """What the BAP agrees to pay is our total to the last digit it writes, in our currency:
    nothing is rounded to make it so."""
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    message = msgs.confirm(op, charger, total=value)
    message["order"]["quote"]["price"]["currency"] = currency
    _, body = run(bap, "confirm", message)
    error = error_of(body)
    assert error["code"] == "40003"
    sent = f'the quote sent ("{currency} {value}") is not the quote on offer (INR 91.45)'
    assert error["message"] == sent
    assert "redeem" not in fake.calls
    assert Order.objects.get().state == OrderState.INITIALIZED


def test_confirm_takes_our_total_written_with_more_zeros(network, bap, fake, run, our_key):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    _, body = run(bap, "confirm", msgs.confirm(op, charger, total="91.4500"))
    assert "error" not in body, body["error"]


def test_confirm_refuses_an_offer_that_ran_out(network, bap, fake, run, our_key):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    fake.exhausted.add("weekend-discount-25")
    _, body = run(bap, "confirm", msgs.confirm(op, charger))
    assert error_of(body) == {
        "code": "30006",
        "message": "Offer weekend-discount-25 has been fully redeemed",
        "paths": "$.message.order.offers",
    }
    assert Order.objects.get().state == OrderState.INITIALIZED
    assert Order.objects.get().order_id is None


def test_confirm_without_init(network, bap, fake, run, our_key):
    _, body = run(bap, "confirm", msgs.confirm(network.op_a.code, network.charger_a.code))
    assert error_of(body)["code"] == "30010"


def test_confirm_twice_answers_the_same_order(network, bap, fake, run, our_key):
    order = confirmed(network, bap, run)
    _, again = run(bap, "confirm", msgs.confirm(network.op_a.code, network.charger_a.code))
    assert again["message"]["order"]["id"] == order.order_id
    assert fake.calls.count("redeem") == 1


def test_status_of_an_unknown_order(network, bap, fake, run, our_key):
    _, body = run(bap, "status", {"order_id": "ord-nope"})
    assert error_of(body)["code"] == "30010"


def test_another_baps_order_is_not_found(network, bap, fake, run, our_key):
    from tests.beckn.bap import Bap

    order = confirmed(network, bap, run)
    other = Bap(subscriber_id="other-bap.example", key_id="k9")
    other.register()
    _, body = run(other, "status", {"order_id": order.order_id})
    assert error_of(body)["code"] == "30010"


def test_cancel_after_charging_started_is_not_possible(network, bap, fake, run, our_key):
    order = confirmed(network, bap, run)
    run(bap, "update", msgs.update_start(order.order_id))
    _, body = run(bap, "cancel", {"order_id": order.order_id})
    assert error_of(body)["code"] == "50001"
    assert "reverse" not in fake.calls
    assert Order.objects.get().state == OrderState.ACTIVE


def test_cancel_after_charging_ended_says_so(network, bap, fake, run, our_key, clock):
    """Not "stop it with update (end-charging)": that is refused too once charging ended."""
    order = confirmed(network, bap, run)
    run(bap, "update", msgs.update_start(order.order_id))
    clock(msgs.SESSION_END)
    run(bap, "update", msgs.update_end(order.order_id))
    _, body = run(bap, "cancel", {"order_id": order.order_id})
    assert error_of(body) == {
        "code": "50001",
        "message": "an order that is completed cannot become cancelled: "
        "charging has ended and the session is settled",
    }
    assert Order.objects.get().state == OrderState.COMPLETED


def test_cancel_twice_answers_the_same(network, bap, fake, run, our_key):
    order = confirmed(network, bap, run)
    run(bap, "cancel", {"order_id": order.order_id})
    _, again = run(bap, "cancel", {"order_id": order.order_id})
    assert again["message"]["order"]["status"] == "CANCELLED"
    assert fake.calls.count("reverse") == 1


def test_update_errors(network, bap, fake, run, our_key, clock):
    order = confirmed(network, bap, run)
    wrong_target = msgs.update_start(order.order_id)
    wrong_target["update_target"] = "order.billing"
    _, body = run(bap, "update", wrong_target)
    assert error_of(body)["code"] == "30012"
    unknown = msgs.update_start(order.order_id)
    unknown["order"]["fulfillments"][0]["state"]["descriptor"]["code"] = "teleport"
    _, body = run(bap, "update", unknown)
    assert error_of(body)["code"] == "30012"
    no_kwh = msgs.update_end(order.order_id)
    del no_kwh["order"]["items"]
    _, body = run(bap, "update", no_kwh)
    assert error_of(body)["code"] == "30000"
    assert "energy delivered" in error_of(body)["message"]
    clock(msgs.SESSION_END)  # charging ended
    _, done = run(bap, "update", msgs.update_end(order.order_id, kwh="5"))
    assert done["message"]["order"]["status"] == "COMPLETE"
    _, body = run(bap, "update", msgs.update_start(order.order_id))
    assert error_of(body)["code"] == "50002"


def test_delivered_energy_from_a_tag(network, bap, fake, run, our_key, clock):
    order = confirmed(network, bap, run)
    clock(msgs.SESSION_END)  # charging ended
    message = msgs.update_end(order.order_id)
    del message["order"]["items"]
    message["order"]["fulfillments"][0]["tags"] = [
        {"descriptor": {"code": "session"}, "list": [
            {"descriptor": {"code": "delivered-kwh"}, "value": "4.5"}]}
    ]  # fmt: skip
    _, body = run(bap, "update", message)
    assert body["message"]["order"]["items"][0]["quantity"]["allocated"]["measure"] == {
        "type": "CONSTANT",
        "value": "4.5",
        "unit": "kWh",
    }


def test_rating_and_support(network, bap, fake, run, our_key):
    order = confirmed(network, bap, run)
    rating = {"ratings": [{"id": order.order_id, "rating_category": "Order", "value": "5"}]}
    _, body = run(bap, "rating", rating)
    assert body["message"] == {} and "error" not in body
    assert Order.objects.get().ratings == [
        {"category": "Order", "id": order.order_id, "value": "5"}
    ]
    # rated again, many times in one request too: the latest of each thing stands
    again = [{"id": order.order_id, "rating_category": "Order", "value": str(1 + i % 5)}
             for i in range(500)]  # fmt: skip
    again.append({"id": order.charger_code, "rating_category": "Item", "value": "4"})
    assert "error" not in run(bap, "rating", {"ratings": again})[1]
    assert Order.objects.get().ratings == [
        {"category": "Order", "id": order.order_id, "value": "5"},
        {"category": "Item", "id": order.charger_code, "value": "4"},
    ]
    bad = {"ratings": [{"id": order.order_id, "rating_category": "Order", "value": "11"}]}
    assert error_of(run(bap, "rating", bad)[1])["code"] == "30015"
    agent = {"ratings": [{"id": "x", "rating_category": "Agent", "value": "4"}]}
    assert error_of(run(bap, "rating", agent)[1])["code"] == "50003"
    nobody = {"ratings": [{"id": "ord-none", "rating_category": "Order", "value": "4"}]}
    assert error_of(run(bap, "rating", nobody)[1])["code"] == "30014"
    _, body = run(bap, "support", {"support": {"ref_id": order.order_id}})
    assert body["message"]["support"]["ref_id"] == order.order_id
    assert body["message"]["support"]["phone"]


def test_an_item_or_provider_rating_is_kept_on_the_bap_s_latest_order_there(
    network, bap, fake, run, our_key
):
    latest = confirmed(network, bap, run)
    older = Order.objects.get(pk=latest.pk)  # a copy of it, as another order an hour older
    older.pk, older.order_id, older.transaction_id = None, "ord-older", "txn-older"
    older.save()
    Order.objects.filter(pk=older.pk).update(created_at=latest.created_at - dt.timedelta(hours=1))
    ratings = [
        {"id": latest.charger_code, "rating_category": "Item", "value": "4"},
        {"id": network.op_a.code, "rating_category": "Provider", "value": "3"},
    ]
    assert "error" not in run(bap, "rating", {"ratings": ratings})[1]
    assert Order.objects.get(pk=older.pk).ratings == []
    kept = {r["category"]: r["value"] for r in Order.objects.get(pk=latest.pk).ratings}
    assert kept == {"Item": "4", "Provider": "3"}
