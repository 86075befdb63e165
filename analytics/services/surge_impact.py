"""The surge-impact dashboard: hourly rollups grouped in SQL, combined by calc.surge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.http import urlencode

from analytics.calc import periods
from analytics.calc.surge import TENTH, Impact, Slot, surge_impact
from analytics.models import HourlyPeriod, HourlyRollup, StationDaily
from analytics.models.periods import BLOCK, MONTH
from analytics.services import offer_roi
from analytics.services.filters import Filters
from analytics.services.surge_windows import surge_windows
from analytics.services.tables import Column, Table, chart
from cpo_portal import formatting
from cpo_portal.models import Station
from pricing.engine import ZERO, money

# The headline figures, each defined once (key: its API field, label, kind): the summary
# table's rows, its CSV and the API; the station table shows several of them per station.
SURGE_REVENUE = Column("surge_revenue", "Surge revenue", "money", total=Sum("surge_revenue"))
SESSIONS = Column("sessions", "Sessions in surge windows", "int")
EXPECTED = Column("expected_sessions", "Expected from comparable stations", "int")
CHANGE = Column("session_change", "Change in sessions", "percent")
KWH_CHANGE = Column("kwh_change", "Change in kWh", "percent")
SHIFTED = Column("shifted_sessions", "Sessions shifted to other hours", "int")
FIGURES = [
    Column("surge_windows", "Surge windows (station-hours with surge)", "int"),
    SESSIONS,
    Column("compared_windows", "Surge windows compared with calm stations", "int"),
    Column("sessions_per_window", "Sessions per surge window", "ratio"),
    Column("expected_per_window", "Expected per window, from comparable stations", "ratio"),
    Column("compared_sessions", "Sessions in compared surge windows", "int"),
    EXPECTED,
    CHANGE,
    Column("kwh", "kWh in surge windows", "kwh"),
    Column("compared_kwh", "kWh in compared surge windows", "kwh"),
    Column("expected_kwh", "kWh expected from comparable stations", "kwh"),
    KWH_CHANGE,
    SHIFTED,
    SURGE_REVENUE,
    Column("compared_stations", "Stations compared", "int"),
]
SUMMARY_COLUMNS = [Column("figure", "Figure"), Column("value", "Value", "row")]
STATION_COLUMNS = [
    Column("station", "Station", link="url"),
    Column("surge_windows", "Surge windows", "int"),
    SESSIONS,
    Column("compared_sessions", "…in compared windows", "int"),
    replace(EXPECTED, key="expected"),
    replace(CHANGE, key="change"),
    KWH_CHANGE,
    replace(SHIFTED, key="shifted"),
    SURGE_REVENUE,
    Column("note", "Note", "note"),
]
COMPARED = ("compared_sessions", "expected", "change", "kwh_change", "shifted")
NO_WINDOW = (
    "No surge window: its surges apply at every hour or on a condition (charger power, "
    "site, weekend, occupancy, grid stress, holiday), so there is no hour to compare."
)
NO_CONTROL = (
    "Not compared: no station without a surge window on that kind of day (or no calm hour "
    "here) to compare with."
)
PROFILE_COLUMNS = [
    Column("hour", "Local hour"),
    Column("with_surge", "Share of sessions, stations with surge", "percent_share"),
    Column("without_surge", "Share of sessions, stations without surge", "percent_share"),
    Column("surge_slots", "Stations with a surge window at this hour (kinds of day)", "int"),
]
SURGED = Column("surge_sessions", "Sessions that paid surge", "int", total=Sum("surge_sessions"))
SERIES_COLUMNS = [
    Column("period", "Period", "date"),
    Column("sessions", "Sessions", "int", total=Sum("sessions")),
    SURGED,
    Column("surge_kwh", "kWh in surged sessions", "kwh", total=Sum("surge_kwh")),
    SURGE_REVENUE,
]


def slots(f: Filters) -> list[Slot]:
    """Hourly rollups summed per station, kind of day and local hour, in SQL: whole months
    and blocks from HourlyPeriod, the days at the edges from HourlyRollup. Every station
    of the operator, whatever the station or region filter: the comparable profile is
    the operator's (`chosen` picks the stations the figures are about). With a channel,
    the sessions of that channel only, at every station: its figures and its comparable
    profile alike (drivers of one channel are compared with drivers of the same channel)."""
    cut = periods.split(f.date_from, f.date_to)
    wanted = Q(grain=MONTH, start__in=cut.months) | Q(grain=BLOCK, start__in=cut.blocks)
    pre = f.by_channel(HourlyPeriod.objects.filter(wanted, operator=f.operator))
    edges = f.by_channel(HourlyRollup.objects.filter(operator=f.operator, date__in=cut.days))
    acc: dict[tuple, list] = {}
    for qs in (pre, edges):
        rows = (
            qs.values_list("station_id", "weekend", "hour")
            .annotate(
                Sum("sessions"), Sum("surge_sessions"), Sum("energy_kwh"), Sum("surge_revenue")
            )
            .order_by()
        )
        for station, weekend, hour, n, m, k, r in rows:
            got = acc.setdefault((station or 0, bool(weekend), hour), [0, 0, ZERO, ZERO])
            got[0] += n or 0
            got[1] += m or 0
            got[2] += k or ZERO
            got[3] += r or ZERO
    return [
        Slot(station=s, weekend=w, hour=h, sessions=n, surged=m, kwh=k, surge_revenue=r)
        for (s, w, h), (n, m, k, r) in acc.items()
    ]


def chosen(f: Filters) -> Callable[[int], bool] | None:
    """Which stations the station or region filter picks (None: every station): those
    with rows in the filtered StationDaily, the rows the page's series sums."""
    if not (f.station_id or f.region):
        return None
    rows = f.apply(StationDaily.objects.all(), offers=False).values_list("station_id", flat=True)
    picked = {station or 0 for station in rows.distinct().order_by()}
    return picked.__contains__


def day_kinds(f: Filters) -> dict[bool, int]:
    """Weekdays and weekend days in the filtered period."""
    out = {False: 0, True: 0}
    day = f.date_from
    while day <= f.date_to:
        out[day.weekday() >= 5] += 1
        day += dt.timedelta(days=1)
    return out


def series(f: Filters, granularity: str) -> list[dict[str, Any]]:
    """Sessions and surge per period: StationDaily, or with a channel the hourly rollups of
    that channel (StationDaily's surge counts are sums of the same hourly rows)."""
    source = f.by_channel(HourlyRollup.objects.all()) if f.channel else StationDaily.objects.all()
    return offer_roi.by_period(f.apply(source, offers=False), granularity, SERIES_COLUMNS)


def headline(impact: Impact) -> dict[str, Any]:
    """The figures the page's tiles show, with each change worked out from the figures
    shown beside it (formatting.change: counts whole, kWh to one place)."""
    expected = formatting.shown(impact.expected_sessions, "int")
    return {
        "compared_sessions": impact.compared_sessions,
        "expected_sessions": expected,
        "session_change": formatting.change(impact.compared_sessions, expected),
        "compared_kwh": formatting.shown(impact.compared_kwh, "kwh"),
        "expected_kwh": formatting.shown(impact.expected_kwh, "kwh"),
        "kwh_change": formatting.change(impact.compared_kwh, impact.expected_kwh, "kwh"),
        "shifted_sessions": sum((_shifted(fig) for fig in impact.stations.values()), ZERO),
    }


def _shifted(fig: dict[str, Decimal]) -> Decimal:
    """A station's sessions shifted to other hours as its row shows them (whole): the total
    is the sum of these, so that the rows add up to it."""
    return formatting.shown(fig["shifted"], "int") or ZERO


def _figures(impact: Impact) -> dict[str, Any]:
    """The headline figures (FIGURES) by key, as the page shows them."""
    return {
        "surge_windows": impact.surge_windows,
        "sessions": impact.sessions,
        "compared_windows": impact.compared_windows,
        "sessions_per_window": impact.sessions_per_window,
        "expected_per_window": impact.expected_per_window,
        "kwh": impact.kwh.quantize(TENTH),
        "surge_revenue": impact.surge_revenue,
        "compared_stations": impact.compared_stations,
        **headline(impact),
    }


def summary(f: Filters) -> dict[str, Any]:
    """The page's headline figures by name (the API): the same values as its summary
    table and its CSV."""
    values = _figures(impact_of(f.without_offer()))
    return {c.key: values[c.key] for c in FIGURES}


def impact_of(f: Filters) -> Impact:
    windows = surge_windows(f.operator, f.date_from, f.date_to)
    return surge_impact(slots(f), day_kinds(f), windows, chosen(f))


def station_rows(f: Filters, impact: Impact) -> list[dict[str, Any]]:
    names = dict(Station.objects.filter(operator=f.operator).values_list("pk", "name"))
    page = reverse("analytics:surge")
    out: list[dict[str, Any]] = []
    for station, fig in impact.stations.items():
        if not (fig["windows"] or fig["surge_revenue"]):
            continue
        compared = bool(fig["compared_windows"])
        expected = formatting.shown(fig["expected"], "int")
        row = {
            "station": names.get(station, "(no station)"),
            "url": f"{page}?{urlencode({**f.query(), 'station': str(station)})}" if station else "",
            "surge_windows": int(fig["windows"]),
            "sessions": int(fig["sessions"]),
            "compared_sessions": int(fig["compared_sessions"]),
            "expected": expected,
            "change": formatting.change(fig["compared_sessions"], expected),
            "kwh_change": formatting.change(fig["compared_kwh"], fig["expected_kwh"], "kwh"),
            "shifted": _shifted(fig),
            "surge_revenue": money(fig["surge_revenue"]),
            "note": NO_WINDOW if not fig["windows"] else "" if compared else NO_CONTROL,
        }
        if not compared:  # no comparison: no figure of one
            row.update(dict.fromkeys(COMPARED, None))
        out.append(row)
    out.sort(key=lambda r: (-r["surge_revenue"], r["station"]))
    return out


def dashboard(f: Filters, granularity: str) -> dict[str, Any]:
    f = f.without_offer()
    impact = impact_of(f)
    points = series(f, granularity)
    profile = impact.profile
    hours = [f"{p['hour']:02d}" for p in profile]
    # the headline figures, each with its kind (the page formats it, the CSV keeps the
    # number: changes as fractions, 0.125 for +12.5%)
    values = _figures(impact)
    summary_rows = [{"figure": c.label, "value": values[c.key], "kind": c.kind} for c in FIGURES]
    return {
        "impact": impact,
        "head": headline(impact),
        "tables": [
            Table("summary", "Surge impact", SUMMARY_COLUMNS, summary_rows),
            Table("stations", "By station", STATION_COLUMNS, station_rows(f, impact)),
            Table("profile", "Hourly demand profile", PROFILE_COLUMNS, profile),
            Table("series", f"By {granularity}", SERIES_COLUMNS, points),
        ],
        "charts": [
            chart(
                "profile",
                "line",
                hours,
                [
                    {
                        "label": "Stations with surge (% of sessions)",
                        "data": [_pct(p["with_surge"]) for p in profile],
                    },
                    {
                        "label": "Comparable stations without surge (%)",
                        "data": [_pct(p["without_surge"]) for p in profile],
                    },
                    {
                        "label": "Stations with a surge window",
                        "data": [p["surge_slots"] for p in profile],
                        "type": "bar",
                        "axis": "y1",
                    },
                ],
                title="Share of sessions by local start hour",
                axes={
                    "x": "Local start hour",
                    "y": ["Share of sessions", "(%)"],
                    "y1": ["Stations with a surge window", "(count)"],
                },
            ),
            chart(
                "surge_series",
                "bar",
                [p["period"].isoformat() for p in points],
                [
                    {"label": SURGED.label, "data": [p["surge_sessions"] for p in points]},
                    {
                        "label": "Surge revenue (₹)",
                        "data": [p["surge_revenue"] for p in points],
                        "type": "line",
                        "axis": "y1",
                    },
                ],
                title="Surge sessions and revenue",
                axes={
                    "x": "Period start",
                    "y": ["Sessions that paid surge", "(count)"],
                    "y1": ["Surge revenue", "(₹, before tax)"],
                },
            ),
        ],
    }


def _pct(share):
    return None if share is None else share * 100
