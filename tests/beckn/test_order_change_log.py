"""An order's change log (the log and the order's history page) reads in words: the
quote's total as money, the quote as its lines, the offers it applied by title and
amount, and any other JSON it keeps as JSON, never as Python's printout of it. The order
is changed as it is in use, by signed Beckn messages (confirm, then cancel)."""

from __future__ import annotations

import html

import pytest

from beckn.models import Order
from tests.beckn import bap as msgs

pytestmark = pytest.mark.django_db

QUOTED = (
    "Charging session cost (5 kWh @ ₹18.00/kWh) ₹90.00; Service fee ₹10.00; "
    "Valet combo - 10% off \u2212₹24.90; Valet charging ₹149.00; GST (18%) ₹40.34"
)
CANCELLED = (
    "Charging session cost (5 kWh @ ₹18.00/kWh) ₹90.00; Service fee ₹10.00; GST (18%) ₹18.00"
)


def with_valet(body: dict) -> dict:
    body["order"]["items"][0]["add_ons"] = [{"id": "valet-charging"}]
    return body


@pytest.fixture
def cancelled(shop, bap, run, our_key, client):
    """Operator A's order with the valet and its combo (tests.beckn.conftest.shop),
    confirmed then cancelled; the client logged in as operator A's pricing editor."""
    item = (shop.op_a.code, shop.charger_a.code)
    run(bap, "select", with_valet(msgs.select(*item, offers=())))
    run(bap, "init", with_valet(msgs.init(*item, offers=())))
    _, body = run(bap, "confirm", with_valet(msgs.confirm(*item, total="264.44", offers=())))
    assert body["message"]["order"]["status"] == "ACTIVE", body.get("error")
    order = Order.objects.get()
    run(bap, "cancel", {"order_id": order.order_id, "cancellation_reason_id": "5"})
    client.force_login(shop.pricing_a)
    return order


def pages(client, order) -> list[str]:
    return [
        html.unescape(client.get(page).content.decode())
        for page in ("/admin/changes/?kind=beckn.order", f"/admin/beckn/order/{order.pk}/history/")
    ]


def test_the_quote_reads_as_its_total_and_lines(client, cancelled):
    for page in pages(client, cancelled):
        assert "<strong>quote total</strong> ₹264.44 → ₹118.00" in page
        assert f"<strong>quote</strong> {QUOTED} → {CANCELLED}" in page
        assert "quote-line" not in page  # the tags sent with each line


def test_the_offers_read_by_title_and_amount_given_then_recovered(client, cancelled):
    for page in pages(client, cancelled):
        assert "<strong>applied offers</strong> Valet combo - 10% off: \u2212₹24.90 → —" in page
        assert "<strong>applied offers</strong> — → Valet combo - 10% off: ₹24.90 recovered" in page


def test_no_value_is_pythons_printout(client, cancelled):
    for page in pages(client, cancelled):
        assert '<strong>cancellation</strong> — → {"time": ' in page  # as the order page shows it
        assert '"cancelled_by": "CONSUMER"' in page
        assert "{'" not in page and "'}" not in page and "None" not in page
