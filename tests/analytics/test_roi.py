"""ROI from the rollups: holdout arms and the stations' own baseline, worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.services.filters import Filters
from analytics.services.incrementality import estimates
from analytics.services.offer_roi import dashboard
from analytics.services.rollup import run_incremental
from tests.analytics.conftest import DAY, IST, D, at, make_offer

pytestmark = pytest.mark.django_db


def days(first: dt.date, n: int):
    return [first + dt.timedelta(days=i) for i in range(n)]


@pytest.fixture
def holdout_offer(network, ledger_a):
    """t1 twice and t2 once got the offer (gross 100, discount 10 each); h1 and h2 were
    held out (quoted gross 100 and 80). Treated: 300 / 2 = 150 a customer; held out:
    180 / 2 = 90. Uplift 60 x 2 = 120; ROI (120 - 30) / 30 = 3."""
    offer = make_offer(network.op_a, "holdout-h", holdout="50")
    for customer in ("t1", "t1", "t2"):
        ledger_a.row(
            "redeemed", offer, start=at(DAY, 10), customer=customer, discount="10", gross="100"
        )
    ledger_a.row("held_out", offer, start=at(DAY, 11), customer="h1", discount="10", gross="100")
    ledger_a.row("held_out", offer, start=at(DAY, 12), customer="h2", discount="8", gross="80")
    ledger_a.row("redeemed", offer, start=at(DAY, 13), customer="", discount="10")  # anonymous
    run_incremental()
    return offer


def test_holdout_roi(holdout_offer, network):
    f = Filters(network.op_a, DAY, DAY)
    est = estimates(f, [holdout_offer])[holdout_offer.pk]
    assert (est.method, est.incremental_revenue, est.discount_cost, est.roi) == (
        "holdout",
        D("120.00"),
        D("30.00"),
        D("3.0000"),
    )


@pytest.fixture
def baseline_offer(network, ledger_a):
    """The week before the offer: one session a day without offers, gross 100 (100 a
    day). The offer's week: one session a day with it, gross 150, discount 20. Expected
    700, got 1050: 350 incremental; ROI (350 - 140) / 140 = 1.5."""
    start = DAY + dt.timedelta(days=7)
    offer = make_offer(
        network.op_a,
        "baseline-b",
        valid_from=dt.datetime.combine(start, dt.time(0), tzinfo=IST),
    )
    for day in days(DAY, 7):
        ledger_a.plain(start=at(day, 9), gross="100", net="118", tax="18")
    for day in days(start, 7):
        ledger_a.row("redeemed", offer, start=at(day, 9), discount="20", gross="150")
        ledger_a.row("settled", offer, start=at(day, 9, 30), discount="20", gross="150")
        ledger_a.plain(start=at(day, 19), gross="999", net="999")  # another band: ignored
    ledger_a.plain(start=at(DAY - dt.timedelta(days=1), 9), gross="5000")  # before the window
    run_incremental()
    return offer, start


def test_baseline_roi(baseline_offer, network):
    offer, start = baseline_offer
    f = Filters(network.op_a, start, start + dt.timedelta(days=6))
    est = estimates(f, [offer])[offer.pk]
    assert (est.method, est.incremental_revenue, est.discount_cost, est.roi) == (
        "baseline",
        D("350.00"),
        D("140.00"),
        D("1.5000"),
    )
    assert "7 days" in est.note


def test_baseline_needs_data_before_the_offer(network, ledger_a):
    offer = make_offer(network.op_a, "no-past")
    ledger_a.row("settled", offer, start=at(DAY, 9), discount="5")
    run_incremental()
    est = estimates(Filters(network.op_a, DAY, DAY), [offer])[offer.pk]
    assert est.roi is None and "No baseline" in est.note


def test_dashboard_totals_and_overall_roi(baseline_offer, network):
    _offer, start = baseline_offer
    data = dashboard(Filters(network.op_a, start, start + dt.timedelta(days=6)), "day")
    totals = data["totals"]
    assert (totals["sessions"], totals["redemptions"], totals["discount"]) == (14, 7, D("140"))
    head = data["headline"]
    assert (head.roi, head.incremental_revenue, head.discount_cost) == (
        D("1.5000"),
        D("350.00"),
        D("140.00"),
    )
    series = next(t for t in data["tables"] if t.key == "series").rows
    assert len(series) == 7
    # Without the offer: net (130 + 999) + discount 20 - 350 / 7 = 1099 a day.
    assert {row["without"] for row in series} == {D("1099.00")}
