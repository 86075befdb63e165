import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from cpo_portal import formatting


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (Decimal("-3161.48"), "INR", "\u2212₹3,161.48"),
        (Decimal("536778"), "INR", "₹5,36,778.00"),
        (Decimal("12345678.905"), "INR", "₹1,23,45,678.91"),
        (Decimal("-0.004"), "INR", "₹0.00"),
        (Decimal("11"), "EUR", "€11.00"),
        (Decimal("11"), "CHF", "CHF\u00a011.00"),
        (Decimal("-1234.5"), "CHF", "\u2212CHF\u00a01,234.50"),
        (None, "INR", "—"),
    ],
)
def test_money(value, currency, text):
    assert formatting.money_text(value, currency) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("0.2"), "20%"), (Decimal("0.125"), "12.5%"), (Decimal("0.8"), "80%"), (0, "0%")],
)
def test_percent_of_ratio(value, text):
    assert formatting.percent_of_ratio(value) == text


def test_percent_signs():
    assert formatting.percent(Decimal("20.000")) == "20%"
    assert formatting.percent(Decimal("-5.55")) == "\u22125.6%"
    assert formatting.percent(Decimal("5"), signed=True) == "+5%"


def test_local_time_drops_seconds_and_microseconds():
    at = dt.datetime(2026, 11, 22, 12, 35, 9, 123456, tzinfo=dt.UTC)
    assert formatting.local_time(at, "Asia/Kolkata") == "22 Nov 2026, 18:05"
    assert formatting.local_time(at, ZoneInfo("Europe/Amsterdam")) == "22 Nov 2026, 13:35"


def test_template_filters():
    source = (
        "{% load cpo_format %}{{ a|money }} {{ b|money:'EUR' }} {{ r|pct }}"
        " {{ p|pct_value }} {{ n|grouped }}"
    )
    values = {"a": Decimal("-3161.48"), "b": Decimal("2"), "r": Decimal("0.18"), "p": 20}
    out = Template(source).render(Context({**values, "n": 123456}))
    assert out == "\u2212₹3,161.48 €2.00 18% 20% 1,23,456"
