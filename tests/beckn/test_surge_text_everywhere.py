"""One surge, one text: after a pricing manager changes a rule's amount, the admin preview,
the week view and on_search's surge-notice all say the new figure, and none the old."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from beckn.protocol.tags import tag_values
from pricing.models import SurgeRule, Tariff
from tests.beckn import bap as msgs
from tests.pricing.admin_posts import surge_edit_post, url

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
EVENING = {"start": f"{msgs.MONDAY}T18:15:00+05:30", "end": f"{msgs.MONDAY}T19:15:00+05:30"}


def test_a_changed_amount_reads_the_same_everywhere(network, bap, run, our_key, client):
    from pricing.services import clear_cache

    Tariff.objects.create(
        operator=network.op_a, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
        service_fee=Decimal("10"), tax_rate=Decimal("0.18"), active=True,
    )  # fmt: skip
    rule = SurgeRule.objects.create(
        operator=network.op_a, code="evening", kind="peak", name="Evening peak",
        form="percent", amount=Decimal("20"), window_start=dt.time(18), window_end=dt.time(21),
        effective_from=dt.datetime(2025, 1, 1, tzinfo=IST), note="Busy hours cost more",
    )  # fmt: skip
    clear_cache()
    client.force_login(network.pricing_a)
    changed = client.post(url("surgerule", "change", rule.pk), surge_edit_post(rule, amount="25"))
    assert changed.status_code == 302, changed.content.decode()[:3000]

    text = "Evening peak: 25% on energy between 6 PM - 9 PM. Busy hours cost more"
    form = client.get(url("surgerule", "change", rule.pk)).content.decode()
    assert text in form
    preview = client.get(
        reverse("admin:offers_offer_simulate"),
        {"charger": network.charger_a.pk, "start": f"{msgs.MONDAY}T18:15", "kwh": "5"},
    ).content.decode()
    assert text in preview and "Evening peak (25%)" in preview
    week = client.get(url("surgerule", "week")).content.decode()
    assert text in week
    for page in (form, preview, week):
        assert "20% on energy" not in page and "(20%)" not in page

    search = msgs.search()
    search["intent"]["fulfillment"]["stops"][0]["time"]["range"] = EVENING
    _, found = run(bap, "search", search)
    provider = found["message"]["catalog"]["providers"][0]  # notices: once per provider
    notices = [
        tag_values([g], "surge-notice")
        for g in provider["tags"]
        if g["descriptor"]["code"] == "surge-notice"
    ]
    assert [n for n in notices if n.get("code") == "evening"] == [
        {
            "badge": "Evening peak",
            "explanation": text,
            "code": "evening",
        }
    ]
