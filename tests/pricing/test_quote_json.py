"""quote_to_dict: the one JSON shape of a quote (command, preview, later Beckn)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pricing.engine.types import LineKind, Quote, QuoteLine
from pricing.services.quote_dict import kwh_text, quote_to_dict, rate_text
from tests.pricing.factories import at
from tests.support.pricing import quote_session

D = Decimal


@pytest.mark.parametrize(
    ("rate", "text"), [(D("18"), "18.00"), (D("0.125"), "0.125"), (D("16.5000"), "16.50")]
)
def test_rates_keep_their_precision(rate, text):
    assert rate_text(rate) == text


def test_kwh_to_the_watt_hour_half_up():
    assert kwh_text(D("5.2")) == "5.200"
    assert kwh_text(D("3.46666666")) == "3.467"


def test_tax_inclusive_quote_and_local_times():
    start = dt.datetime(2025, 9, 24, 12, 55, tzinfo=dt.UTC)
    quote = Quote(
        currency="INR",
        start=start,
        end=start + dt.timedelta(minutes=10),
        kwh=D("5.2"),
        lines=(
            QuoteLine(LineKind.ENERGY, "base", "Energy", D("83.20"), kwh=D("5.2"), rate=D("16")),
            QuoteLine(LineKind.DISCOUNT, "offer-1", "25% off", D("-20.80")),
        ),
        total=D("62.40"),
        tax_included=D("9.52"),
        tax_inclusive=True,
    )
    data = quote_to_dict(quote, zone=ZoneInfo("Asia/Kolkata"))
    assert data["start"] == "2025-09-24T18:25:00+05:30"
    assert data["tax"] == {"inclusive": True, "included": "9.52", "charged": "0.00"}
    assert data["totals"]["discount"] == "-20.80" and data["total"] == "62.40"
    assert data["applied_rules"] == [
        {"type": "discount", "code": "offer-1", "title": "25% off", "amount": "-20.80"}
    ]
    assert quote_to_dict(quote)["start"] == "2025-09-24T12:55:00+00:00"


@pytest.mark.django_db
def test_the_offers_layer_can_add_adjustments_to_a_quote(priced):
    offer = QuoteLine(LineKind.DISCOUNT, "offer-001", "25% off", D("-22.50"), tax_rate=D("0.18"))
    quote = quote_session(
        priced.charger_a, at("2025-09-24 10:00"), amount=D("100"), adjustments=(offer,)
    )
    # DEG offer quote: 90 + 10 - 22.50 = 77.50, GST 13.95
    assert [ln.amount for ln in quote.lines] == [D("90.00"), D("10.00"), D("-22.50"), D("13.95")]
    assert quote.total == D("91.45")
