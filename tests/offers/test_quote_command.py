"""`manage.py quote` with offers: what applied, what was rejected and why."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
SUNDAY = "2025-09-21T10:00:00+05:30"


def run(*args) -> str:
    out = io.StringIO()
    call_command("quote", *args, stdout=out)
    return out.getvalue()


def test_table_names_applied_and_rejected_offers(deg):
    OfferFactory(operator=deg.op_a, code="gold-only", title="Gold", tiers=["gold"], auto=False)
    text = run(
        "--charger",
        "a-charger-01",
        "--start",
        SUNDAY,
        "--amount",
        "100",
        "--code",
        "WEEKEND25",
        "--code",
        "NOPE",
        "--offer",
        "gold-only",
        "ghost",
    )
    assert "Weekend Special - 25% Off" in text and "-22.50" in text
    assert "Offers applied: weekend-discount-25 -22.50 (code WEEKEND25)" in text
    assert "(code): code_unknown: Code NOPE matches no offer" in text
    assert "gold-only: tier: Offer gold-only is for gold tier members only" in text
    assert "ghost: code_unknown: There is no offer ghost at cpo-a.example" in text
    assert "Rules applied: weekend-discount-25 (discount) -22.50" in text


def test_tier_option_and_json(deg):
    OfferFactory(
        operator=deg.op_a, code="gold-only", title="Gold", tiers=["gold"], percent=50, auto=False
    )
    doc = json.loads(
        run(
            "--charger",
            "a-charger-01",
            "--start",
            SUNDAY,
            "--amount",
            "100",
            "--tier",
            "gold",
            "--offer",
            "gold-only",
            "--json",
        )
    )
    assert doc["total"] == "64.90"  # 90 - 45 + 10 = 55.00, + 9.90 GST
    assert doc["offers"]["applied"] == [{"id": "gold-only", "discount": "45.00", "code": None}]
    assert doc["offers"]["rejected"][0]["reason"] == "outranked"


def test_errors_are_one_line(deg):
    with pytest.raises(CommandError, match="Give --kwh N, --amount R or --end ISO"):
        run("--charger", "a-charger-01", "--start", SUNDAY)
    with pytest.raises(CommandError, match="Unknown charger"):
        run("--charger", "nope", "--start", SUNDAY, "--kwh", "5")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--start", "0001-01-01T00:00:00+05:30", "--kwh", "5"), "give a date from 2000-01-01"),
        (("--start", "9999-12-31T23:59:59-05:30", "--kwh", "5"), "give a date from 2000-01-01"),
        (("--start", SUNDAY, "--kwh", "1e309"), r"1\.000E\+309 kWh is more than one session"),
    ],
)
def test_values_past_what_dates_and_numbers_hold_are_one_line_errors(deg, args, words):
    with pytest.raises(CommandError, match=words):
        run("--charger", "a-charger-01", *args)
