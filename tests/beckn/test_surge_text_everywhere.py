"""One surge, one text: after a pricing manager changes a rule's amount, the admin preview,
the week view and on_search's surge-notice all say the new figure, and none the old. A
percentage with two decimals or a rate per kWh with four reads the same on every surface
(the admin's list and form, the price tool's line and notice, on_search's surge-notice),
with every decimal the engine applies; a rule with more decimals than its form takes is
refused at the model, so by every door."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from beckn.protocol.tags import tag_values
from offers.services.config.exporting import export_pricing
from offers.services.config.importing import import_pricing
from pricing.models import SurgeRule, Tariff
from tests.beckn import bap as msgs
from tests.pricing.admin_posts import surge_edit_post, url

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
EVENING = {"start": f"{msgs.MONDAY}T18:15:00+05:30", "end": f"{msgs.MONDAY}T19:15:00+05:30"}


def evening_rule(network, form: str, note: str = "") -> SurgeRule:
    """A standard tariff and an evening surge of 20 (per kWh or percent), priced at once."""
    from pricing.services import clear_cache

    Tariff.objects.create(
        operator=network.op_a, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
        service_fee=Decimal("10"), tax_rate=Decimal("0.18"), active=True,
    )  # fmt: skip
    rule = SurgeRule.objects.create(
        operator=network.op_a, code="evening", kind="peak", name="Evening peak",
        form=form, amount=Decimal("20"), window_start=dt.time(18), window_end=dt.time(21),
        effective_from=dt.datetime(2025, 1, 1, tzinfo=IST), note=note,
    )  # fmt: skip
    clear_cache()
    return rule


def changed(client, network, rule: SurgeRule, amount: str) -> None:
    client.force_login(network.pricing_a)
    answer = client.post(url("surgerule", "change", rule.pk), surge_edit_post(rule, amount=amount))
    assert answer.status_code == 302, answer.content.decode()[:3000]


def price_tool(client, network) -> str:
    return client.get(
        reverse("admin:offers_offer_simulate"),
        {"charger": network.charger_a.pk, "start": f"{msgs.MONDAY}T18:15", "kwh": "5"},
    ).content.decode()


def evening_notices(bap, run) -> list[dict]:
    """on_search's surge notices in the evening (once per provider)."""
    search = msgs.search()
    search["intent"]["fulfillment"]["stops"][0]["time"]["range"] = EVENING
    _, found = run(bap, "search", search)
    provider = found["message"]["catalog"]["providers"][0]
    return [
        tag_values([g], "surge-notice")
        for g in provider["tags"]
        if g["descriptor"]["code"] == "surge-notice"
    ]


def test_a_changed_amount_reads_the_same_everywhere(network, bap, run, our_key, client):
    rule = evening_rule(network, "percent", note="Busy hours cost more")
    changed(client, network, rule, "25")

    text = "Evening peak: 25% on energy between 6 PM - 9 PM. Busy hours cost more"
    form = client.get(url("surgerule", "change", rule.pk)).content.decode()
    assert text in form
    preview = price_tool(client, network)
    assert text in preview and "Evening peak (25%)" in preview
    week = client.get(url("surgerule", "week")).content.decode()
    assert text in week
    for page in (form, preview, week):
        assert "20% on energy" not in page and "(20%)" not in page

    assert [n for n in evening_notices(bap, run) if n.get("code") == "evening"] == [
        {
            "badge": "Evening peak",
            "explanation": text,
            "code": "evening",
        }
    ]


@pytest.mark.parametrize(
    ("form", "amount", "figure", "title", "not_shown"),
    [
        ("percent", "12.35", "12.35% on energy", "Evening peak (12.35%)", ["12.3%", "12.4%"]),
        (
            "per_kwh",
            "1.2346",
            "₹1.2346/kWh",
            "Evening peak (₹1.2346/kWh x 5 kWh)",
            ["₹1.23/kWh", "₹1.235/kWh"],
        ),
        ("per_kwh", "1", "₹1/kWh", "Evening peak (₹1/kWh x 5 kWh)", ["₹1.00/kWh"]),
    ],
)
def test_a_surge_s_figure_is_the_same_on_every_surface(
    network, bap, run, our_key, client, form, amount, figure, title, not_shown
):
    rule = evening_rule(network, form)
    changed(client, network, rule, amount)

    text = f"Evening peak: {figure} between 6 PM - 9 PM"
    listed = client.get(url("surgerule", "changelist")).content.decode()
    assert figure in listed
    form_page = client.get(url("surgerule", "change", rule.pk)).content.decode()
    assert text in form_page
    assert f'name="amount" value="{amount}"' in form_page  # the box: what was typed
    preview = price_tool(client, network)
    assert text in preview and title in preview
    for page in (listed, form_page, preview):
        for other in not_shown:
            assert other not in page
    assert text in [n.get("explanation") for n in evening_notices(bap, run)]


@pytest.mark.parametrize(
    ("form", "amount", "message"),
    [
        ("percent", "12.345", "A percentage surge takes at most 2 decimal places (12.25%)."),
        ("flat", "10.555", "A flat surge is an amount of money: at most 2 decimal places."),
        ("per_kwh", "1.23456", "Ensure that there are no more than 4 decimal places."),
    ],
)
def test_more_decimals_than_the_form_takes_are_refused_at_every_door(
    network, client, form, amount, message
):
    rule = evening_rule(network, form)
    client.force_login(network.pricing_a)
    page = client.post(url("surgerule", "change", rule.pk), surge_edit_post(rule, amount=amount))
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["amount"] == [message]

    document = export_pricing(network.op_a)
    [row] = [r for r in document["surge_rules"] if r["code"] == "evening"]
    row["amount"] = amount
    plan = import_pricing(network.op_a, document)
    assert plan.errors == [f'Surge rule "Evening peak" (evening), amount: {message}']
    rule.refresh_from_db()
    assert rule.amount == Decimal("20")
