"""A booked add-on's price and GST rate read in the change log (the log and the booking's
history page) as the add-on's own do: money and a percentage, not bare numbers.

No product path changes them once booked (the booking keeps what was sold), so the change
here is a correction saved outside the admin, which the log records as "system"."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest

from offers.models import AddOn, AddOnBooking

pytestmark = pytest.mark.django_db
D = Decimal


def test_price_reads_as_money_and_gst_rate_as_a_percentage(as_pricing_a, network):
    valet = AddOn.objects.create(
        operator=network.op_a, code="valet-charging", name="Valet charging", price=D("250")
    )
    booking = AddOnBooking.objects.create(
        order_ref="beckn:bap.example:t-1", add_on=valet, station=network.station_a,
        code=valet.code, name=valet.name, price=D("250.00"), tax_rate=D("0.1800"),
    )  # fmt: skip
    booking.price, booking.tax_rate = D("212.50"), D("0.05")
    booking.save()
    for page in (
        "/admin/changes/?kind=offers.addonbooking",
        f"/admin/offers/addonbooking/{booking.pk}/history/",
    ):
        text = html.unescape(as_pricing_a.get(page).content.decode())
        assert "<strong>price</strong> ₹250.00 → ₹212.50" in text
        assert "<strong>tax rate</strong> 18% → 5%" in text
