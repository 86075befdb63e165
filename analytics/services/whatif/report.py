"""A finished run's result as the dashboards' tables and charts (services.tables): the
page renders them, the CSV export writes the same rows, the API returns the JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from analytics.services.tables import Column, Table, chart

FIGURES = [
    Column("sessions", "Sessions", "int"),
    Column("touched", "Sessions touched", "int"),
    Column("redemptions", "Redemptions", "int"),
    Column("discount_cost", "Discount cost", "money"),
    Column("surge_change", "Surge revenue change", "money"),
    Column("net_change", "Net revenue change (replayed)", "money"),
    Column("actual_net", "Net revenue recorded", "money"),
    Column("candidate_net", "Net revenue with the candidate", "money"),
    Column("net_change_vs_actual", "Change against what happened", "money"),
]
MONEY = {c.key for c in FIGURES if c.kind == "money"} | {"discount"}


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


def charts(result: dict[str, Any]) -> list[dict[str, Any]]:
    if not result:
        return []
    days = result.get("days", [])
    stations = result.get("stations", [])
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
                "label": "Net revenue change",
                "type": "line",
                "axis": "y1",
                "unit": "₹",
                "data": [Decimal(d["net_change"]) for d in days],
            },
        ],
        title="Per day",
    )
    per_station = chart(
        "whatif-stations",
        "bar",
        [s["station"] for s in stations],
        [
            {
                "label": "Discount cost",
                "data": [Decimal(s["discount_cost"]) for s in stations],
                "unit": "₹",
            },
            {
                "label": "Net revenue change",
                "unit": "₹",
                "data": [Decimal(s["net_change"]) for s in stations],
            },
        ],
        title="Per station",
        horizontal=True,
    )
    return [per_day, per_station]
