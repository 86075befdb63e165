"""The fees on top of a quote in the analytics: the buyer finder fee is a cost of the sale
and the overcharge buffer is not revenue, so net revenue leaves both out, in the rollups
(rebuilt, and as deltas on PostgreSQL) and in the figures worked out in Python."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.calc import figures
from analytics.models import ChannelDaily, DailyRollup, HourlyRollup
from analytics.services.rollup import backfill, run_incremental
from tests.analytics.conftest import DAY, D, at, make_offer

pytestmark = pytest.mark.django_db


def _net(model, operator) -> D:
    return sum((r.net_revenue for r in model.objects.filter(operator=operator, date=DAY)), D(0))


def test_net_revenue_leaves_out_the_finder_fee_and_the_buffer(network, ledger_a):
    offer = make_offer(network.op_a, "offer-f")
    # quoted with a 10.00 buffer and a 5.00 finder fee; settled: the buffer released
    ledger_a.row("redeemed", offer, start=at(DAY, 9), order_ref="o-1", discount="10",
                 gross="200", tax="18", finder_fee="5", buffer="10")  # fmt: skip
    ledger_a.row("settled", offer, start=at(DAY, 9), order_ref="o-1", discount="10",
                 gross="200", tax="18", finder_fee="5")  # payable 213.00  # fmt: skip
    ledger_a.plain(start=at(DAY, 18), gross="100", finder_fee="2.50")  # payable 102.50
    expected = D("190.00") + D("100.00")  # payable less tax, finder fee and buffer
    run_incremental()
    for model in (DailyRollup, ChannelDaily, HourlyRollup):
        assert _net(model, network.op_a) == expected, model
    backfill(DAY, DAY + dt.timedelta(days=1), progress=False)  # the rebuild agrees
    for model in (DailyRollup, ChannelDaily, HourlyRollup):
        assert _net(model, network.op_a) == expected, model


def test_the_figure_in_python_is_the_same_definition():
    assert figures.net_revenue(D("213.00"), D("18.00"), D("5.00")) == D("190.00")
    assert figures.net_revenue(D("223.00"), D("18.00"), D("5.00"), D("10.00")) == D("190.00")
    assert figures.net_revenue(D("236.00"), D("36.00")) == D("200.00")
