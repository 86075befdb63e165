"""Lists and tools that read like the business, in a real browser: the offer list says
value, schedule, status and budget used; the price tool shows the session without and with
the offer side by side; the week view's summary counts conditional rules once; decimals
and GST read as people write them; charger categories are checkboxes; export starts on a
single-operator user's operator."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cpo_portal.models import Holiday
from offers.models import OfferUsage
from pricing.models import SurgeRule
from tests.cpo_portal.browser.conftest import log_in, shoot
from tests.offers.conftest import deg_tariff
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db(transaction=True)
CODES = ("base", "service_fee", "no_benefit", "code_required", "not_valid_now", "held_out")


@pytest.fixture
def priced(network):
    deg_tariff(network.op_a)
    evening = OfferFactory(
        operator=network.op_a,
        code="evening-15",
        title="Evening 15% off",
        percent=Decimal("15"),
        max_discount=Decimal("100"),
        min_session_value=None,
        days_of_week=[0, 1, 2, 3, 4],
        window_start=dt.time(18),
        window_end=dt.time(22),
        budget=Decimal("500"),
    )
    OfferUsage.objects.update_or_create(offer=evening, defaults={"budget_spent": Decimal("40")})
    plain = OfferFactory(operator=network.op_a, code="plain-10", title="Ten off", percent=10)
    return evening, plain


def test_the_offer_list_says_value_schedule_status_and_budget_used(
    page, live_server, network, priced
):
    log_in(page, live_server, network.pricing_a.username)
    page.goto(live_server.url + reverse("admin:offers_offer_changelist"))
    row = page.locator("#result_list tr", has_text="Evening 15% off")
    text = row.inner_text()
    assert "15% off energy, cap ₹100" in text
    assert "weekdays 18:00\u201322:00" in text
    assert "Active" in text
    assert "₹40.00 of ₹500.00" in text
    assert row.locator("meter.budget-bar").get_attribute("value") == "0.08"
    other = page.locator("#result_list tr", has_text="Ten off").inner_text()
    assert "no money budget" in other and "₹0.00 of" not in other
    assert "Percent off (with an optional cap)" not in page.inner_text("#result_list")
    shoot(page, "offer-list")


def test_the_price_tool_shows_without_and_with_the_offer_side_by_side(
    page, live_server, network, priced
):
    evening, _ = priced
    log_in(page, live_server, network.pricing_a.username)
    query = f"charger={network.charger_a.pk}&start=2025-09-24T19:00&kwh=10&offers={evening.pk}"
    page.goto(live_server.url + reverse("admin:offers_offer_simulate") + "?" + query)
    table = page.locator("table.quote-compare")
    # ₹180 energy + ₹10 fee + 18 % GST = ₹224.20; 15 % off the energy is ₹27 -> ₹192.34
    assert page.inner_text("#total-without") == "₹224.20"
    assert page.inner_text("#total-with") == "₹192.34"
    assert page.inner_text("#total-difference") == "\u2212₹31.86"
    assert page.locator("#total-with strong").count() == 1
    assert "Evening 15% off" in table.inner_text()
    body = page.inner_text("#content-main .quote-compare") + page.inner_text(".sim-applied")
    assert "evening-15" not in body  # titles, not ids
    assert "plain-10" not in page.inner_text(".sim-rejected")
    assert "Ten off" in page.inner_text(".sim-rejected")
    shown = page.inner_text("#content-main")
    for code in CODES:
        assert not re.search(rf"\b{code}\b", shown), code
    shoot(page, "price-tool")


def test_the_week_view_counts_conditional_rules_once_and_names_rules_on_hover(
    page, live_server, network
):
    common = {"operator": network.op_a, "kind": "peak", "form": "per_kwh", "amount": 2}
    SurgeRule.objects.create(
        code="evening", name="Evening peak", note="Evening", window_start=dt.time(18),
        window_end=dt.time(21), **common,
    )  # fmt: skip
    SurgeRule.objects.create(
        code="holiday", name="Holiday premium", note="Holiday", holidays_only=True, **common
    )
    log_in(page, live_server, network.pricing_a.username)
    page.goto(live_server.url + reverse("admin:pricing_surgerule_week"))
    summary = page.locator("table.week-grid.heat")
    caption = summary.locator("caption").inner_text()
    assert "1 conditional rule" in caption and "Holiday premium" in caption
    assert summary.locator("sup").count() == 0 and summary.locator("td.maybe").count() == 0
    cell = summary.locator("tbody tr").nth(0).locator("td").nth(18)  # Monday 18:00
    assert cell.inner_text() == "1"
    assert "Evening peak" in cell.get_attribute("title")
    assert "when conditions hold: Holiday premium" in cell.get_attribute("title")


def test_forms_write_numbers_as_people_do(page, live_server, network, priced):
    log_in(page, live_server, network.admin_a.username)
    tariff = network.op_a.tariffs.get()
    page.goto(live_server.url + reverse("admin:pricing_tariff_change", args=[tariff.pk]))
    assert page.input_value("#id_energy_rate_per_kwh") == "18"
    assert page.input_value("#id_tax_rate") == "18"
    assert "GST rate (%)" in page.inner_text("label[for=id_tax_rate]")
    page.goto(
        live_server.url + reverse("admin:cpo_portal_charger_change", args=[network.charger_a.pk])
    )
    assert page.locator("input[type=checkbox][name=categories][value=ev-charger]").is_checked()
    page.check("input[type=checkbox][name=categories][value=fast]")
    page.fill("#id_more_categories", "highway")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    network.charger_a.refresh_from_db()
    assert network.charger_a.categories == ["ev-charger", "fast", "highway"]
    page.goto(live_server.url + reverse("admin:offers_pricing_export"))
    assert page.locator("#id_operator option:checked").inner_text() == str(network.op_a)
    # one date format: the admin's own columns write dates as the rest of the product
    Holiday.objects.create(operator=network.op_a, date=dt.date(2025, 10, 2), name="Gandhi")
    page.goto(live_server.url + reverse("admin:cpo_portal_holiday_changelist"))
    assert "2 Oct 2025" in page.inner_text("#result_list")
