"""Estimates that cannot hold are not shown, with the reason: revenue without offers that
would be negative in a period, and a baseline's first day before the data began."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from analytics.services import offer_roi


def periods(*pairs: tuple[str, str]) -> list[dict]:
    return [
        {"period": dt.date(2026, 7, 1 + i), "net": D(net), "discount": D(discount)}
        for i, (net, discount) in enumerate(pairs)
    ]


def test_an_estimate_within_every_periods_revenue_is_spread_by_discount():
    rows = periods(("100", "10"), ("300", "30"))
    assert offer_roi.with_counterfactual(rows, D("40"), D("40")) == ""
    assert [r["without"] for r in rows] == [D("100"), D("300")]  # 100 + 10 - 10, 300 + 30 - 30


def test_an_estimate_that_leaves_a_period_negative_is_not_shown_and_says_why():
    rows = periods(("100", "10"), ("5", "30"))
    why = offer_roi.with_counterfactual(rows, D("400"), D("40"))
    assert [r["without"] for r in rows] == [None, None]
    assert why.startswith("Revenue without offers is not estimated here")
    assert "₹400.00" in why and "1 of the 2 periods" in why


@pytest.mark.parametrize(
    ("days", "first"), [(18, dt.date(2026, 7, 10)), (1, dt.date(2026, 7, 27)), (0, None)]
)
def test_a_baseline_row_starts_where_its_data_does(monkeypatch, days, first):
    from analytics.calc import roi
    from analytics.services import offer_detail

    before = (dt.date(2026, 7, 10), dt.date(2026, 7, 27))
    during = (dt.date(2026, 7, 28), dt.date(2026, 8, 14))

    class Windows:
        def both(self):
            return during, before

    monkeypatch.setattr(offer_detail, "windows", lambda f, offers: {1: Windows()})
    monkeypatch.setattr(
        offer_detail,
        "baseline_periods",
        lambda f, offers: {1: (roi.Period(18, D("900")), roi.Period(days, D("50") * days))},
    )
    offer = type("Offer", (), {"pk": 1})()
    rows = offer_detail.baseline_rows(None, offer)
    assert (rows[0]["first"], rows[0]["last"], rows[0]["days"]) == (first, before[1], days)
    assert (rows[1]["first"], rows[1]["days"]) == (during[0], 18)
