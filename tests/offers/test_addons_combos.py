"""Add-ons and combo offers through the services: ADDON lines with their own GST, the
combo discount, stock taken at confirm and given back, settlement on the add-ons
delivered, and reversals in the ledger (never beyond what was given, in aggregate).

Operator A is priced like the DEG examples (₹18/kWh, ₹10 fee, 18% GST); 5 kWh is ₹100
before tax. The weekend offer gives 22.50; the valet combo 10% of the session and the
valet (₹149), capped at ₹100.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from offers.models import AddOn, AddOnAvailability, AddOnBooking, OfferUsage, Redemption
from offers.services import addons, ledger
from offers.services.addon_delivery import not_delivered
from offers.services.ledger import recovery
from offers.services.order_steps import confirm_order
from offers.services.quoting import SessionAsk, quote_with_offers
from pricing.engine.types import LineKind
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
D = Decimal


def add_on(operator, station, code, price, rate, stock=None, **kw):
    item = AddOn.objects.create(
        operator=operator, code=code, name=code.replace("-", " ").title(), price=D(price),
        tax_rate=D(rate), **kw,
    )  # fmt: skip
    AddOnAvailability.objects.create(add_on=item, station=station, stock=stock)
    return item


def combo_offer(operator, code="valet-combo", **extra):
    values = {
        "operator": operator, "code": code, "title": "Valet combo - 10% off",
        "ondc_type": "combo", "percent": D("10"), "base": "", "max_discount": D("100"),
        "min_session_value": None, "secondary_ids": ["valet-charging"], "budget": D("1000"),
    }  # fmt: skip
    offer = OfferFactory(**{**values, **extra})
    offer.full_clean()
    return offer


@pytest.fixture
def shop(deg):
    a = deg.station_a
    deg.valet = add_on(deg.op_a, a, "valet-charging", "149", "0.18", stock=2)
    deg.cafe = add_on(deg.op_a, a, "cafe-voucher", "120", "0.05")
    deg.parking = add_on(deg.op_a, a, "parking", "30", "0.18")
    AddOnAvailability.objects.filter(add_on=deg.parking).update(enabled=False)
    deg.combo = combo_offer(deg.op_a)
    return deg


def quote(shop, *codes, kwh="5"):
    return quote_with_offers(SessionAsk(shop.charger, SUNDAY_10, kwh=D(kwh), add_ons=codes))


def lines(oq):
    return [(ln.kind.value, ln.title, ln.amount) for ln in oq.quote.lines]


def test_add_ons_are_priced_with_their_own_gst_and_the_combo_wins(shop):
    oq = quote(shop, "valet-charging", "cafe-voucher")
    assert lines(oq) == [
        ("energy", "Charging session cost (5 kWh @ ₹18.00/kWh)", D("90.00")),
        ("service_fee", "Service fee", D("10.00")),
        ("discount", "Valet combo - 10% off", D("-24.90")),  # 10% of 100 + 149
        ("addon", "Valet Charging", D("149.00")),
        ("addon", "Cafe Voucher", D("120.00")),
        ("tax", "GST (18%)", D("40.34")),  # (100 - 24.90 + 149) x 18%
        ("tax", "GST (5%)", D("6.00")),
    ]
    assert oq.quote.total == D("390.44")
    assert oq.applied_ids() == ("valet-combo",)
    assert oq.rejection("weekend-discount-25").reason == "outranked"


def test_without_its_add_on_the_combo_gives_way_to_the_weekend_offer(shop):
    oq = quote(shop, "cafe-voucher")
    assert oq.applied_ids() == ("weekend-discount-25",)
    assert oq.rejection("valet-combo").message == (
        "Offer valet-combo needs the charging session with one of: valet-charging"
    )


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("spa", "There is no add-on spa at cpo-a.example"),
        ("parking", "Add-on parking is not offered at station a-station"),
    ],
)
def test_an_add_on_that_cannot_be_sold_is_named(shop, code, why):
    with pytest.raises(addons.AddOnUnavailable) as caught:
        quote(shop, code)
    assert caught.value.code == code and caught.value.message == why


def test_sold_out_and_withdrawn_add_ons(shop):
    AddOnAvailability.objects.filter(add_on=shop.valet).update(stock=0)
    with pytest.raises(addons.AddOnUnavailable, match="sold out at station a-station"):
        quote(shop, "valet-charging")
    AddOn.objects.filter(pk=shop.cafe.pk).update(active=False)
    with pytest.raises(addons.AddOnUnavailable, match="no longer offered"):
        quote(shop, "cafe-voucher")


def _confirm(shop, order_ref="order-1", *codes, kwh="5"):
    oq = ledger.redeem(order_ref, quote(shop, *(codes or ("valet-charging",)), kwh=kwh))
    addons.book_add_ons(order_ref, shop.station_a, oq.add_ons)
    return oq


def _stock(shop):
    return AddOnAvailability.objects.get(add_on=shop.valet).stock


def test_confirm_redeems_the_combo_and_takes_stock_once(shop):
    oq = _confirm(shop)
    assert oq.quote.total == D("264.44")
    row = Redemption.objects.get(order_ref="order-1", kind="redeemed")
    assert (row.offer_code, row.ondc_type, row.discount) == ("valet-combo", "combo", D("24.90"))
    assert _stock(shop) == 1
    addons.book_add_ons("order-1", shop.station_a, oq.add_ons)  # a retried confirm
    assert _stock(shop) == 1
    assert AddOnBooking.objects.get(order_ref="order-1").price == D("149.00")
    again = ledger.redeem("order-1", quote(shop, "valet-charging"))
    assert again.quote.total == D("264.44")  # replayed with the add-on


def test_each_booking_of_a_confirmed_order_has_its_created_history_record(shop):
    ask = SessionAsk(
        shop.charger, SUNDAY_10, kwh=D("5"), add_ons=("valet-charging", "cafe-voucher")
    )
    confirm_order(ask, "order-1")
    bookings = AddOnBooking.objects.filter(order_ref="order-1").order_by("code")
    assert [b.code for b in bookings] == ["cafe-voucher", "valet-charging"]
    for booking in bookings:
        records = list(booking.history.all())
        assert [(r.history_type, r.state, r.price) for r in records] == [
            ("+", "booked", booking.price)
        ]
    addons.release_add_ons("order-1", ["cafe-voucher"])  # a change after it, as before
    assert list(bookings[0].history.values_list("history_type", "state")) == [
        ("~", "released"),
        ("+", "booked"),
    ]


def test_the_last_one_goes_to_one_order_only(shop):
    AddOnAvailability.objects.filter(add_on=shop.valet).update(stock=1)
    first, second = quote(shop, "valet-charging"), quote(shop, "valet-charging")
    addons.book_add_ons("order-1", shop.station_a, first.add_ons)
    with pytest.raises(addons.AddOnUnavailable, match="sold out"):
        addons.book_add_ons("order-2", shop.station_a, second.add_ons)
    assert _stock(shop) == 0


def test_settlement_on_more_energy_recomputes_the_combo(shop):
    _confirm(shop)
    settled = ledger.settle("order-1", D("5.2"))
    assert [(ln.title, ln.amount) for ln in settled.quote.lines_of(LineKind.DISCOUNT)] == [
        ("Valet combo - 10% off", D("-25.26"))  # 10% of 93.60 + 10 + 149
    ]
    assert settled.quote.sum_of(LineKind.ADDON) == D("149.00")
    assert settled.recovered == ()
    assert not Redemption.objects.filter(kind="reversed").exists()


def test_settlement_on_less_energy_records_the_reversal(shop):
    _confirm(shop)
    settled = ledger.settle("order-1", D("4"))
    assert settled.recovered == (("valet-combo", D("1.80")),)  # 24.90 -> 23.10
    kinds = list(
        Redemption.objects.filter(order_ref="order-1")
        .order_by("pk")
        .values_list("kind", "discount")
    )
    assert kinds == [("redeemed", D("24.90")), ("reversed", D("1.80")), ("settled", D("23.10"))]
    assert OfferUsage.objects.get(offer=shop.combo).budget_spent == D("23.10")
    # a later reversal takes back what the settlement left, not more
    back = ledger.reverse("order-1", reason="refund")
    assert back.total == D("23.10")
    assert OfferUsage.objects.get(offer=shop.combo).budget_spent == D("0.00")


def test_an_add_on_not_delivered_reverses_its_combo_in_full(shop):
    _confirm(shop)
    result = not_delivered("order-1", ["valet-charging"], reason="valet off sick")
    assert result.recovered == (("valet-combo", D("24.90")),)
    booking = AddOnBooking.objects.get(order_ref="order-1")
    assert (booking.state, booking.stock_taken) == ("not_delivered", False)
    assert _stock(shop) == 2
    usage = OfferUsage.objects.get(offer=shop.combo)
    assert (usage.uses, usage.budget_spent) == (0, D("0.00"))
    row = Redemption.objects.get(order_ref="order-1", kind="reversed")
    assert (row.discount, row.use_returned, row.reason) == (
        D("24.90"),
        True,
        "not delivered: valet off sick",
    )
    now = recovery.order_quote("order-1")
    assert now.quote.total == D("118.00")  # 100 + 18% GST: no valet, no combo
    settled = ledger.settle("order-1", D("5"))  # nothing more to take back, nothing doubled
    assert settled.recovered == () and settled.quote.total == D("118.00")
    usage.refresh_from_db()
    assert (usage.uses, usage.budget_spent) == (0, D("0.00"))


def test_one_of_two_secondary_add_ons_gone_reverses_in_part(shop):
    bay = add_on(shop.op_a, shop.station_a, "reserved-bay", "49", "0.18")
    shop.combo.secondary_ids = ["valet-charging", "reserved-bay"]
    shop.combo.save()
    oq = _confirm(shop, "order-1", "valet-charging", "reserved-bay")
    assert oq.discount == D("29.80")  # 10% of 100 + 149 + 49
    result = not_delivered("order-1", ["valet-charging"], reason="no valet")
    assert result.recovered == (("valet-combo", D("14.90")),)  # now 10% of 100 + 49
    assert recovery.order_quote("order-1").discount == D("14.90")
    assert bay.bookings.get().state == "booked"


def test_combos_stay_out_of_the_candidate_index(shop):
    from offers.services.catalog import catalog_for
    from offers.services.combos import combos_of

    catalog = catalog_for(shop.op_a)
    oq = quote(shop, "valet-charging")
    candidates = {o.id for o in catalog.index.for_quote(oq.priced, oq.facts, explain=True)}
    assert "weekend-discount-25" in candidates and "valet-combo" not in candidates
    assert [i.code for i in combos_of(catalog)] == ["valet-combo"]
    assert combos_of(catalog) is combos_of(catalog)  # worked out once per catalog
