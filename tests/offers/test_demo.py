"""The demo offers: every DEG offer type, DEG's numbers on the flagship charger, valid
terms, idempotent seeding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from cpo_portal.models import Charger
from offers.customer_keys import customer_key
from offers.models import CodeBatch, CreditAccount, Customer, Offer
from offers.services.quoting import SessionAsk, quote_with_offers
from pricing.engine.types import LineKind

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
SUNDAY_10 = dt.datetime(2025, 9, 21, 10, tzinfo=IST)


@pytest.fixture
def demo(demo_config_world, db):
    """The demo's configuration, seeded once for this module (tests/conftest.py); this
    test's changes are rolled back after it."""
    return demo_config_world


def flagship() -> Charger:
    return Charger.objects.select_related("station", "operator").get(code="pe-charging-01")


def test_seeding_twice_changes_nothing(demo):
    counts = (
        Offer.objects.count(),
        Offer.history.count(),
        Customer.objects.count(),
        CreditAccount.objects.count(),
        CodeBatch.objects.count(),
    )
    call_command("seed_demo", "--no-progress", "--sessions", "0", stdout=StringIO())
    assert counts == (
        Offer.objects.count(),
        Offer.history.count(),
        Customer.objects.count(),
        CreditAccount.objects.count(),
        CodeBatch.objects.count(),
    )
    assert "Offers: 19 demo offers, 600 customers." in demo


def test_every_deg_offer_type_is_there_and_valid(demo):
    labels = set(
        Offer.objects.filter(operator__code="cpo1.com").values_list("type_label", flat=True)
    )
    assert {
        "WEEKEND_SPECIAL",
        "HAPPY_HOUR",
        "NIGHT_CHARGING",
        "EARLY_BIRD",
        "NEW_STATION_LAUNCH",
        "HIGHWAY_SPECIAL",
        "TIER_PRICING",
        "REFERRAL_BONUS",
        "ANNIVERSARY_REWARD",
        "MONTHLY_PACKAGE",
        "PREPAID_CREDIT",
        "FAMILY_PLAN",
        "BULK_CHARGING",
        "BUY_X_GET_Y",
        "REGIONAL_PROMOTION",
        "ENERGY_TRADE",
    } <= labels
    for offer in Offer.objects.all():
        offer.full_clean()
    assert Offer.objects.get(code="delhi-weekday-10").holdout_percent == Decimal("10")
    assert CodeBatch.objects.get().codes.count() == 50


def test_deg_weekend_offer_on_the_flagship(demo):
    oq = quote_with_offers(
        SessionAsk(flagship(), SUNDAY_10, amount=Decimal("100"), codes=["WEEKEND25"])
    )
    assert oq.applied_ids() == ("weekend-discount-25",)
    assert [str(ln.amount) for ln in oq.quote.lines] == ["90.00", "10.00", "-22.50", "13.95"]


def test_package_member_and_time_of_day_trade(demo):
    gold = customer_key(phone="+91 90000 00001")
    oq = quote_with_offers(
        SessionAsk(flagship(), SUNDAY_10, amount=Decimal("100"), customer_key=gold)
    )
    assert oq.applied_ids() == ("monthly-package-100",)  # the package pays the 90.00 energy
    assert oq.applied[0].kwh_drawn == Decimal("5.000")
    assert oq.rejection("weekend-discount-25").reason.value == "outranked"
    noon = SUNDAY_10.replace(day=24, hour=12)  # a Wednesday
    oq = quote_with_offers(
        SessionAsk(flagship(), noon, kwh=Decimal("10"), offer_ids=["solar-noon-trade"])
    )
    assert oq.applied_ids() == ("solar-noon-trade",)
    assert oq.discount == Decimal("70.00")  # (18 - 11) x 10 kWh
    assert oq.quote.sum_of(LineKind.WHEELING) == Decimal("2.50")
