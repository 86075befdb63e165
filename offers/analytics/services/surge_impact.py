"""The surge-impact dashboard: hourly rollups grouped in SQL, combined by calc.surge."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Min, Sum, Value, When

from offers.analytics.calc.surge import Cells, DayCount, Impact, surge_impact
from offers.analytics.models import HourlyRollup
from offers.analytics.services import offer_roi
from offers.analytics.services.filters import Filters
from offers.analytics.services.tables import Column, Table, chart
from pricing.engine.money import ZERO

SUMMARY_COLUMNS = [Column("figure", "Figure"), Column("value", "Value")]
STATION_COLUMNS = [
    Column("station", "Station"),
    Column("surge_windows", "Surge windows", "int"),
    Column("sessions", "Sessions in surge windows", "int"),
    Column("expected", "Expected without surge", "text"),
    Column("change", "Change in sessions", "percent"),
    Column("kwh_change", "Change in kWh", "percent"),
    Column("shifted", "Sessions shifted to other hours", "text"),
    Column("surge_revenue", "Surge revenue", "money"),
]
PROFILE_COLUMNS = [
    Column("hour", "Local hour"),
    Column("surge_days", "Sessions per station-day, surge days", "ratio"),
    Column("calm_days", "Sessions per station-day, days without surge", "ratio"),
    Column("surge_share", "Share of surge days with a surge window", "percent"),
]
SERIES_COLUMNS = [
    Column("period", "Period", "date"),
    Column("sessions", "Sessions", "int"),
    Column("surge_sessions", "Sessions that paid surge", "int"),
    Column("surge_kwh", "kWh in surged sessions", "kwh"),
    Column("surge_revenue", "Surge revenue", "money"),
]


def cells(f: Filters) -> list[Cells]:
    rows = (
        f.apply(HourlyRollup.objects.all(), offers=False)
        .annotate(
            window=Case(
                When(surge_sessions__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .values("station_id", "hour", "weekend", "surge_day", "window")
        .annotate(n=Count("id"), s=Sum("sessions"), k=Sum("energy_kwh"), r=Sum("surge_revenue"))
        .order_by()
    )
    return [
        Cells(
            station=r["station_id"] or 0,
            hour=r["hour"],
            weekend=bool(r["weekend"]),
            surge_day=bool(r["surge_day"]),
            surge_window=bool(r["window"]),
            cells=r["n"],
            sessions=r["s"] or 0,
            kwh=r["k"] or ZERO,
            surge_revenue=r["r"] or ZERO,
        )
        for r in rows
    ]


def day_counts(f: Filters) -> list[DayCount]:
    """Days of each kind per station between the first and last day with data."""
    qs = f.apply(HourlyRollup.objects.all(), offers=False)
    span = qs.aggregate(a=Min("date"), b=Max("date"))
    if span["a"] is None:
        return []
    kinds: dict[bool, int] = defaultdict(int)
    day = span["a"]
    while day <= span["b"]:
        kinds[day.weekday() >= 5] += 1
        day += dt.timedelta(days=1)
    surge = {
        (r["station_id"] or 0, bool(r["weekend"])): r["n"]
        for r in qs.filter(surge_day=True)
        .values("station_id", "weekend")
        .annotate(n=Count("date", distinct=True))
        .order_by()
    }
    stations = {s or 0 for s in qs.values_list("station_id", flat=True).distinct().order_by()}
    return [
        DayCount(station, weekend, kinds[weekend], surge.get((station, weekend), 0))
        for station in stations
        for weekend in (False, True)
        if kinds[weekend]
    ]


def series(f: Filters, granularity: str) -> list[dict[str, Any]]:
    rows = (
        f.apply(HourlyRollup.objects.all(), offers=False)
        .annotate(period=offer_roi.period_expr(granularity))
        .values("period")
        .annotate(
            sessions=Sum("sessions"),
            surge_sessions=Sum("surge_sessions"),
            surge_kwh=Sum("surge_kwh"),
            surge_revenue=Sum("surge_revenue"),
        )
        .order_by("period")
    )
    out = []
    for row in rows:
        period = row["period"]
        row["period"] = period.date() if isinstance(period, dt.datetime) else period
        out.append(row)
    return out


def _summary(impact: Impact) -> list[dict[str, Any]]:
    def pct(value):
        return "n/a" if value is None else f"{value * 100:+.1f}%"

    return [
        {"figure": "Surge windows (station-hours with surge)", "value": impact.surge_windows},
        {"figure": "Sessions in surge windows", "value": impact.sessions},
        {"figure": "Sessions per surge window", "value": impact.sessions_per_window},
        {"figure": "Sessions per comparable window without surge", "value": impact.expected_per_window},
        {"figure": "Change in sessions", "value": pct(impact.session_change)},
        {"figure": "kWh in surge windows", "value": impact.kwh},
        {"figure": "kWh expected without surge", "value": impact.expected_kwh},
        {"figure": "Change in kWh", "value": pct(impact.kwh_change)},
        {"figure": "Surge revenue", "value": impact.surge_revenue},
        {"figure": "Sessions shifted to other hours of surge days", "value": impact.shifted_sessions},
        {"figure": "Surge windows with comparable windows", "value": impact.covered_windows},
    ]


def station_rows(f: Filters, all_cells: list[Cells], days: list[DayCount]) -> list[dict]:
    from cpo_portal.models import Station

    names = dict(Station.objects.filter(operator=f.operator).values_list("pk", "name"))
    out = []
    for station in sorted({c.station for c in all_cells if c.surge_window}):
        impact = surge_impact(
            [c for c in all_cells if c.station == station], [d for d in days if d.station == station]
        )
        out.append(
            {
                "station": names.get(station, "(no station)"),
                "surge_windows": impact.surge_windows,
                "sessions": impact.sessions,
                "expected": impact.expected_sessions,
                "change": impact.session_change,
                "kwh_change": impact.kwh_change,
                "shifted": impact.shifted_sessions,
                "surge_revenue": impact.surge_revenue,
            }
        )
    out.sort(key=lambda r: -r["surge_revenue"])
    return out


def dashboard(f: Filters, granularity: str) -> dict[str, Any]:
    f = f.without_offer()
    all_cells, days = cells(f), day_counts(f)
    impact = surge_impact(all_cells, days)
    points = series(f, granularity)
    profile = impact.profile
    hours = [f"{p['hour']:02d}:00" for p in profile]
    return {
        "impact": impact,
        "tables": [
            Table("summary", "Surge impact", SUMMARY_COLUMNS, _summary(impact)),
            Table("stations", "By station", STATION_COLUMNS, station_rows(f, all_cells, days)),
            Table("profile", "Hourly demand profile", PROFILE_COLUMNS, profile),
            Table("series", f"By {granularity}", SERIES_COLUMNS, points),
        ],
        "charts": [
            chart(
                "profile",
                "line",
                hours,
                [
                    {"label": "Surge days", "data": [p["surge_days"] for p in profile]},
                    {"label": "Days without surge", "data": [p["calm_days"] for p in profile]},
                    {
                        "label": "Surge window share",
                        "data": [p["surge_share"] for p in profile],
                        "type": "bar",
                        "axis": "y1",
                    },
                ],
                title="Sessions per station-day by local start hour",
            ),
            chart(
                "surge_series",
                "bar",
                [p["period"].isoformat() for p in points],
                [
                    {"label": "Sessions that paid surge", "data": [p["surge_sessions"] for p in points]},
                    {
                        "label": "Surge revenue (₹)",
                        "data": [p["surge_revenue"] for p in points],
                        "type": "line",
                        "axis": "y1",
                    },
                ],
                title="Surge sessions and revenue",
            ),
        ],
    }
