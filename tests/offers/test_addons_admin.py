"""Add-ons and combos through the admin: the ONDC template enforced on save with the
missing field named, combo offers created from the form, add-ons with their stations
(tenant-safe), and bookings marked not delivered."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from offers.models import AddOn, AddOnAvailability, AddOnBooking, Offer, Redemption
from offers.services import addons, ledger
from offers.services.addon_delivery import NotDelivered
from offers.services.ledger.order import copy_row
from offers.services.ledger.rows import write
from offers.services.quoting import SessionAsk, quote_with_offers
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory
from tests.support.admin import admin_urls, offer_post

pytestmark = pytest.mark.django_db
D = Decimal


url = admin_urls("offers")


def errors_of(offer: Offer) -> dict[str, list[str]]:
    try:
        offer.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


def page_errors(response) -> list[str]:
    return re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )


@pytest.fixture
def valet(network):
    item = AddOn.objects.create(
        operator=network.op_a, code="valet-charging", name="Valet charging", price=D("149")
    )
    AddOnAvailability.objects.create(add_on=item, station=network.station_a, stock=3)
    return item


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"benefit_kind": "slabs", "percent": None, "base": "", "max_discount": None,
             "slabs": [{"from_kwh": "20", "to_kwh": "50", "percent": "10"}]},
            "max_discount",
            "ONDC template: Slab offers need a value cap (benefit value_cap).",
        ),
        (
            {"ondc_type": "combo", "base": "", "max_discount": None,
             "secondary_ids": ["valet-charging"]},
            "max_discount",
            "ONDC template: Combo offers need a value cap (benefit value_cap).",
        ),
        (
            {"ondc_type": "combo", "base": "", "secondary_ids": ["spa"]},
            "secondary_ids",
            "Not an add-on or charger of this operator: spa.",
        ),
        (
            {"ondc_type": "combo", "base": "", "benefit_kind": "free_kwh", "percent": None,
             "free_kwh": D("3"), "secondary_ids": ["valet-charging"]},
            "benefit_kind",
            "A combo takes a percent or a fixed amount off the session and its add-ons "
            "(ONDC benefit value_type percent or amount).",
        ),
        (
            {"secondary_ids": ["valet-charging"]},
            "secondary_ids",
            "Only combo offers have secondary items (ONDC qualifier item_id); set the ONDC "
            "type to Combo or clear them.",
        ),
        (
            {"ondc_type": "discount", "benefit_kind": "rate_override", "percent": None,
             "base": "", "rate_per_kwh": D("12")},
            "percent",
            "ONDC template: Discount offers need a benefit value (benefit value).",
        ),
    ],
)  # fmt: skip
def test_the_ondc_template_names_the_missing_field(network, valet, changes, field, message):
    offer = OfferFactory.build(operator=network.op_a, code="o", title="O", **changes)
    assert message in errors_of(offer)[field]


def test_a_valid_combo_and_the_outside_template_kinds_save(network, valet):
    combo = OfferFactory.build(
        operator=network.op_a, code="valet-combo", title="Valet combo", ondc_type="combo",
        base="", secondary_ids=["valet-charging"],
    )  # fmt: skip
    assert errors_of(combo) == {}
    night = OfferFactory.build(
        operator=network.op_a, code="night", title="Night", benefit_kind="rate_override",
        percent=None, base="", rate_per_kwh=D("12"),
    )  # fmt: skip
    assert errors_of(night) == {}


def test_a_combo_is_created_in_the_admin_and_quoted(client, deg, valet):
    client.force_login(deg.pricing_a)
    data = offer_post(
        deg.op_a, code="valet-combo", status="active", title="Valet combo - 10% off",
        ondc_type="combo", percent="10", base="", max_discount="100",
        secondary_ids="valet-charging", days_of_week=[str(d) for d in range(7)],
        window_start="", window_end="",
    )  # fmt: skip
    response = client.post(url("offer", "add"), data)
    assert response.status_code == 302, page_errors(response)
    combo = Offer.objects.get(code="valet-combo")
    assert (combo.ondc_type, combo.secondary_ids) == ("combo", ["valet-charging"])
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, kwh=D("5"), add_ons=["valet-charging"])
    )
    assert oq.applied_ids() == ("valet-combo",) and oq.discount == D("24.90")


def test_the_combo_form_refuses_a_missing_cap(client, deg, valet):
    client.force_login(deg.pricing_a)
    data = offer_post(
        deg.op_a, code="valet-combo", title="Valet combo", ondc_type="combo", base="",
        secondary_ids="valet-charging",
    )  # fmt: skip
    response = client.post(url("offer", "add"), data)
    assert response.status_code == 200
    assert "ONDC template: Combo offers need a value cap (benefit value_cap)." in (
        response.content.decode()
    )
    assert not Offer.objects.filter(code="valet-combo").exists()


def addon_post(operator, station, **overrides) -> dict:
    data = {
        "operator": operator.pk,
        "code": "cafe-voucher",
        "name": "Cafe voucher",
        "description": "Coffee and a sandwich",
        "price": "120",
        "tax_rate": "5",  # percent in the admin
        "active": "on",
        "availability-TOTAL_FORMS": "1",
        "availability-INITIAL_FORMS": "0",
        "availability-MIN_NUM_FORMS": "0",
        "availability-MAX_NUM_FORMS": "1000",
        "availability-0-station": station.pk,
        "availability-0-enabled": "on",
        "availability-0-stock": "40",
    }
    data.update(overrides)
    return data


def test_add_ons_are_created_with_their_stations(client, network):
    client.force_login(network.pricing_a)
    response = client.post(url("addon", "add"), addon_post(network.op_a, network.station_a))
    assert response.status_code == 302, page_errors(response)
    cafe = AddOn.objects.get(code="cafe-voucher")
    assert (cafe.price, cafe.tax_rate) == (D("120.00"), D("0.0500"))
    row = cafe.availability.get()
    assert (row.station, row.stock, row.enabled) == (network.station_a, 40, True)


def test_another_operators_station_or_add_on_is_refused(client, network, valet):
    client.force_login(network.pricing_a)
    response = client.post(url("addon", "add"), addon_post(network.op_a, network.station_b))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not AddOn.objects.filter(code="cafe-voucher").exists()
    client.force_login(network.pricing_b)
    assert valet.code not in client.get(url("addon", "changelist")).content.decode()
    assert client.get(url("addon", "change", valet.pk)).status_code in (302, 403, 404)


def test_an_analyst_sees_add_ons_but_cannot_change_them(client, network, valet):
    client.force_login(network.analyst_a)
    assert valet.code in client.get(url("addon", "changelist")).content.decode()
    client.post(url("addon", "change", valet.pk), addon_post(network.op_a, network.station_a))
    valet.refresh_from_db()
    assert valet.name == "Valet charging"


def test_a_booking_marked_not_delivered_reverses_the_combo(client, deg, valet):
    combo = OfferFactory(
        operator=deg.op_a, code="valet-combo", title="Valet combo", ondc_type="combo", base="",
        percent=D("10"), min_session_value=None, secondary_ids=["valet-charging"],
    )  # fmt: skip
    combo.full_clean()
    oq = ledger.redeem(
        "order-9",
        quote_with_offers(
            SessionAsk(deg.charger, SUNDAY_10, kwh=D("5"), add_ons=["valet-charging"])
        ),
    )
    addons.book_add_ons("order-9", deg.station_a, oq.add_ons)
    booking = AddOnBooking.objects.get()
    client.force_login(deg.pricing_a)
    response = client.post(
        url("addonbooking", "changelist"),
        {"action": "mark_not_delivered", "_selected_action": [booking.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "order-9: valet-charging (₹24.90 recovered)" in page, re.findall(
        r'<ul class="messagelist">(.*?)</ul>', page, re.S
    )
    booking.refresh_from_db()
    assert booking.state == "not_delivered"
    assert Redemption.objects.get(kind="reversed").discount == D("24.90")
    assert AddOnAvailability.objects.get(add_on=valet).stock == 3
    client.force_login(deg.pricing_b)
    assert "order-9" not in client.get(url("addonbooking", "changelist")).content.decode()


def test_the_money_recovered_is_written_in_the_orders_currency(client, deg, valet, monkeypatch):
    """The message writes what was recovered by the one money rule, in the order's currency
    (which the reversal reports): its symbol, lakh grouping, to the paisa."""
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, kwh=D("5"), add_ons=["valet-charging"])
    )
    addons.book_add_ons("order-9", deg.station_a, oq.add_ons)
    done = NotDelivered("order-9", ("valet-charging",), "EUR", (("combo", D("123456.5")),))
    monkeypatch.setattr("offers.admin.addons.not_delivered", lambda *_a, **_k: done)
    client.force_login(deg.pricing_a)
    response = client.post(
        url("addonbooking", "changelist"),
        {"action": "mark_not_delivered", "_selected_action": [AddOnBooking.objects.get().pk]},
        follow=True,
    )
    assert messages_of(response) == [
        ("success", "Not delivered: order-9: valet-charging (€1,23,456.50 recovered).")
    ]


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("broken_by", "why"),
    [
        ("benefit_kind", "cannot be read: Unknown benefit kind ''."),
        ("charger", "has no charger to price the session at."),
    ],
)
def test_a_booking_with_an_unreadable_ledger_is_named_and_the_others_are_marked(
    client, deg, valet, broken_by, why
):
    combo = OfferFactory(
        operator=deg.op_a, code="valet-combo", title="Valet combo", ondc_type="combo", base="",
        percent=D("10"), min_session_value=None, secondary_ids=["valet-charging"],
    )  # fmt: skip
    combo.full_clean()
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, kwh=D("5"), add_ons=["valet-charging"])
    )
    oq = ledger.redeem("order-9", oq)
    row = Redemption.objects.get(order_ref="order-9")
    copy = copy_row(row, order_ref="order-8", kind=row.kind, seq=row.seq, discount=row.discount)
    copy.terms = row.terms
    if broken_by == "benefit_kind":  # a terms snapshot that lost its benefit kind
        copy.terms = {**row.terms, "benefit_kind": ""}
    else:  # a row written without its charger
        copy.charger = None
    (broken,) = write([copy])
    for order_ref in ("order-8", "order-9"):
        addons.book_add_ons(order_ref, deg.station_a, oq.add_ons)
    bad, good = (AddOnBooking.objects.get(order_ref=ref) for ref in ("order-8", "order-9"))
    client.force_login(deg.pricing_a)
    response = client.post(
        url("addonbooking", "changelist"),
        {"action": "mark_not_delivered", "_selected_action": [bad.pk, good.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(url("addonbooking", "changelist"), 302)]
    assert messages_of(response) == [
        ("success", "Not delivered: order-9: valet-charging (₹24.90 recovered)."),
        ("error", "Booking valet-charging of order order-8 was not changed: ledger row "
                  f"{broken.pk} (offer valet-combo) {why}"),
    ]  # fmt: skip
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.state, bad.stock_taken, bad.note) == ("booked", True, "")
    assert good.state == "not_delivered"
    reversed_rows = Redemption.objects.filter(kind="reversed")
    assert list(reversed_rows.values_list("order_ref", "discount")) == [("order-9", D("24.90"))]
    assert AddOnAvailability.objects.get(add_on=valet).stock == 2  # order-8 keeps its valet
    assert list(Redemption.objects.filter(order_ref="order-8").values_list("kind")) == [
        ("redeemed",)
    ]


def test_the_simulator_prices_add_ons_and_combos(client, deg, valet):
    combo = OfferFactory(
        operator=deg.op_a, code="valet-combo", title="Valet combo", ondc_type="combo", base="",
        percent=D("10"), min_session_value=None, secondary_ids=["valet-charging"],
    )  # fmt: skip
    combo.full_clean()
    client.force_login(deg.analyst_a)
    params = {
        "charger": deg.charger_a.pk,
        "start": "2025-09-21T10:00",
        "kwh": "5",
        "add_ons": [valet.pk],
    }
    page = client.get(url("offer", "simulate"), params).content.decode()
    assert "Valet charging" in page and "\u2212₹24.90" in page and "264.44" in page
    AddOnAvailability.objects.update(stock=0)
    page = client.get(url("offer", "simulate"), params).content.decode()
    assert "Add-on valet-charging is sold out at station a-station" in page
    client.force_login(deg.analyst_b)
    page = client.get(url("offer", "simulate"), {**params, "charger": deg.charger_b.pk}).content
    assert "Select a valid choice" in page.decode()
