"""What-if in the admin and the API: who may run, see and cancel; the page, the progress
JSON and the CSV; an unsaved change posted from the offer's change form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.models import WhatIfRun
from analytics.models.whatif import WhatIfStatus
from analytics.services.whatif.run import execute
from offers.models import Offer
from tests.analytics.conftest import Ledger, at
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory

DAY = dt.date(2025, 3, 3)
ADD = "admin:analytics_whatifrun_add"


@pytest.fixture
def world(network):
    TariffFactory(operator=network.op_a)
    offer = OfferFactory(operator=network.op_a, code="a-weekday", percent=Decimal("20"))
    other = OfferFactory(operator=network.op_b, code="b-secret")
    ledger = Ledger(network.station_a)
    for hour in (9, 13, 17):
        ledger.plain(start=at(DAY, hour), customer=f"c{hour}", energy="10")
    return network, offer, other


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post_form(client, offer, **extra):
    body = {"offer": offer.pk, "date_from": DAY, "date_to": DAY, **extra}
    return client.post(reverse(ADD), body)


@pytest.mark.django_db
def test_an_analyst_runs_a_what_if_from_the_offer_page_and_reads_the_result(world):
    network, offer, _ = world
    analyst = client_of(network.analyst_a)
    page = analyst.get(reverse("admin:offers_offer_change", args=[offer.pk]))
    link = f'{reverse(ADD)}?offer={offer.pk}"'
    assert link in page.content.decode()
    assert analyst.get(f"{reverse(ADD)}?offer={offer.pk}").status_code == 200
    response = post_form(analyst, offer)
    run = WhatIfRun.objects.get()
    assert response.status_code == 302 and str(run.pk) in response["Location"]
    assert run.created_by == network.analyst_a and run.status == WhatIfStatus.QUEUED
    progress = reverse("admin:analytics_whatifrun_progress", args=[run.pk])
    assert analyst.get(progress).json()["finished"] is False
    execute(run.pk)
    assert analyst.get(progress).json() == {
        "status": "done", "done": 3, "total": 3, "percent": 100, "finished": True,
    }  # fmt: skip
    page = analyst.get(reverse("admin:analytics_whatifrun_change", args=[run.pk])).content.decode()
    assert "a cheaper price might have brought more sessions" in page.lower()
    assert "analytics/whatif.js" in page and "<script>" not in page
    assert 'id="chart-data-whatif-days"' in page
    csv = analyst.get(reverse("admin:analytics_whatifrun_change", args=[run.pk]) + "?export=days")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("Day,Sessions,Sessions replayed,Sessions touched")
    assert lines[1].startswith("2025-03-03,3,3,3")
    offer.refresh_from_db()
    assert offer.status == "active"


@pytest.mark.django_db
def test_another_operators_subjects_and_runs_are_out_of_reach(world):
    network, _, other = world
    response = post_form(client_of(network.analyst_a), other)
    assert response.status_code == 200 and not WhatIfRun.objects.exists()
    post_form(client_of(network.analyst_b), other)
    run = WhatIfRun.objects.get()
    outsider = client_of(network.analyst_a)
    assert outsider.get(reverse("admin:analytics_whatifrun_change", args=[run.pk])).status_code in (
        302,
        404,
    )
    assert (
        outsider.get(reverse("admin:analytics_whatifrun_progress", args=[run.pk])).status_code
        == 404
    )
    assert outsider.post(
        reverse("admin:analytics_whatifrun_change", args=[run.pk])
    ).status_code in (302, 404)
    run.refresh_from_db()
    assert run.cancel_requested is False
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    assert api.get("/api/analytics/whatif-runs/").json()["count"] == 0
    assert api.get(f"/api/analytics/whatif-runs/{run.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_cancel_from_the_run_page(world):
    network, offer, _ = world
    analyst = client_of(network.analyst_a)
    post_form(analyst, offer)
    run = WhatIfRun.objects.get()
    analyst.post(reverse("admin:analytics_whatifrun_change", args=[run.pk]), {"cancel": "1"})
    run.refresh_from_db()
    assert run.status == WhatIfStatus.CANCELLED and run.cancel_requested


@pytest.mark.django_db
def test_a_window_too_long_is_a_form_error(world):
    network, offer, _ = world
    response = post_form(client_of(network.pricing_a), offer,
                         date_to=DAY + dt.timedelta(days=95))  # fmt: skip
    assert response.status_code == 200 and "at most 90 days" in response.content.decode()
    assert not WhatIfRun.objects.exists()


@pytest.mark.django_db
def test_an_unsaved_change_posted_from_the_offer_form_is_replayed_not_saved(world):
    network, offer, _ = world
    editor = client_of(network.pricing_a)
    page = editor.get(reverse("admin:offers_offer_change", args=[offer.pk])).content.decode()
    assert 'name="_whatif_change"' in page
    form = page_form(editor, offer)
    form.update(percent="35", _whatif_change="1")
    step = editor.post(f"{reverse(ADD)}?offer={offer.pk}", form)
    assert step.status_code == 200
    candidate = step.context["form"].initial["candidate"]
    assert '"percent": "35' in candidate
    response = post_form(editor, offer, candidate=candidate)
    assert response.status_code == 302
    run = WhatIfRun.objects.get()
    assert run.subject_status == "change to live" and run.candidate["percent"].startswith("35")
    assert Offer.objects.get(pk=offer.pk).percent == Decimal("20")


def page_form(client, offer) -> dict:
    """The offer's change form as the admin fills it."""
    response = client.get(reverse("admin:offers_offer_change", args=[offer.pk]))
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = (
                field.widget.format_value(value) if hasattr(field.widget, "format_value") else value
            )
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_the_api_starts_lists_and_returns_runs(world):
    network, offer, _ = world
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    body = {"offer": offer.pk, "date_from": "2025-03-03", "date_to": "2025-03-03"}
    created = api.post("/api/analytics/whatif-runs/", body, format="json")
    assert created.status_code == 201, created.content
    execute(created.json()["id"])
    got = api.get(f"/api/analytics/whatif-runs/{created.json()['id']}/").json()
    assert got["status"] == "done" and got["created_by"] == network.analyst_a.username
    assert got["result"]["summary"]["sessions"] == 3
    bad = api.post("/api/analytics/whatif-runs/", {**body, "date_to": "2025-07-03"}, format="json")
    assert bad.status_code == 400 and "90 days" in bad.content.decode()
    assert api.get("/api/analytics/whatif-runs/").json()["count"] == 1
    station = network.station_a  # named by id as a run is started, its code beside
    one = api.post("/api/analytics/whatif-runs/", {**body, "stations": [station.pk]}, format="json")
    assert one.status_code == 201, one.content
    named = {k: one.json()[k] for k in ("operator", "operator_code", "stations", "station_codes")}
    assert named == {
        "operator": offer.operator_id, "operator_code": offer.operator.code,
        "stations": [station.pk], "station_codes": [station.code],
    }  # fmt: skip


def test_an_id_no_database_holds_is_a_clear_refusal_on_every_surface(world):
    """The API and the form refuse a station or offer id beyond any primary key with a
    field error, not a 500 (SQLite cannot even look such a number up)."""
    network, offer, _ = world
    huge = 2**70
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    body = {"offer": offer.pk, "date_from": "2025-03-03", "date_to": "2025-03-03"}
    for extra in ({"stations": [huge]}, {"offer": huge}):
        refused = api.post("/api/analytics/whatif-runs/", {**body, **extra}, format="json")
        assert refused.status_code == 400, refused.content
        assert set(refused.json()) == set(extra)
    form = post_form(client_of(network.analyst_a), offer, stations=[str(2**63)])
    assert form.status_code == 200 and b"Select a valid choice" in form.content
    assert not WhatIfRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "candidate",
    ["[" * 50_000 + "]" * 50_000, '{"percent": NaN}', '{"name": "a\\u0000b"}', "{not json"],
    ids=["nested", "nan", "nul", "not json"],
)
def test_an_unsaved_change_that_cannot_be_read_is_a_form_error(world, candidate):
    """The hidden field comes back from the browser: however it was changed, the page says
    so and nothing is queued (cpo_portal.web.jsonlimits, as every parser of the product)."""
    network, offer, _ = world
    response = post_form(client_of(network.analyst_a), offer, candidate=candidate)
    assert response.status_code == 200
    assert "The unsaved change cannot be read; open it again." in response.content.decode()
    assert not WhatIfRun.objects.exists()
