"""The price tool's difference is against what the customer would pay otherwise (the
automatic offers that apply anyway), not against no offers; a chosen offer that ties or
loses to an automatic one is said to, and the engine's pick is not "the selected offers"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.offers.factories import OfferFactory
from tests.support.admin import admin_urls
from tests.support.pages import figure

pytestmark = pytest.mark.django_db
url = admin_urls("offers")
D = Decimal


def _priced(client, deg, offer) -> str:
    params = {"charger": deg.charger.pk, "start": "2025-09-21T10:00", "kwh": "10",
              "offers": [offer.pk]}  # fmt: skip
    return client.get(url("offer", "simulate"), params).content.decode()


def test_the_difference_is_against_the_automatic_offer_that_applies_anyway(as_pricing_a, deg):
    better = OfferFactory(operator=deg.op_a, code="sunday-30", title="Sunday 30",
                          percent=D("30"), auto=False, status="draft")  # fmt: skip
    page = _priced(as_pricing_a, deg, better)
    # 10 kWh at ₹18 + ₹10 fee + 18 % GST: 224.20 without any offer; the weekend's 25 % on
    # energy applies anyway (171.10); Sunday 30 takes 54.00 instead of 45.00 (160.48)
    assert figure(page, "total-with") == "₹160.48"
    assert figure(page, "total-otherwise") == "₹171.10"
    assert figure(page, "total-difference") == "\u2212₹10.62"
    assert figure(page, "total-without") == "₹224.20"
    assert "Weekend Special - 25% Off, which applies anyway" in page


def test_a_chosen_offer_that_ties_an_automatic_one_is_said_to(as_pricing_a, deg):
    same = OfferFactory(operator=deg.op_a, code="sunday-25", title="Sunday 25",
                        percent=D("25"), auto=False, status="draft")  # fmt: skip
    page = _priced(as_pricing_a, deg, same)
    assert figure(page, "total-difference") == "₹0.00"
    assert "Sunday 25 ties with Weekend Special - 25% Off: both take ₹45.00 off" in page
    assert "selected offers" not in page


def test_a_chosen_offer_that_gives_less_than_an_automatic_one_says_why(as_pricing_a, deg):
    less = OfferFactory(operator=deg.op_a, code="sunday-20", title="Sunday 20",
                        percent=D("20"), auto=False, status="draft")  # fmt: skip
    page = _priced(as_pricing_a, deg, less)
    assert figure(page, "total-difference") == "₹0.00"
    assert (
        "Sunday 20 would take ₹36.00 off, less than the ₹45.00 of Weekend Special - 25% Off" in page
    )


def test_the_price_tool_has_one_name(as_pricing_a, deg):
    from django.urls import reverse

    home = as_pricing_a.get(reverse("admin:index")).content.decode()
    tool = as_pricing_a.get(url("offer", "simulate")).content.decode()
    listing = as_pricing_a.get(url("offer", "changelist")).content.decode()
    tariffs = as_pricing_a.get(reverse("admin:pricing_tariff_changelist")).content.decode()
    for page in (home, tool, listing, tariffs):
        assert "Price tool" in page
        for other in (
            "Preview a price",
            "Price preview",
            "Simulate offers",
            "Price a session",
            "&rsaquo; Simulate<",
        ):
            assert other not in page


def test_a_chosen_offer_that_applies_anyway_is_measured_against_no_offer(as_pricing_a, deg):
    page = _priced(as_pricing_a, deg, deg.weekend)  # automatic on Sundays
    assert figure(page, "total-without") == "₹224.20"
    assert figure(page, "total-difference") == "\u2212₹53.10"
    assert "applies automatically: the difference is against no offer at all" in page
    assert "ties with" not in page


def test_the_session_reads_its_kwh_as_the_quote_lines_do(as_pricing_a, deg):
    page = _priced(as_pricing_a, deg, deg.weekend)
    assert ": 10 kWh, " in page and "10.000 kWh" not in page  # "Charging session cost (10 kWh"
