"""A finished run's result as the dashboards' tables and charts (services.tables): the
page renders them, the CSV export writes the same rows, the API returns the JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from analytics.calc import figures
from analytics.services.tables import Column, Table, chart

FIGURES = [
    Column("sessions", figures.SESSIONS.label, "int"),
    Column("replayed", "Sessions replayed", "int"),
    Column("touched", "Sessions touched", "int"),
    Column("redemptions", figures.REDEMPTIONS.label, "int"),
    Column("discount_cost", figures.DISCOUNT_COST.label, "money"),
    Column("surge_change", figures.label("surge_revenue", "change"), "money"),
    Column("net_change", figures.label("net_revenue", "change, replayed"), "money"),
    Column("actual_net", figures.label("net_revenue", "recorded"), "money"),
    Column("candidate_net", figures.label("net_revenue", "with the candidate"), "money"),
    Column(
        "net_change_vs_actual",
        figures.label("net_revenue", "change against what happened"),
        "money",
    ),
]
MONEY = {c.key for c in FIGURES if c.kind == "money"} | {"discount", "baseline_net"}


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: Decimal(v) if k in MONEY and v is not None else v for k, v in row.items()}
    if "date" in out:
        out["date"] = dt.date.fromisoformat(str(row["date"]))
    return out


def tables(result: dict[str, Any]) -> list[Table]:
    if not result:
        return []
    return [
        Table(
            "days",
            "Per day",
            [Column("date", "Day", "date"), *FIGURES],
            [_typed(r) for r in result.get("days", [])],
        ),
        Table(
            "stations",
            "Per station",
            [Column("station", "Station"), *FIGURES],
            [_typed(r) for r in result.get("stations", [])],
        ),
        Table(
            "displaced",
            "Offers it would have displaced",
            [
                Column("offer", "Offer"),
                Column("sessions", "Sessions", "int"),
                Column("discount", "Their discount, no longer given", "money"),
            ],
            [_typed(r) for r in result.get("displaced", [])],
            note="Offers given in the baseline that the candidate's sessions no longer get.",
        ),
        Table(
            "stacked",
            "Offers it stacks with",
            [Column("offer", "Offer"), Column("sessions", "Sessions", "int")],
            list(result.get("stacked_with", [])),
        ),
    ]


STATIONS_SHOWN = 12  # bars in the per-station chart; the rest are summed as one


def _station_bars(stations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-station chart's bars: only stations where the run changed something (a
    discount given or net revenue moved), largest change first, at most STATIONS_SHOWN;
    the remaining stations summed as one "other stations" bar."""
    moved = [
        {"station": s["station"], "discount_cost": Decimal(s["discount_cost"]),
         "net_change": Decimal(s["net_change"])}
        for s in stations
        if Decimal(s["discount_cost"]) or Decimal(s["net_change"])
    ]  # fmt: skip
    moved.sort(key=lambda s: (-(abs(s["net_change"]) + s["discount_cost"]), s["station"]))
    if len(moved) <= STATIONS_SHOWN:
        return moved
    shown, rest = moved[: STATIONS_SHOWN - 1], moved[STATIONS_SHOWN - 1 :]
    others = {
        "station": f"{len(rest)} other stations",
        "discount_cost": sum((s["discount_cost"] for s in rest), Decimal(0)),
        "net_change": sum((s["net_change"] for s in rest), Decimal(0)),
    }
    return [*shown, others]


def charts(result: dict[str, Any]) -> list[dict[str, Any]]:
    if not result:
        return []
    days = result.get("days", [])
    net_change = figures.label("net_revenue", "change")
    per_day = chart(
        "whatif-days",
        "bar",
        [d["date"] for d in days],
        [
            {
                "label": "Discount cost",
                "data": [Decimal(d["discount_cost"]) for d in days],
                "unit": "₹",
            },
            {
                "label": "Surge revenue change",
                "data": [Decimal(d["surge_change"]) for d in days],
                "unit": "₹",
            },
            {
                "label": net_change,
                "type": "line",
                "axis": "y1",
                "unit": "₹",
                "data": [Decimal(d["net_change"]) for d in days],
            },
        ],
        title="Per day",
        axes={
            "x": "Day",
            "y": ["Discount, surge change", "(₹ a day)"],
            "y1": ["Net revenue change", "(₹ a day)"],
        },
    )
    bars = _station_bars(result.get("stations", []))
    per_station = chart(
        "whatif-stations",
        "bar",
        [s["station"] for s in bars],
        [
            {"label": "Discount cost", "data": [s["discount_cost"] for s in bars], "unit": "₹"},
            {"label": net_change, "unit": "₹", "data": [s["net_change"] for s in bars]},
        ],
        title="Per station",
        horizontal=True,
        axes={"x": "Discount cost, net revenue change (₹)", "y": "Station"},
        note="Stations where the run changed nothing are left out; the table lists every one.",
    )
    return [per_day, per_station]


HELD_OUT = Column("held_out", "Held out (control group)", "int")
SKIPPED = Column("skipped", "Sessions not priced (charger or tariff gone)", "int")
OFFER_ONLY = {"redemptions", "discount_cost", "held_out"}
NET_CHANGE = figures.label("net_revenue", "change, replayed (candidate \u2212 baseline)")


def summary(result: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The result's headline figures, in order: key (the cell's id), label, value and its
    kind (the page formats it with the dashboards' own rule)."""
    s = _typed(result.get("summary") or {})
    if not s:
        return []
    s.setdefault("replayed", s.get("sessions"))  # a result from before it was counted
    columns = [*FIGURES[:5], HELD_OUT, *FIGURES[5:], *([SKIPPED] if s.get("skipped") else [])]
    return [
        {
            "key": c.key,
            "label": NET_CHANGE if c.key == "net_change" else c.label,
            "value": s.get(c.key),
            "kind": c.kind,
        }
        for c in columns
        if kind == "offer" or c.key not in OFFER_ONLY
    ]


def outdated(result: dict[str, Any]) -> bool:
    """A result worked out before net revenue meant 'before tax' everywhere."""
    return bool(result) and result.get("figures_version", 1) < 2
