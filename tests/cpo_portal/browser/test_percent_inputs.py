"""Percentages in the admin's forms, in a real browser: a GST rate and a surge's occupancy
threshold are stored as fractions (0.18, 0.8) but typed and shown as people write them
(18, 80), and a wrong value gets an error in percent, worded for a person, not a fraction's
or a decimal-places message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from offers.models import AddOn
from tests.cpo_portal.browser.conftest import log_in, shoot
from tests.offers.conftest import deg_tariff
from tests.pricing.factories import SurgeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def submit(page, selector: str, value: str) -> list[str]:
    """Types `value` into the box, saves (the browser's own checks off, so that the server's
    message is what shows) and returns the errors the page shows for that field."""
    page.fill(selector, value)
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    row = page.locator(f".form-row:has({selector})")
    return [text.strip() for text in row.locator(".errorlist li").all_inner_texts()]


def test_gst_is_typed_and_shown_in_percent_with_errors_in_words(page, live_server, network):
    tariff = deg_tariff(network.op_a)
    log_in(page, live_server, network.pricing_a.username)
    url = live_server.url + reverse("admin:pricing_tariff_change", args=[tariff.pk])
    page.goto(url)
    assert page.input_value("#id_tax_rate") == "18"
    for wrong in ("180", "-1"):
        assert submit(page, "#id_tax_rate", wrong) == ["GST must be between 0% and 100%."]
        assert page.input_value("#id_tax_rate") == wrong  # kept as typed
    assert submit(page, "#id_tax_rate", "18.555") == [
        "GST rate takes at most 2 decimals, e.g. 18.25%."
    ]
    assert "decimal places" not in page.content() and "fraction" not in page.content()
    tariff.refresh_from_db()
    assert tariff.tax_rate == Decimal("0.18")  # nothing saved
    assert submit(page, "#id_tax_rate", "18.5") == []
    page.wait_for_selector(".messagelist .success")
    tariff.refresh_from_db()
    assert tariff.tax_rate == Decimal("0.185")
    assert page.input_value("#id_tax_rate") == "18.5"
    overflow = shoot(page, "tariff-gst-percent")
    assert overflow["390"] == 0


def test_an_add_on_gst_follows_the_same_rule(page, live_server, network):
    add_on = AddOn.objects.create(
        operator=network.op_a, code="valet", name="Valet", price=Decimal("149"),
        tax_rate=Decimal("0.05"),
    )  # fmt: skip
    log_in(page, live_server, network.pricing_a.username)
    page.goto(live_server.url + reverse("admin:offers_addon_change", args=[add_on.pk]))
    assert page.input_value("#id_tax_rate") == "5"
    assert page.inner_text("#id_tax_rate_helptext") == "In percent: 18 for 18%."  # the default
    assert submit(page, "#id_tax_rate", "180") == ["GST must be between 0% and 100%."]


def test_a_surge_occupancy_threshold_is_a_percentage(page, live_server, network):
    rule = SurgeFactory(
        operator=network.op_a, kind="demand", code="busy", name="Busy stations",
        window_start=None, window_end=None, occupancy_threshold=Decimal("0.8"),
        form="percent", amount=Decimal("10"),
        effective_from=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    log_in(page, live_server, network.pricing_a.username)
    page.goto(live_server.url + reverse("admin:pricing_surgerule_change", args=[rule.pk]))
    assert page.input_value("#id_occupancy_threshold") == "80"
    assert "Occupancy threshold (%)" in page.inner_text("label[for=id_occupancy_threshold]")
    assert submit(page, "#id_occupancy_threshold", "120") == [
        "Occupancy threshold must be between 0% and 100%."
    ]
    assert submit(page, "#id_occupancy_threshold", "0.9") == []  # 0.9 %: a percentage too
    rule.refresh_from_db()
    assert rule.occupancy_threshold == Decimal("0.009")
    assert submit(page, "#id_occupancy_threshold", "85") == []
    page.wait_for_selector(".messagelist .success")
    rule.refresh_from_db()
    assert rule.occupancy_threshold == Decimal("0.85")  # one stored form: the fraction
    assert page.input_value("#id_occupancy_threshold") == "85"
    overflow = shoot(page, "surge-occupancy-percent")
    assert overflow["390"] == 0
