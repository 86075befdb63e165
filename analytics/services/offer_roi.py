"""The Offer ROI dashboard's figures, tables and charts, all from the rollups."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils.http import urlencode

from analytics.calc import figures as defs
from analytics.calc import roi
from analytics.models import DailyCustomer
from analytics.services import customer_sets
from analytics.services.filters import Filters, figures
from analytics.services.incrementality import estimates, has_holdout
from analytics.services.tables import Column, Table, chart, sums, zeros
from cpo_portal import formatting
from offers.models import Offer, SessionChannel
from pricing.engine import ZERO, money

# The figures summed from the rollups, each defined once (key, label, kind, its sum and
# its API name): the totals, the series, the tables, their CSV and the API read them.
SESSIONS = Column("sessions", defs.SESSIONS.label, "int", total=Sum("sessions"))
REDEMPTIONS = Column("redemptions", defs.REDEMPTIONS.label, "int", total=Sum("redemptions"))
HELD_OUT = Column(
    "held_out", "Held-out sessions", "int", total=Sum("held_out_sessions"),
    api="held_out_sessions",
)  # fmt: skip
ENERGY = Column("energy", "Energy (kWh)", "kwh", total=Sum("energy_kwh"))
GROSS = Column("gross", defs.GROSS_REVENUE.label, "money", total=Sum("gross_revenue"))
DISCOUNT = Column(
    "discount", defs.DISCOUNT_COST.label, "money", total=Sum("discount_cost"),
    api="discount_cost",
)  # fmt: skip
NET = Column("net", defs.NET_REVENUE.label, "money", total=Sum("net_revenue"), api="net_revenue")
SUMMED = [SESSIONS, REDEMPTIONS, HELD_OUT, ENERGY, GROSS, DISCOUNT, NET]
MEASURES = sums(SUMMED)


def granularity_for(f: Filters, asked: str = "") -> str:
    if asked in {"day", "week", "month"}:
        return asked
    return "day" if f.days <= 62 else "week" if f.days <= 366 else "month"


def period_expr(granularity: str):
    return {"day": F("date"), "week": TruncWeek("date"), "month": TruncMonth("date")}[granularity]


def customers(f: Filters) -> int:
    """Exact distinct identified customers over the whole filtered range: from the
    daily customer sets, unless a station, region or offer type is picked. Customers are
    identified on Beckn orders only: another channel has none."""
    if f.channel and f.channel != SessionChannel.BECKN:
        return 0
    if not (f.station_id or f.region or f.offer_type):
        return customer_sets.customers(f.operator.pk, f.date_from, f.date_to, f.offer_id)
    qs = f.apply(DailyCustomer.objects.all())
    return qs.aggregate(n=Count("customer_id", distinct=True))["n"] or 0


def totals(f: Filters) -> dict[str, Any]:
    return zeros(SUMMED, figures(f).aggregate(**MEASURES))


def series(f: Filters, granularity: str) -> list[dict[str, Any]]:
    return by_period(figures(f), granularity, SUMMED)


def by_period(rows: QuerySet, granularity: str, columns: list[Column]) -> list[dict[str, Any]]:
    """The summed figures among `columns` per period, in order (missing sums as zeros)."""
    summed = (
        rows.annotate(period=period_expr(granularity))
        .values("period")
        .annotate(**sums(columns))
        .order_by("period")
    )
    return [{**zeros(columns, row), "period": period_day(row["period"])} for row in summed]


def period_day(period: dt.date) -> dt.date:
    """A period's first day (a truncated date may come back as a datetime)."""
    return period.date() if isinstance(period, dt.datetime) else period


def offer_rows(f: Filters) -> list[dict[str, Any]]:
    """One row per offer active in the range, with its ROI estimate."""
    rows = (
        figures(f, by_offer=True)
        .filter(offer__isnull=False)
        .values("offer_id")
        .annotate(**MEASURES)
        .order_by("-discount")
    )
    by_id = {r["offer_id"]: zeros(SUMMED, r) for r in rows}
    offers = Offer.objects.filter(pk__in=by_id, operator=f.operator).select_related("operator")
    found = estimates(f, offers)
    query = urlencode(f.without_offer().query())
    out = []
    for offer in offers:
        row, est = by_id[offer.pk], found[offer.pk]
        out.append(
            {
                **row,
                "offer": offer,
                "offer_code": offer.code,
                "title": offer.title,
                "url": f"{reverse('analytics:offer', args=[offer.pk])}?{query}",
                "offer_type": offer.type_label or "",
                "type": offer.get_type_label_display() if offer.type_label else "",
                "confidence": confidence(est),
                "method": est.method,
                "holdout": has_holdout(offer),
                "incremental": est.incremental_revenue,
                "roi_discount": est.discount_cost,
                "roi": est.roi,
                "note": est.note,
                "estimate": est,
                "in_roi": est.complete,
                "flags": " ".join(est.flags(formatting.money_text)),
                "flag_list": est.flags(formatting.money_text),
                "left_out": "" if est.complete else est.note,
            }
        )
    out.sort(key=lambda r: (-r["discount"], r["offer_code"]))
    return out


def confidence(est: roi.Estimate) -> str:
    """What the ROI cell says under the figure: no estimate, or how rough it is."""
    if not est.complete:
        return "no estimate"
    if est.low_confidence:
        return f"low confidence: {est.baseline_days}-day baseline"
    return ""


# Top stations rank by net revenue, ties by uses: the table (its Net revenue column says
# so: Table.sorted_by), its CSV, its chart, and an offer's page's stations.
STATION_RANK = ("-net", "-redemptions", "station__name")


def station_rows(f: Filters, limit: int | None = 10) -> list[dict[str, Any]]:
    """The top stations (STATION_RANK); each links to the dashboard filtered to it."""
    rows = (
        figures(f, by_station=True)
        .values("station_id", "station__name", "station__code", "region_code")
        .annotate(**MEASURES)
        .order_by(*STATION_RANK)
    )
    out = []
    for r in rows[:limit] if limit else rows:
        row = zeros(SUMMED, r)
        if row["station_id"]:
            query = urlencode({**f.query(), "station": str(row["station_id"])})
            row["url"] = f"{reverse('analytics:roi')}?{query}"
        out.append(row)
    return out


OFFER = [
    Column("title", "Offer", link="url", sub="offer_code", csv=False),
    Column("offer_code", "Offer", page=False),
    Column("title", "Title", page=False),
]
OFFER_COLUMNS = [
    *OFFER,
    Column("roi", "ROI", "ratio", sub="confidence"),
    Column("type", "Type"),
    Column("method", "Method"),
    DISCOUNT,
    Column("incremental", "Incremental revenue", "money", api="incremental_revenue"),
    Column("roi_discount", "Discount cost in ROI", "money", api="roi_discount_cost"),
    NET,
    REDEMPTIONS,
    replace(SESSIONS, label="Sessions (primary offer)"),
    HELD_OUT,
    Column("in_roi", "In the headline ROI", "bool", api="in_headline_roi"),
    Column("left_out", "Why there is no estimate", "note"),
    Column("flags", "Read with care", "note"),
    Column("note", "How it was worked out", "note"),
]
LEFT_OUT_COLUMNS = [*OFFER, DISCOUNT, Column("left_out", "Why it is left out", "prose")]
STATION_COLUMNS = [
    Column("station__name", "Station", link="url"),
    Column("station__code", "Code"),
    Column("region_code", "Region"),
    *(SESSIONS, REDEMPTIONS, DISCOUNT, NET, ENERGY),
]
SERIES_COLUMNS = [
    Column("period", "Period", "date"),
    *(SESSIONS, REDEMPTIONS, DISCOUNT),
    replace(NET, label=defs.label("net_revenue", "with offers")),
    Column("without", defs.label("net_revenue", "without offers, estimate"), "money"),
    GROSS,
]


NO_COUNTERFACTUAL = (
    "Revenue without offers is not estimated here: spread over the periods by their "
    "discount, the incremental revenue ({incremental}) is more than the sessions of {n} of "
    "the {periods} periods earned, which cannot be (its baseline is too short or unlike "
    "these periods)."
)


def with_counterfactual(rows: list[dict[str, Any]], incremental: Decimal, discount: Decimal) -> str:
    """Spread the incremental revenue over the periods in proportion to their discount, as
    each row's "without" (revenue without the offers). An estimate that leaves a period
    with negative revenue cannot hold: then no row gets one, and the reason is returned
    ("" when the estimate is shown)."""
    for row in rows:
        share = row["discount"] / discount if discount > 0 else ZERO
        row["without"] = roi.counterfactual(row["net"], row["discount"], money(incremental * share))
    impossible = sum(1 for row in rows if row["without"] < 0)
    if not impossible:
        return ""
    for row in rows:
        row["without"] = None
    return NO_COUNTERFACTUAL.format(
        incremental=formatting.money_text(incremental), n=impossible, periods=len(rows)
    )


def dashboard(f: Filters, granularity: str) -> dict[str, Any]:
    offers = offer_rows(f)
    # the headline ROI of exactly these rows: the offers without an estimate are left out
    head = roi.headline([o["estimate"] for o in offers])
    left_out = [o for o in offers if not o["in_roi"]]
    total = totals(f)
    points = series(f, granularity)
    no_estimate = with_counterfactual(points, head.incremental_revenue, total["discount"])
    stations = station_rows(f)
    labels = [p["period"].isoformat() for p in points]
    return {
        "totals": total,
        "customers": customers(f),
        "headline": head,
        "short_baseline_days": roi.SHORT_BASELINE_DAYS,
        "left_out": left_out,
        "flagged": [o for o in offers if o["flags"]],
        "tables": [
            Table("offers", "ROI per offer", OFFER_COLUMNS, offers),
            Table(
                "left_out",
                "Offers left out of the headline ROI",
                LEFT_OUT_COLUMNS,
                left_out,
                note="These offers have no ROI estimate for these filters; their discount "
                "cost is in the totals above but not in the headline ROI.",
            ),
            Table("stations", "Top stations", STATION_COLUMNS, stations, sorted_by=STATION_RANK[0]),
            Table("series", f"By {granularity}", SERIES_COLUMNS, points, note=no_estimate),
        ],
        "charts": [
            redemptions_chart(labels, points),
            chart(
                "revenue",
                "line",
                labels,
                [
                    {
                        "label": defs.label("net_revenue", "with offers") + ", ₹",
                        "data": [p["net"] for p in points],
                    },
                    {
                        "label": defs.label("net_revenue", "without offers, estimate") + ", ₹",
                        "data": [p["without"] for p in points],
                    },
                ],
                title="Revenue with and without the offers",
                axes={"x": "Period start", "y": [defs.label("net_revenue"), "(₹)"]},
            ),
            roi_chart(offers),
            chart(
                "stations",
                "bar",
                [s["station__name"] or "(no station)" for s in stations],
                [{"label": f"{NET.label}, ₹", "data": [s["net"] for s in stations]}],
                title="Top stations",
                horizontal=True,
                axes={"x": [NET.label, "(₹)"], "y": "Station"},
            ),
        ],
    }


LOW = "#cbd5e1"  # low-confidence bars: pale, and said in their label


def roi_chart(offers: list[dict[str, Any]]) -> dict[str, Any]:
    """ROI per offer, highest first; low-confidence estimates pale and labelled so; offers
    without an estimate last, labelled "no estimate" (the table says why)."""
    ranked = sorted(offers, key=lambda o: (o["roi"] is None, -(o["roi"] or 0), o["offer_code"]))
    labels = [f"{o['title']}{' · ' + o['confidence'] if o['confidence'] else ''}" for o in ranked]
    colours = [LOW if o["estimate"].low_confidence else "" for o in ranked]
    return chart(
        "roi",
        "bar",
        labels,
        [{"label": "ROI", "data": [o["roi"] for o in ranked], "colors": colours}],
        title="ROI per offer",
        horizontal=True,
        axes={"x": ["ROI", "(₹ gained per ₹1 of discount)"], "y": "Offer"},
        note="Pale bars: low-confidence estimates (a baseline shorter than "
        f"{roi.SHORT_BASELINE_DAYS} days). Offers with no estimate are listed last.",
    )


def redemptions_chart(labels: list[Any], points: list[dict[str, Any]]) -> dict[str, Any]:
    """Uses (bars) and discount cost (line) per period: the offer ROI page's chart,
    and an offer's own page's."""
    return chart(
        "redemptions",
        "bar",
        labels,
        [
            {"label": defs.REDEMPTIONS.label, "data": [p["redemptions"] for p in points]},
            {
                "label": "Discount cost (₹)",
                "data": [p["discount"] for p in points],
                "type": "line",
                "axis": "y1",
            },
        ],
        title=f"{defs.REDEMPTIONS.label} and discount cost",
        axes={
            "x": "Period start",
            "y": f"{defs.REDEMPTIONS.label} (count)",
            "y1": ["Discount cost", "(₹)"],
        },
    )
