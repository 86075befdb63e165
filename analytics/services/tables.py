"""Tables and charts as plain data: the page renders them, the CSV export writes the very
same rows, and the charts read their data from json_script blocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from cpo_portal.formatting import csvsafe


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    # text, int, money, kwh, ratio, percent (a change, signed), percent_share, bool, date,
    # or "row": each row's own "kind" key says (a table of mixed figures)
    kind: str = "text"
    link: str = ""  # row key holding a URL for this cell (pages only, not in CSV)
    sub: str = ""  # row key of a second line under the value (pages only, not in CSV)
    page: bool = True  # shown as a column on the page
    csv: bool = True  # written to the CSV
    total: Any = None  # the aggregate over the rollup rows that gives it (summed figures)
    api: str = ""  # its name in the API, where it differs from `key`

    @property
    def expands(self) -> bool:
        """Long explanations go in the row's expander on the page, not in a column."""
        return self.kind == "note"

    @property
    def sortable(self) -> bool:
        return self.kind not in ("note", "row")


@dataclass
class Table:
    key: str  # the export name: ?export=<key>
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    sorted_by: str = ""  # the column key the rows were sorted by ("-key": descending)

    @property
    def shown_columns(self) -> list[Column]:
        return [c for c in self.columns if c.page and not c.expands]

    @property
    def expander_columns(self) -> list[Column]:
        return [c for c in self.columns if c.page and c.expands]

    def cells(self) -> list[list[tuple[Column, Any, str, str]]]:
        """Per row, per column shown: (column, value, link, kind of the value)."""
        return [
            [
                (c, row.get(c.key), row.get(c.link, "") if c.link else "", kind_of(c, row))
                for c in self.shown_columns
            ]
            for row in self.rows
        ]

    def page_rows(self) -> list[dict[str, Any]]:
        """Per row: its cells, the second lines of its cells, and its explanations (label,
        text) for the row's expander."""
        out = []
        for row, cells in zip(self.rows, self.cells(), strict=True):
            subs = [row.get(c.sub, "") if c.sub else "" for c in self.shown_columns]
            notes = [(c.label, row.get(c.key)) for c in self.expander_columns if row.get(c.key)]
            out.append({"cells": list(zip(cells, subs, strict=True)), "notes": notes})
        return out

    def sort_links(self) -> list[tuple[Column, str, str]]:
        """Per column shown: (column, the sort value its header asks for, aria-sort)."""
        out = []
        for c in self.shown_columns:
            if not c.sortable:
                out.append((c, "", ""))
                continue
            now = self.sorted_by
            if now == c.key:
                out.append((c, f"{self.key}.-{c.key}", "ascending"))
            elif now == f"-{c.key}":
                out.append((c, f"{self.key}.{c.key}", "descending"))
            else:
                first = "" if c.kind in ("text", "date") else "-"  # figures: largest first
                out.append((c, f"{self.key}.{first}{c.key}", ""))
        return out

    def sort(self, by: str) -> bool:
        """Order the rows by a column shown (`-key`: descending); missing values last,
        ties in their present order. False (rows untouched) for an unknown column."""
        key = by.removeprefix("-")
        column = next((c for c in self.shown_columns if c.key == key and c.sortable), None)
        if column is None:
            return False
        present = [r for r in self.rows if r.get(key) not in (None, "")]
        missing = [r for r in self.rows if r.get(key) in (None, "")]
        present.sort(key=lambda r: _sort_key(r[key]), reverse=by.startswith("-"))
        self.rows = present + missing
        self.sorted_by = by
        return True


def sums(columns: list[Column]) -> dict[str, Any]:
    """The aggregates of the summed figures among `columns`, by column key."""
    return {c.key: c.total for c in columns if c.total is not None}


def zeros(columns: list[Column], row: dict[str, Any]) -> dict[str, Any]:
    """The row with its missing values as zeros (no rollup rows: nothing counted), Decimal
    for the summed money and kWh among `columns`."""
    decimal = {c.key for c in columns if c.total is not None and c.kind in PLACES}
    return {k: (Decimal(0) if k in decimal else 0) if v is None else v for k, v in row.items()}


def _sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def sort_tables(tables: list[Table], asked: str) -> None:
    """`?sort=<table key>.<column key>` (a leading '-' on the column: descending)."""
    table_key, _, by = asked.partition(".")
    for table in tables:
        if table.key == table_key and by:
            table.sort(by)


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
    columns = [c for c in table.columns if c.csv]
    writer.writerow([c.label for c in columns])
    for row in table.rows:
        writer.writerow([_text(row.get(c.key), kind_of(c, row)) for c in columns])
    return response


def chart(
    chart_id: str,
    kind: str,
    labels: list[str],
    datasets: list[dict[str, Any]],
    **options: Any,
) -> dict[str, Any]:
    """A chart spec for static/analytics/charts.js. Each dataset: label, data, and
    optionally type (bar/line), axis ('y' or 'y1'), unit ('₹', 'kWh', ''). Option `axes`:
    each axis's title, by its id as drawn ('x', 'y', 'y1'; a horizontal chart's values run
    along 'x'): what it measures and its unit (a list: one line each). Every axis the
    chart draws must have its title: a chart without one is refused here, on every page."""
    horizontal = options.get("horizontal", False)
    drawn = {"x", "y"} | {ds.get("axis", "y") for ds in datasets if not horizontal}
    untitled = sorted(drawn - set(options.get("axes", {})))
    if untitled:
        raise ValueError(f"chart {chart_id!r} has no title for its axis {', '.join(untitled)}")
    for ds in datasets:  # numbers for the browser: floats are fine for drawing, never for sums
        ds["data"] = [float(v) if isinstance(v, Decimal) else v for v in ds["data"]]
    return {"id": chart_id, "type": kind, "labels": labels, "datasets": datasets, **options}
