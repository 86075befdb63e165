"""One notice rule everywhere: the import lowers a surge without notice as the admin does and
asks notice for a rise; an offer's title that states a figure its benefit contradicts is
warned about in the admin and in the import plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from offers.models.offer_checks import title_contradiction
from offers.services.config.exporting import export_pricing
from offers.services.config.importing import import_pricing
from pricing.models import SurgeRule
from tests.offers.factories import OfferFactory
from tests.pricing.factories import SurgeFactory
from tests.support.admin import admin_urls, offer_post

url = admin_urls("offers")
pytestmark = pytest.mark.django_db


@pytest.fixture
def five_percent(network):
    network.op_a.surge_notice_hours = 24
    network.op_a.save()
    past = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return SurgeFactory(
        operator=network.op_a, code="evening", form="percent", amount=Decimal("5"),
        effective_from=past,
    )  # fmt: skip


def _with_amount(network, amount: str) -> dict:
    document = export_pricing(network.op_a)
    (row,) = [r for r in document["surge_rules"] if r["code"] == "evening"]
    row["amount"] = amount
    return document


def test_the_import_lowers_a_surge_without_notice(network, five_percent):
    plan = import_pricing(network.op_a, _with_amount(network, "4"))
    assert plan.errors == []
    assert SurgeRule.objects.get(pk=five_percent.pk).amount == Decimal("4")


def test_the_import_asks_notice_for_a_rise(network, five_percent):
    plan = import_pricing(network.op_a, _with_amount(network, "6"))
    assert len(plan.errors) == 1
    assert "Changing amount needs notice" in plan.errors[0]
    assert SurgeRule.objects.get(pk=five_percent.pk).amount == Decimal("5")


def test_a_title_stating_another_figure_than_the_benefit_is_warned_about(network):
    offer = OfferFactory.build(operator=network.op_a, title="25% Off", percent=Decimal("30"))
    assert "says 25%, but the offer gives 30% off" in title_contradiction(offer)
    offer.percent = Decimal("25")
    assert title_contradiction(offer) == ""
    fixed = OfferFactory.build(
        operator=network.op_a, title="₹50 off", benefit_kind="fixed", percent=None,
        amount=Decimal("40"),
    )  # fmt: skip
    assert "says ₹50, but the offer gives ₹40 off" in title_contradiction(fixed)
    plain = OfferFactory.build(operator=network.op_a, title="Weekend saver", percent=Decimal("30"))
    assert title_contradiction(plain) == ""


def test_a_title_is_read_and_answered_in_the_offers_currency(network):
    euros = OfferFactory.build(
        operator=network.op_a, title="€50 off", benefit_kind="fixed", percent=None,
        amount=Decimal("40"), currency="EUR",
    )  # fmt: skip
    assert "says €50, but the offer gives €40 off" in title_contradiction(euros)
    euros.title = "EUR 40 off your session"
    assert title_contradiction(euros) == ""
    euros.title = "Rs. 50 off"  # rupees are not what this offer gives
    assert title_contradiction(euros) == ""
    rupees = OfferFactory.build(
        operator=network.op_a, title="Rs. 1500 off", benefit_kind="fixed", percent=None,
        amount=Decimal("40.50"),
    )  # fmt: skip
    assert "says ₹1,500, but the offer gives ₹40.50 off" in title_contradiction(rupees)
    shares = OfferFactory.build(operator=network.op_a, title="12.5% off", percent=Decimal("12.25"))
    assert "says 12.5%, but the offer gives 12.25% off" in title_contradiction(shares)


def test_the_import_plan_warns_of_a_contradicting_title(network):
    OfferFactory(operator=network.op_a, code="quarter", title="25% Off", percent=Decimal("25"))
    document = export_pricing(network.op_a)
    (row,) = [r for r in document["offers"] if r["code"] == "quarter"]
    row["percent"] = "30"
    plan = import_pricing(network.op_a, document)
    assert plan.errors == []
    (line,) = [x for x in plan.lines() if x.startswith("~ offers[quarter]")]
    assert "warning: The title “25% Off” says 25%, but the offer gives 30% off" in line


def test_the_admin_warns_of_a_contradicting_title(client, network):
    client.force_login(network.pricing_a)
    data = offer_post(network.op_a, title="Happy hour 25%", percent="20")
    response = client.post(url("offer", "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("says 25%, but the offer gives 20% off" in m for m in shown), shown
