"""One offer's drill-down: its figures over time, by station and hour band, and how its
incremental revenue was estimated (holdout arms, or the baseline windows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.db.models import Count

from analytics.calc import figures as defs
from analytics.calc.hour_bands import BANDS
from analytics.models import DailyCustomer, DailyRollup
from analytics.services import offer_roi
from analytics.services.filters import Filters
from analytics.services.incrementality import (
    baseline_periods,
    estimates,
    has_holdout,
    holdout_arms,
    windows,
)
from analytics.services.tables import Column, Table, chart, zeros
from cpo_portal import formatting
from offers.models import Offer
from pricing.engine import money

ARM_COLUMNS = [
    Column("arm", "Group"),
    Column("customers", "Customers", "int"),
    Column("revenue", "Revenue before discount and tax", "money"),
    Column("per_customer", "Per customer", "money"),
    Column("discount", "Discount", "money"),
]
BASELINE_COLUMNS = [
    Column("period", "Period"),
    Column("first", "From", "date"),
    Column("last", "To", "date"),
    Column("days", "Days", "int"),
    Column("revenue", "Revenue before discount and tax", "money"),
    Column("per_day", "Per day", "money"),
]
BAND_COLUMNS = [
    Column("band", "Hour band"),
    *(offer_roi.REDEMPTIONS, offer_roi.SESSIONS, offer_roi.HELD_OUT, offer_roi.DISCOUNT),
]


def arm_rows(f: Filters, offer: Offer) -> list[dict[str, Any]]:
    treated, control = holdout_arms(f, [offer.pk])[offer.pk]
    return [
        {
            "arm": name,
            "customers": a.customers,
            "revenue": a.revenue,
            "per_customer": a.per_customer,
            "discount": a.discount,
        }
        for name, a in (("Treated (got the offer)", treated), ("Held out", control))
    ]


def baseline_rows(f: Filters, offer: Offer) -> list[dict[str, Any]]:
    both = windows(f, [offer])[offer.pk].both()
    periods = baseline_periods(f, [offer]).get(offer.pk)
    if periods is None or both is None:
        return []
    during, before = periods
    during_span, before_span = both
    return [
        {
            "period": name,
            # the days with data: a baseline before the operator's first data is shorter
            "first": span[1] - dt.timedelta(days=period.days - 1) if period.days else None,
            "last": span[1],
            "days": period.days,
            "revenue": period.revenue,
            "per_day": money(period.per_day) if period.per_day is not None else None,
        }
        for name, span, period in (
            ("Before the offer", before_span, before),
            ("With the offer", during_span, during),
        )
    ]


def band_rows(f: Filters) -> list[dict[str, Any]]:
    found = {
        r["hour_band"]: r
        for r in f.apply(DailyRollup.objects.all())
        .values("hour_band")
        .annotate(**offer_roi.MEASURES)
        .order_by()
    }
    out = []
    for band in BANDS:
        row = zeros(offer_roi.SUMMED, found.get(band.code, dict.fromkeys(offer_roi.MEASURES)))
        out.append({**row, "band": f"{band.label} ({band.span})"})
    return out


CHANNEL_NOTE = (
    "The channel filter ({channel}) does not apply to an offer's page: offers are redeemed "
    "on Beckn orders only, and the comparison counts every channel. A holdout compares "
    "Beckn customers with held-out Beckn customers; a baseline compares all the sessions "
    "at the offer's stations and hours, whatever channel they came by, so that a driver who "
    "moved from another channel to the offer is not counted as new revenue. The figures "
    "below are those of every channel."
)


def channel_note(f: Filters) -> str:
    """What a channel asked of an offer's page does, in words ("" when none is asked)."""
    return CHANNEL_NOTE.format(channel=f.channel_label) if f.channel else ""


def detail(f: Filters, offer: Offer, granularity: str) -> dict[str, Any]:
    note = channel_note(f)
    f = replace(f, offer_id=offer.pk, offer_type="", channel="")
    est = estimates(f, [offer])[offer.pk]
    total = offer_roi.totals(f)
    treated = f.apply(DailyCustomer.objects.filter(held_out=False)).aggregate(
        n=Count("customer_id", distinct=True)
    )["n"]
    points = offer_roi.series(f, granularity)
    no_estimate = ""
    if est.incremental_revenue is not None:
        no_estimate = offer_roi.with_counterfactual(
            points, est.incremental_revenue, total["discount"]
        )
    else:
        for p in points:
            p["without"] = None
    labels = [p["period"].isoformat() for p in points]
    bands = band_rows(f)
    if has_holdout(offer):
        method_table = Table("arms", "Holdout groups", ARM_COLUMNS, arm_rows(f, offer), est.note)
        compare = method_table.rows
        comparison = chart(
            "method",
            "bar",
            [r["arm"] for r in compare],
            [{"label": "Revenue per customer (₹)", "data": [r["per_customer"] for r in compare]}],
            title="Revenue per eligible customer",
            axes={"x": "Group", "y": ["Revenue per customer", "(₹)"]},
        )
    else:
        compare = baseline_rows(f, offer)
        method_table = Table("baseline", "Baseline comparison", BASELINE_COLUMNS, compare, est.note)
        comparison = chart(
            "method",
            "bar",
            [r["period"] for r in compare],
            [{"label": "Revenue per day (₹)", "data": [r["per_day"] for r in compare]}],
            title="Same stations, revenue per day",
            axes={"x": "Period", "y": ["Revenue per day", "(₹)"]},
        )
    return {
        "offer": offer,
        "channel_note": note,
        "estimate": est,
        "flags": est.flags(formatting.money_text),
        "totals": total,
        "customers": treated or 0,
        "tables": [
            method_table,
            Table(
                "series", f"By {granularity}", offer_roi.SERIES_COLUMNS, points, note=no_estimate
            ),
            Table(
                "stations",
                "Stations",
                offer_roi.STATION_COLUMNS,
                offer_roi.station_rows(f, None),
                sorted_by=offer_roi.STATION_RANK[0],
            ),
            Table("bands", "Hour bands", BAND_COLUMNS, bands),
        ],
        "charts": [
            offer_roi.redemptions_chart(labels, points),
            comparison,
            chart(
                "bands",
                "bar",
                [b["band"] for b in bands],
                [
                    {"label": defs.REDEMPTIONS.label, "data": [b["redemptions"] for b in bands]},
                    {"label": "Held-out sessions", "data": [b["held_out"] for b in bands]},
                ],
                title="By hour band",
                axes={"x": "Hour band (local time)", "y": "Sessions (count)"},
            ),
        ],
    }
