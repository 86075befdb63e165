"""`manage.py quote` takes people as people: a phone or an e-mail hashed as every surface
hashes it (or the stored key), what-if segment and tier over the stored customer, offers
out of their dates explained, numbers written one way, no launch offer at a station whose
opening date is unknown."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from offers.customer_keys import customer_key
from offers.models import Customer
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
SUNDAY = "2025-09-21T10:00:00+05:30"
PHONE = "+91-9876543210"
BASE = ["--charger", "a-charger-01", "--start", SUNDAY, "--amount", "100", "--json"]
PLAIN = {"min_session_value": None, "max_discount": None, "additive": True}


def run(*args) -> dict:
    out = io.StringIO()
    call_command("quote", *BASE, *args, stdout=out)
    return json.loads(out.getvalue())


def reasons(doc: dict) -> dict[str, str]:
    return {r["id"]: r["reason"] for r in doc["offers"]["rejected"]}


def applied(doc: dict) -> list[str]:
    return [a["id"] for a in doc["offers"]["applied"]]


@pytest.fixture
def sarah(deg):
    """A returning member, silver tier, known by her phone number."""
    return Customer.objects.create(
        operator=deg.op_a, key=customer_key(phone=PHONE), tier="silver", member=True,
        first_session_done=True,
    )  # fmt: skip


def test_a_phone_number_finds_the_returning_customer(deg, sarah):
    OfferFactory(
        operator=deg.op_a, code="first-50", benefit_kind="fixed", amount=Decimal("50"),
        percent=None, base="", first_session_only=True, **PLAIN,
    )  # fmt: skip
    assert "first-50" in applied(run("--phone", "+91 90000 00000"))  # a stranger's first
    for same in ("+91 98765 43210", "09876543210", "9876543210"):
        doc = run("--phone", same)
        assert reasons(doc)["first-50"] == "first_session_only", same
    assert reasons(run("--customer-key", sarah.key))["first-50"] == "first_session_only"


def test_an_email_is_hashed_as_the_product_hashes_it(deg):
    Customer.objects.create(
        operator=deg.op_a, key=customer_key(email="sarah@example.com"), tier="gold"
    )
    OfferFactory(operator=deg.op_a, code="gold-30", tiers=["gold"], percent=30, **PLAIN)
    assert applied(run("--email", "  Sarah@Example.COM ")) == ["gold-30"]  # 27.00 > 22.50
    assert reasons(run())["gold-30"] == "tier"


def test_segment_and_tier_change_only_those_facts(deg, sarah):
    OfferFactory(operator=deg.op_a, code="members-10", members_only=True, percent=10, **PLAIN)
    OfferFactory(operator=deg.op_a, code="gold-20", tiers=["gold"], percent=20, **PLAIN)
    doc = run("--phone", PHONE, "--tier", "gold")
    assert {"members-10", "gold-20"} <= set(applied(doc))  # still a member, now gold
    assert reasons(run("--phone", PHONE))["gold-20"] == "tier"


def test_people_options_fail_in_one_line(deg):
    with pytest.raises(CommandError, match=r"not a customer key \(64 hex digits\): give a phone"):
        run("--customer-key", PHONE)
    with pytest.raises(CommandError, match="Give one of --phone, --email or --customer-key"):
        run("--phone", PHONE, "--email", "a@b.co")
    with pytest.raises(CommandError, match="Cannot identify the customer: '12' is not"):
        run("--phone", "12")
    with pytest.raises(CommandError):  # no abbreviation: --customer is not --customer-key
        run("--customer", PHONE)


def test_offers_out_of_their_dates_are_explained_when_they_would_have_applied(deg):
    OfferFactory(
        operator=deg.op_a, code="summer", valid_until=dt.datetime(2025, 8, 31, 23, 59, tzinfo=IST)
    )
    OfferFactory(operator=deg.op_a, code="diwali", valid_from=dt.datetime(2025, 10, 20, tzinfo=IST))
    OfferFactory(  # ended too, but for gold members only: its dates are not why
        operator=deg.op_a, code="old-gold", tiers=["gold"],
        valid_until=dt.datetime(2025, 8, 31, tzinfo=IST),
    )  # fmt: skip
    doc = run()
    got = {r["id"]: r["message"] for r in doc["offers"]["rejected"]}
    assert got["summer"] == "Offer summer ended 2025-08-31T18:29:00+00:00"
    assert got["diwali"] == "Offer diwali starts 2025-10-19T18:30:00+00:00"
    assert (reasons(doc)["summer"], reasons(doc)["diwali"]) == ("expired", "not_started")
    assert "old-gold" not in got


def test_kwh_are_written_one_way(deg):
    OfferFactory(operator=deg.op_a, code="bulk", min_kwh=Decimal("5.000"), **PLAIN)
    out = io.StringIO()
    call_command(
        "quote", "--charger", "a-charger-01", "--start", SUNDAY, "--kwh", "4.0", stdout=out
    )
    assert "bulk: below_min_kwh: Offer bulk needs at least 5 kWh; this session is 4 kWh" in (
        out.getvalue()
    )


def test_no_launch_offer_at_a_station_without_an_opening_date(deg):
    deg.station_a.opened_on = None
    deg.station_a.save()
    OfferFactory(operator=deg.op_a, code="launch", launch_days=30, **PLAIN)
    assert "launch" not in reasons(run())
    named = {r["id"]: r["message"] for r in run("--offer", "launch")["offers"]["rejected"]}
    assert named["launch"] == (
        "Offer launch is not valid: only in the first 30 days after the station opened, "
        "and this station's opening date is not set"
    )
