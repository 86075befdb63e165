"""One definition per figure (analytics.calc.figures): the what-if result, the ROI
dashboard and the API show the same month's sessions and net revenue (before tax), and
the definitions' own arithmetic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.calc import figures
from analytics.services.rollup import run_incremental
from analytics.services.whatif import past_sessions
from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from cpo_portal import formatting
from pricing.engine.types import LineKind, Quote, QuoteLine
from tests.analytics.conftest import MARCH, Ledger, at, make_offer, month_of_sessions
from tests.offers.factories import OfferFactory
from tests.pricing.factories import SurgeFactory, TariffFactory
from tests.support.pages import figure

D = Decimal


def test_net_revenue_is_payable_less_tax():
    assert figures.net_revenue(D("236.00"), D("36.00")) == D("200.00")


def _quote(total: str, tax_line: str | None, included: str = "0") -> Quote:
    start = dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC)
    lines = [QuoteLine(kind=LineKind.ENERGY, code="base", title="Energy", amount=D("200"))]
    if tax_line is not None:
        lines.append(QuoteLine(kind=LineKind.TAX, code="GST", title="GST", amount=D(tax_line)))
    return Quote(
        currency="INR", start=start, end=start, kwh=D("10"), lines=tuple(lines),
        total=D(total), tax_included=D(included), tax_inclusive=tax_line is None,
    )  # fmt: skip


def test_a_quotes_net_revenue_leaves_out_its_tax_added_or_included():
    assert figures.quote_net_revenue(_quote("236", "36")) == D("200")
    assert figures.quote_net_revenue(_quote("200", None, included="30.51")) == D("169.49")


def test_labels_say_before_tax_and_incl_gst():
    assert figures.NET_REVENUE.label == "Net revenue (before tax)"
    assert figures.label("net_revenue", "recorded") == "Net revenue recorded (before tax)"
    assert "incl. GST" in figures.PAYABLE.label


@pytest.fixture
def march(network):
    return month_of_sessions(network)


@pytest.mark.django_db
def test_the_what_if_the_roi_dashboard_and_the_api_agree_on_a_month(network, march):
    sessions, net = march
    offer = OfferFactory(operator=network.op_a, code="a-new", percent=D("10"))
    run, _ = new_run(offer, user=network.analyst_a, date_from=MARCH[0], date_to=MARCH[1])
    execute(run.pk)
    client = Client()
    client.force_login(network.analyst_a)
    query = f"operator={network.op_a.pk}&date_from={MARCH[0]}&date_to={MARCH[1]}"
    roi = client.get(f"{reverse('analytics:roi')}?{query}").content.decode()
    page = client.get(reverse("admin:analytics_whatifrun_change", args=[run.pk])).content.decode()
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    series = api.get(
        reverse("analytics-api:series"),
        {"operator": network.op_a.pk, "date_from": MARCH[0], "date_to": MARCH[1],
         "granularity": "month"},
    ).json()  # fmt: skip
    points = series["results"] if isinstance(series, dict) else series
    result = api.get(reverse("analytics-api:whatif-run-detail", args=[run.pk])).json()["result"]

    assert [(p["sessions"], D(p["net_revenue"])) for p in points] == [(sessions, net)]
    assert (result["summary"]["sessions"], D(result["summary"]["actual_net"])) == (sessions, net)
    shown_sessions, shown_net = formatting.number(sessions), formatting.money_text(net)
    assert figure(roi, "fig-sessions") == shown_sessions
    assert figure(roi, "fig-net") == shown_net
    assert figure(page, "whatif-sessions") == shown_sessions
    assert figure(page, "whatif-actual_net") == shown_net
    assert "Net revenue recorded (before tax)" in page
    assert "Net revenue (before tax)" in roi


@pytest.mark.django_db
def test_a_surge_what_ifs_net_revenue_change_is_its_surge_change_before_tax(network, march):
    rule = SurgeFactory(operator=network.op_a, paused=True, window_start=dt.time(0),
                        window_end=dt.time(23, 59), amount=D("2"))  # fmt: skip
    run, _ = new_run(rule, user=network.analyst_a, date_from=MARCH[0], date_to=MARCH[1])
    execute(run.pk)
    run.refresh_from_db()
    s = run.result["summary"]
    assert D(s["surge_change"]) > 0
    assert D(s["net_change"]) == D(s["surge_change"])  # no GST on top


@pytest.mark.django_db
def test_a_settled_step_re_sent_after_the_month_counts_after_it_in_both(network):
    from analytics.models import OfferDaily

    TariffFactory(operator=network.op_a)
    ledger = Ledger(network.station_a)
    offer = make_offer(network.op_a, "resent")
    start = at(dt.date(2025, 3, 31), 20)
    ledger.row("settled", offer, start=start, order_ref="o-resent", discount="5")
    ledger.row("settled", offer, start=start, order_ref="o-resent", discount="5", seq=1,
               occurred=at(dt.date(2025, 4, 1), 9))  # fmt: skip
    ledger.plain(start=at(dt.date(2025, 3, 30), 9))
    run_incremental()
    window = past_sessions.Window(network.op_a.pk, *MARCH, network.op_a.time_zone)
    rolled = OfferDaily.objects.filter(operator=network.op_a, date__range=MARCH)
    assert past_sessions.count(window) == sum(r.sessions for r in rolled) == 1
    assert len(list(past_sessions.stream(window))) == 1
