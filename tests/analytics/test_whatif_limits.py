"""A what-if that knows its limits: an opt-in offer (it needs its code) applies to no
replayed session, and the run says so before and after; replaying as if N % of eligible
sessions presented the code applies it to the sessions a hash picks, the same ones every
run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from analytics.admin.forms import WhatIfForm
from analytics.models import WhatIfRun
from analytics.services.whatif.applicability import presents
from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from tests.analytics.conftest import Ledger, at
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory

D = Decimal
DAY = dt.date(2025, 3, 3)
REFS = [f"order-{i}" for i in range(40)]


def test_which_sessions_present_the_code_is_decided_by_a_hash_and_reproducible():
    refs = [f"o-{i}" for i in range(4000)]
    thirty = {r for r in refs if presents(r, "evening-15", 30)}
    assert thirty == {r for r in refs if presents(r, "evening-15", 30)}
    assert 0.27 < len(thirty) / len(refs) < 0.33
    assert thirty <= {r for r in refs if presents(r, "evening-15", 60)}  # more takes in these
    assert all(presents(r, "evening-15", 100) for r in refs)
    assert not any(presents(r, "evening-15", None) for r in refs)
    assert thirty != {r for r in refs if presents(r, "other-offer", 30)}


@pytest.fixture
def opt_in(network):
    TariffFactory(operator=network.op_a)
    ledger = Ledger(network.station_a)
    for i, ref in enumerate(REFS):
        day = DAY + dt.timedelta(days=i % 4)
        ledger.plain(start=at(day, 9 + i % 8), customer=f"c{i}", energy="10", order_ref=ref)
    return OfferFactory(
        operator=network.op_a, code="evening-code", status="draft", auto=False,
        percent=D("15"), min_session_value=None,
    )  # fmt: skip


def replay(offer, user, share=None) -> WhatIfRun:
    run, _ = new_run(offer, user=user, date_from=DAY, date_to=DAY + dt.timedelta(days=3),
                     presented_share=share)  # fmt: skip
    execute(run.pk)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_an_opt_in_offer_applies_to_no_replayed_session_and_the_result_says_why(network, opt_in):
    run = replay(opt_in, network.pricing_a)
    assert run.result["summary"]["redemptions"] == 0
    assert [lim["key"] for lim in run.result["limits"]] == ["code"]
    client = Client()
    client.force_login(network.pricing_a)
    page = client.get(reverse("admin:analytics_whatifrun_change", args=[run.pk])).content.decode()
    assert "applies only when the customer presents its code" in page
    assert f"?offer={opt_in.pk}&amp;presented_share=25" in page


@pytest.mark.django_db
def test_a_share_presenting_the_code_applies_the_offer_to_those_sessions(network, opt_in):
    run = replay(opt_in, network.pricing_a, share=40)
    chosen = sum(presents(ref, "evening-code", 40) for ref in REFS)
    assert 0 < chosen < len(REFS)
    assert run.result["summary"]["redemptions"] == chosen
    assert run.result["summary"]["presented"] == chosen
    assert run.result["presented_share"] == 40 and run.presented_share == 40
    again = replay(opt_in, network.pricing_a, share=40)
    assert again.result["summary"] == run.result["summary"]
    everyone = replay(opt_in, network.pricing_a, share=100)
    assert everyone.result["summary"]["redemptions"] == len(REFS)


@pytest.mark.django_db
def test_the_form_says_the_limit_before_the_run_and_refuses_a_share_without_a_code(network, opt_in):
    client = Client()
    client.force_login(network.pricing_a)
    add = reverse("admin:analytics_whatifrun_add")
    form_page = client.get(f"{add}?offer={opt_in.pk}").content.decode()
    assert 'data-limit="code"' in form_page and "presented_share" in form_page
    auto = OfferFactory(operator=network.op_a, code="auto-10", percent=D("10"))
    assert not WhatIfForm.limits_for(auto)
    body = {"offer": auto.pk, "date_from": DAY, "date_to": DAY, "presented_share": 30}
    form = WhatIfForm(body, user=network.pricing_a)
    assert not form.is_valid()
    assert "applies without a code" in str(form.errors["presented_share"])
    assert WhatIfRun.objects.count() == 0


@pytest.mark.django_db
def test_a_share_run_does_not_also_say_the_offer_applies_to_no_session(network, opt_in):
    run = replay(opt_in, network.pricing_a, share=30)
    client = Client()
    client.force_login(network.pricing_a)
    page = client.get(reverse("admin:analytics_whatifrun_change", args=[run.pk])).content.decode()
    assert "Replayed as if 30 % of eligible sessions presented the code" in page
    assert "applies to no session" not in page
    assert run.result["limits"] == []


@pytest.mark.django_db
def test_a_run_in_parts_reports_the_sessions_chosen_to_present_the_code(network, opt_in):
    from analytics.services.whatif import parallel
    from cpo_portal.background import chunked
    from cpo_portal.models import ChunkedJob

    Ledger(network.station_b).plain(
        start=at(DAY, 10), customer="theirs", energy="10", order_ref="theirs-1"
    )
    run, _ = new_run(opt_in, user=network.pricing_a, date_from=DAY,
                     date_to=DAY + dt.timedelta(days=3), presented_share=40)  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "parts_for", lambda run: 3)
        assert parallel.begin(run.pk) == "split"
    job = ChunkedJob.objects.get(subject=f"whatif:{run.pk}")
    for index in range(3):
        chunked.execute_chunk(job.pk, index)
    run.refresh_from_db()
    chosen = sum(presents(ref, "evening-code", 40) for ref in REFS)  # the operator's only
    assert run.result["summary"]["presented"] == chosen > 0
    assert run.result["summary"]["sessions"] == len(REFS)
