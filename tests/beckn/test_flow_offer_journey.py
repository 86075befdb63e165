"""The DEG offer journey, message by message, against the fake commerce layer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beckn.models import Order, OrderState, SelectQuote
from beckn.protocol.tags import tag_values
from tests.beckn import bap as msgs
from tests.support.beckn import breakup

pytestmark = pytest.mark.django_db


def test_select_quotes_the_weekend_offer(network, bap, fake, run, our_key):
    op, charger = network.op_a, network.charger_a
    row, body = run(bap, "select", msgs.select(op.code, charger.code))
    assert row.target_url == "https://bap.test.example/beckn/on_select"
    order = body["message"]["order"]
    assert breakup(body) == [
        ("Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"),
        ("Service fee", "10.00"),
        ("Weekend Special Offer (25% off)", "-22.50"),
        ("GST (18%)", "13.95"),
    ]
    assert order["quote"]["price"] == {"value": "91.45", "currency": "INR"}
    assert order["quote"]["breakup"][0]["item"]["id"] == charger.code
    assert [o["id"] for o in order["offers"]] == ["weekend-discount-25"]
    assert not Order.objects.exists()  # the order follows at init
    held = SelectQuote.objects.get()
    assert held.total == Decimal("91.45") and held.quote == order["quote"]
    assert [o["id"] for o in held.applied_offers] == ["weekend-discount-25"]


def _journey_to_confirm(network, bap, run):
    op, charger = network.op_a, network.charger_a
    run(bap, "select", msgs.select(op.code, charger.code))
    run(bap, "init", msgs.init(op.code, charger.code))
    return run(bap, "confirm", msgs.confirm(op.code, charger.code, total="91.45"))


def test_init_validates_the_offer_and_sets_terms(network, bap, fake, run, our_key):
    op, charger = network.op_a, network.charger_a
    run(bap, "select", msgs.select(op.code, charger.code))
    _, body = run(bap, "init", msgs.init(op.code, charger.code))
    order = body["message"]["order"]
    offer = order["offers"][0]
    assert tag_values(offer["tags"], "offer-validation") == {
        "validated": "true",
        "discount-applied": "22.50",
    }
    assert order["billing"]["email"] == "sarah.johnson@email.com"
    assert order["payments"][0]["params"] == {
        "transaction_id": bap.transaction_id,
        "amount": "91.45",
        "currency": "INR",
    }
    assert order["payments"][0]["status"] == "NOT-PAID"
    assert order["refund_terms"][0]["refund_eligible"] is True
    assert order["fulfillments"][0]["state"]["descriptor"]["code"] == "order-initiated"
    assert "quote-change" not in str(order.get("tags"))
    assert Order.objects.get().customer_key == "cust:+91-9876543210"


def test_confirm_issues_an_order_id_and_redeems(network, bap, fake, run, our_key):
    row, body = _journey_to_confirm(network, bap, run)
    order = body["message"]["order"]
    saved = Order.objects.get()
    assert order["id"] == saved.order_id and saved.order_id.startswith("ord-")
    assert order["status"] == "ACTIVE"
    assert saved.state == OrderState.CONFIRMED
    assert fake.redeemed == {saved.reference: ("weekend-discount-25",)}
    assert tag_values(order["offers"][0]["tags"], "offer-redemption") == {
        "redeemed": "true",
        "redemption-ref": saved.order_id,
        "discount-applied": "22.50",
    }
    assert order["payments"][0]["status"] == "PAID"
    assert row.order_id == saved.pk


def test_charging_start_then_end_settles_on_delivered_energy(
    network, bap, fake, run, our_key, clock
):
    _journey_to_confirm(network, bap, run)
    order_id = Order.objects.get().order_id
    _, started = run(bap, "update", msgs.update_start(order_id))
    fulfillment = started["message"]["order"]["fulfillments"][0]
    assert fulfillment["state"]["descriptor"]["code"] == "charging-started"
    assert Order.objects.get().state == OrderState.ACTIVE

    clock(msgs.SESSION_END)  # charging ended
    _, ended = run(bap, "update", msgs.update_end(order_id, kwh="5.2"))
    order = ended["message"]["order"]
    assert breakup(ended) == [
        ("Charging session cost (5.2 kWh @ ₹18.00/kWh)", "93.60"),
        ("Service fee", "10.00"),
        ("Weekend Special Offer (25% off)", "-23.40"),
        ("GST (18%)", "14.44"),
    ]
    assert order["quote"]["price"]["value"] == "94.64"
    assert order["status"] == "COMPLETE"
    assert order["items"][0]["quantity"]["allocated"]["measure"]["value"] == "5.2"
    assert tag_values(order["offers"][0]["tags"], "offer-usage") == {
        "offer-applied": "true",
        "discount-amount": "23.40",
        "savings-percentage": "25",
    }
    summary = tag_values(order["tags"], "offer-summary")
    assert summary == {
        "total-savings": "₹23.40",
        "offer-type": "WEEKEND_SPECIAL",
        "next-offer": "Holiday Special - 30% off (Dec 25-31)",
    }
    assert tag_values(order["tags"], "receipt") == {
        "energy": "93.60",
        "surge": "0.00",
        "original-price": "103.60",
        "discount": "23.40",
        "tax": "14.44",
        "tax-included": "0.00",
        "total": "94.64",
    }
    saved = Order.objects.get()
    assert saved.state == OrderState.COMPLETED
    assert saved.delivered_kwh == Decimal("5.200")
    assert saved.quote_total == Decimal("94.64")


def test_status_and_cancel_reverse_the_offer(network, bap, fake, run, our_key):
    _journey_to_confirm(network, bap, run)
    saved = Order.objects.get()
    _, status = run(bap, "status", {"order_id": saved.order_id})
    assert status["message"]["order"]["id"] == saved.order_id
    _, cancelled = run(
        bap,
        "cancel",
        {
            "order_id": saved.order_id,
            "cancellation_reason_id": "5",
            "descriptor": {"short_desc": "can't attend booking"},
        },
    )
    order = cancelled["message"]["order"]
    assert order["status"] == "CANCELLED"
    assert order["cancellation"]["reason"] == {"id": "5"}
    assert tag_values(order["offers"][0]["tags"], "offer-reversal") == {
        "reversed": "true",
        "amount-reversed": "22.50",
    }
    assert fake.reversed == {saved.reference: "cancelled by the customer"}
    assert fake.redeemed == {}
