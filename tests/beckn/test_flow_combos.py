"""Add-ons and combo offers end to end, through signed Beckn messages and the real pricing
and offers services: add-ons in the catalog, selected on the item, priced with their own
GST; the combo discount with ONDC's offer tags; 30006 / 30007 at init and confirm; and
reversals sent as quote_trail (part cancel, cancel, less energy, add-on not delivered).

Operator A: ₹18/kWh, ₹10 fee, 18% GST. The BAP asks for ₹100 of charging (5 kWh). The
valet (₹149, 18%) makes the valet combo give 10% of 100 + 149 = 24.90 (cap 100).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from beckn.models import Order, Outbox, Subscriber
from beckn.protocol.tags import tag_values
from offers.models import AddOnAvailability, AddOnBooking, Offer, Redemption
from tests.beckn import bap as msgs
from tests.beckn.conftest import callback
from tests.support.beckn import breakup

pytestmark = pytest.mark.django_db
D = Decimal
VALET = [{"id": "valet-charging"}]


def select(network, add_ons=VALET, offers=()):
    body = msgs.select(network.op_a.code, network.charger_a.code, offers=offers)
    if add_ons is not None:
        body["order"]["items"][0]["add_ons"] = add_ons
    return body


def init(network, add_ons=VALET, offers=()):
    body = msgs.init(network.op_a.code, network.charger_a.code, offers=offers)
    if add_ons is not None:
        body["order"]["items"][0]["add_ons"] = add_ons
    return body


def confirm(network, total, add_ons=VALET, offers=()):
    body = msgs.confirm(network.op_a.code, network.charger_a.code, total=total, offers=offers)
    if add_ons is not None:
        body["order"]["items"][0]["add_ons"] = add_ons
    return body


def stock():
    return AddOnAvailability.objects.get(add_on__code="valet-charging").stock


def to_confirmed(shop, bap, run):
    run(bap, "select", select(shop))
    run(bap, "init", init(shop))
    _, body = run(bap, "confirm", confirm(shop, "264.44"))
    assert body["message"]["order"]["status"] == "ACTIVE", body.get("error")
    return Order.objects.get()


def test_catalog_publishes_add_ons_and_the_combo_in_both_vocabularies(shop, bap, run, our_key):
    _, body = run(bap, "search", msgs.search())
    provider = body["message"]["catalog"]["providers"][0]
    item = provider["items"][0]
    assert item["add_ons"] == [{"id": "cafe-voucher"}, {"id": "valet-charging"}]
    assert tag_values(provider["tags"], "add-ons") == {  # defined once per provider
        "cafe-voucher": "120.00",
        "valet-charging": "149.00",
    }
    assert tag_values(provider["tags"], "add-on-tax") == {
        "cafe-voucher": "5",
        "valet-charging": "18",
    }  # once per provider, not under every item
    combo = next(o for o in provider["offers"] if o["id"] == "valet-combo")
    assert combo["descriptor"]["code"] == "combo"
    assert "location_ids" not in combo and "item_ids" not in combo  # every item, everywhere
    assert tag_values(combo["tags"], "offer-details")["discount-type"] == "PERCENTAGE"
    assert [t for t in combo["tags"] if "code" in t] == [
        {"code": "qualifier", "list": [{"code": "item_id", "value": "valet-charging"}]},
        {
            "code": "benefit",
            "list": [
                {"code": "value_type", "value": "percent"},
                {"code": "value", "value": "-10.00"},
                {"code": "value_cap", "value": "-100.00"},
            ],
        },
        {
            "code": "meta",
            "list": [{"code": "additive", "value": "no"}, {"code": "auto", "value": "yes"}],
        },
    ]


def test_each_subscriber_gets_its_vocabulary(shop, bap, run, our_key):
    Subscriber.objects.update(vocabularies="deg")
    _, body = run(bap, "search", msgs.search())
    combo = body["message"]["catalog"]["providers"][0]["offers"][0]
    assert [t["descriptor"]["code"] for t in combo["tags"]] == ["offer-details"]
    _, selected = run(bap, "select", select(shop))
    line = selected["message"]["order"]["quote"]["breakup"][2]
    assert "@ondc/org/title_type" not in line
    Subscriber.objects.update(vocabularies="ondc")
    _, body = run(bap, "search", msgs.search())
    combo = body["message"]["catalog"]["providers"][0]["offers"][0]
    assert [t["code"] for t in combo["tags"]] == ["qualifier", "benefit", "meta"]


def test_select_prices_the_add_on_and_the_combo_line_carries_the_offer_tags(
    shop, bap, run, our_key
):
    _, body = run(bap, "select", select(shop))
    assert breakup(body) == [
        ("Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"),
        ("Service fee", "10.00"),
        ("Valet combo - 10% off", "-24.90"),
        ("Valet charging", "149.00"),
        ("GST (18%)", "40.34"),
    ]
    quote = body["message"]["order"]["quote"]
    assert quote["price"]["value"] == "264.44"
    combo, valet = quote["breakup"][2], quote["breakup"][3]
    assert (combo["@ondc/org/item_id"], combo["@ondc/org/title_type"]) == ("valet-combo", "offer")
    assert [t for t in combo["item"]["tags"] if "code" in t] == [
        {"code": "quote", "list": [{"code": "type", "value": "order"}]},
        {
            "code": "offer",
            "list": [
                {"code": "type", "value": "combo"},
                {"code": "additive", "value": "no"},
                {"code": "auto", "value": "yes"},
            ],
        },
    ]
    assert valet["item"]["id"] == "a-charger-01"
    assert valet["item"]["add_ons"] == [{"id": "valet-charging"}]
    item = body["message"]["order"]["items"][0]
    assert item["add_ons"][0]["id"] == "valet-charging"


def test_the_cafe_voucher_is_taxed_at_five_percent(shop, bap, run, our_key):
    both = [{"id": "valet-charging"}, {"id": "cafe-voucher"}]
    _, body = run(bap, "select", select(shop, add_ons=both))
    assert breakup(body)[-2:] == [("GST (18%)", "40.34"), ("GST (5%)", "6.00")]
    assert body["message"]["order"]["quote"]["price"]["value"] == "390.44"


def test_confirm_books_the_add_on_and_redeems_the_combo(shop, bap, run, our_key):
    order = to_confirmed(shop, bap, run)
    assert stock() == 2
    booking = AddOnBooking.objects.get(order_ref=order.reference)
    assert (booking.code, booking.price, booking.state) == ("valet-charging", D("149.00"), "booked")
    redeemed = Redemption.objects.get(order_ref=order.reference, kind="redeemed")
    assert (redeemed.offer_code, redeemed.discount) == ("valet-combo", D("24.90"))
    _, status = run(bap, "status", {"order_id": order.order_id})
    assert status["message"]["order"]["items"][0]["add_ons"][0]["id"] == "valet-charging"


def error_of(body):
    return body["error"]["code"], body["error"].get("paths")


def test_an_unknown_or_withdrawn_add_on_is_30007_at_select_and_init(shop, bap, run, our_key):
    _, body = run(bap, "select", select(shop, add_ons=[{"id": "spa"}]))
    # the path names the add-on refused
    assert error_of(body) == ("30007", "$.message.order.items[0].add_ons[0].id")
    assert body["error"]["message"] == "There is no add-on spa at cpo-a.example"
    run(bap, "select", select(shop))
    AddOnAvailability.objects.filter(add_on__code="valet-charging").update(enabled=False)
    _, body = run(bap, "init", init(shop))
    assert error_of(body)[0] == "30007"
    assert "not offered at station a-station" in body["error"]["message"]


def test_sold_out_before_confirm_is_30007_and_nothing_is_charged(shop, bap, run, our_key):
    run(bap, "select", select(shop))
    run(bap, "init", init(shop))
    AddOnAvailability.objects.filter(add_on__code="valet-charging").update(stock=0)
    _, body = run(bap, "confirm", confirm(shop, "264.44"))
    assert error_of(body)[0] == "30007"
    order = Order.objects.get()
    assert order.state == "initialized" and order.order_id is None
    assert not Redemption.objects.filter(kind="redeemed").exists()
    assert not AddOnBooking.objects.exists()


def test_a_combo_asked_for_without_its_add_on_is_30006_at_init(shop, bap, run, our_key):
    run(bap, "select", select(shop, add_ons=[], offers=("valet-combo",)))
    _, body = run(bap, "init", init(shop, add_ons=[], offers=("valet-combo",)))
    assert error_of(body) == ("30006", "$.message.order.offers")
    assert body["error"]["message"] == (
        "Offer valet-combo needs the charging session with one of: valet-charging"
    )


def test_a_combo_that_ended_after_init_is_refused_at_confirm(shop, bap, run, our_key):
    run(bap, "select", select(shop, offers=("valet-combo",)))
    run(bap, "init", init(shop, offers=("valet-combo",)))
    Offer.objects.filter(code="valet-combo").update(status="paused")
    from offers.services.catalog import forget_catalog

    forget_catalog()
    _, body = run(bap, "confirm", confirm(shop, "264.44", offers=("valet-combo",)))
    assert error_of(body)[0] == "30006"
    assert Order.objects.get().state == "initialized"
    assert not AddOnBooking.objects.exists()


def test_an_auto_combo_gone_at_confirm_is_a_new_price_never_charged_silently(
    shop, bap, run, our_key
):
    run(bap, "select", select(shop))
    run(bap, "init", init(shop))
    Offer.objects.filter(code="valet-combo").update(status="paused")
    from offers.services.catalog import forget_catalog

    forget_catalog()
    _, body = run(bap, "confirm", confirm(shop, "264.44"))
    assert error_of(body)[0] == "40003"
    assert "264.44 then, 293.82 now" in body["error"]["message"]
    assert Order.objects.get().state == "initialized"


def trail(fulfillment):
    return [
        {tag["code"]: tag["value"] for tag in group["list"]}
        for group in fulfillment.get("tags", [])
        if group.get("code") == "quote_trail"
    ]


def test_cancelling_the_add_on_reverses_the_combo_with_a_quote_trail(shop, bap, run, our_key):
    order = to_confirmed(shop, bap, run)
    update = {
        "update_target": "order.items[0].add_ons",
        "order": {"id": order.order_id, "items": [{"id": "a-charger-01", "add_ons": []}]},
    }
    _, body = run(bap, "update", update)
    sent = body["message"]["order"]
    assert sent["quote"]["price"]["value"] == "118.00"
    assert [b["title"] for b in sent["quote"]["breakup"]] == [
        "Charging session cost (5 kWh @ ₹18.00/kWh)",
        "Service fee",
        "GST (18%)",
    ]
    cancel = next(f for f in sent["fulfillments"] if f["id"] == "C1")
    assert cancel["type"] == "CANCEL"
    assert trail(cancel) == [
        {"type": "offer", "id": "valet-combo", "currency": "INR", "value": "24.90"}
    ]
    assert "add_ons" not in sent["items"][0]
    assert Redemption.objects.get(kind="reversed").discount == D("24.90")
    assert AddOnBooking.objects.get().state == "released" and stock() == 3
    more = {
        "update_target": "order.items[0].add_ons",
        "order": {"id": order.order_id, "items": [{"id": "a-charger-01", "add_ons": VALET}]},
    }
    _, body = run(bap, "update", more)
    assert error_of(body)[0] == "50002"


def test_cancel_reverses_the_combo_and_releases_the_add_on(shop, bap, run, our_key):
    order = to_confirmed(shop, bap, run)
    _, body = run(bap, "cancel", {"order_id": order.order_id, "cancellation_reason_id": "5"})
    sent = body["message"]["order"]
    cancel = next(f for f in sent["fulfillments"] if f["id"] == "C1")
    assert trail(cancel) == [
        {"type": "offer", "id": "valet-combo", "currency": "INR", "value": "24.90"}
    ]
    assert tag_values(sent["offers"][0]["tags"], "offer-reversal")["amount-reversed"] == "24.90"
    assert AddOnBooking.objects.get().state == "released" and stock() == 3
    assert Redemption.objects.get(kind="reversed").discount == D("24.90")


def test_less_energy_than_quoted_sends_the_recovery_on_update(shop, bap, run, our_key, clock):
    order = to_confirmed(shop, bap, run)
    run(bap, "update", msgs.update_start(order.order_id))
    clock(msgs.SESSION_END)  # charging ended
    _, body = run(bap, "update", msgs.update_end(order.order_id, kwh="4"))
    sent = body["message"]["order"]
    assert breakup(body) == [
        ("Charging session cost (4 kWh @ ₹18.00/kWh)", "72.00"),
        ("Service fee", "10.00"),
        ("Valet combo - 10% off", "-23.10"),  # 10% of 82 + 149
        ("Valet charging", "149.00"),
        ("GST (18%)", "37.42"),
    ]
    assert trail(sent["fulfillments"][0]) == [
        {"type": "offer", "id": "valet-combo", "currency": "INR", "value": "1.80"}
    ]
    rows = Redemption.objects.filter(order_ref=order.reference).order_by("pk")
    assert list(rows.values_list("kind", "discount")) == [
        ("validated", D("24.90")),
        ("redeemed", D("24.90")),
        ("reversed", D("1.80")),
        ("settled", D("23.10")),
    ]


def test_an_add_on_not_delivered_is_told_in_an_unsolicited_on_update(
    shop, bap, run, our_key, django_capture_on_commit_callbacks
):
    from offers.services.addon_delivery import not_delivered

    order = to_confirmed(shop, bap, run)
    with django_capture_on_commit_callbacks(execute=True):
        not_delivered(order.reference, ["valet-charging"], reason="valet off sick")
    row = Outbox.objects.filter(action="on_update", inbound__isnull=True).get()
    assert row.target_url == "https://bap.test.example/beckn/on_update"
    body = callback(row)  # valid against the core schema
    assert body["context"]["transaction_id"] == bap.transaction_id
    sent = body["message"]["order"]
    assert sent["quote"]["price"]["value"] == "118.00"
    assert trail(sent["fulfillments"][0]) == [
        {"type": "offer", "id": "valet-combo", "currency": "INR", "value": "24.90"}
    ]
    assert json.loads(row.payload)["context"]["message_id"] != order.transaction_id
    assert Order.objects.get().applied_offers == []
