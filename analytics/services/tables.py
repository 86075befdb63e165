"""Tables and charts as plain data: the page renders them, the CSV export writes the very
same rows, and the charts read their data from json_script blocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from cpo_portal import csvsafe


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    # text, int, money, kwh, ratio, percent (a change, signed), percent_share, bool, date,
    # or "row": each row's own "kind" key says (a table of mixed figures)
    kind: str = "text"
    link: str = ""  # row key holding a URL for this cell (pages only, not in CSV)


@dataclass
class Table:
    key: str  # the export name: ?export=<key>
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def cells(self) -> list[list[tuple[Column, Any, str, str]]]:
        """Per row, per column: (column, value, link, kind of the value)."""
        return [
            [
                (c, row.get(c.key), row.get(c.link, "") if c.link else "", kind_of(c, row))
                for c in self.columns
            ]
            for row in self.rows
        ]


def kind_of(column: Column, row: dict[str, Any]) -> str:
    return row.get("kind", "text") if column.kind == "row" else column.kind


PLACES = {"money": Decimal("0.01"), "kwh": Decimal("0.001")}


def _text(value: Any, kind: str = "text") -> str:
    """A CSV cell: plain machine-readable decimals (ratios and percentages as fractions,
    0.125), ISO dates, timestamps to the minute with their offset."""
    if value is None:
        return ""
    if kind in PLACES and isinstance(value, Decimal | int):
        return format(Decimal(value).quantize(PLACES[kind]), "f")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.replace(second=0, microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral() else value, "f")
    return str(value)


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csvsafe.writer(response)
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow([_text(row.get(c.key), kind_of(c, row)) for c in table.columns])
    return response


def json_number(value: Any) -> float | int | None:
    """Chart data: numbers for the browser (floats are fine for drawing, never for sums)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def chart(
    chart_id: str,
    kind: str,
    labels: list[str],
    datasets: list[dict[str, Any]],
    **options: Any,
) -> dict[str, Any]:
    """A chart spec for static/analytics/charts.js. Each dataset: label, data, and
    optionally type (bar/line), axis ('y' or 'y1'), unit ('₹', 'kWh', '')."""
    for ds in datasets:
        ds["data"] = [json_number(v) for v in ds["data"]]
    return {"id": chart_id, "type": kind, "labels": labels, "datasets": datasets, **options}
