"""A Quote as plain JSON-ready data: amounts as strings with two decimals.

Used by `manage.py quote --json`, the admin preview, and (later) the Beckn adapter, so every
surface shows the same figures in the same shape.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pricing.engine.amounts import WATT_HOUR, as_text
from pricing.engine.text import rate_text
from pricing.engine.types import LineKind, Quote, QuoteLine

TOTAL_KINDS = (
    LineKind.ENERGY, LineKind.SERVICE_FEE, LineKind.IDLE_FEE, LineKind.SURGE, LineKind.ADDON,
    LineKind.WHEELING, LineKind.DISCOUNT, LineKind.ADJUSTMENT, LineKind.TAX,
)  # fmt: skip
RULE_KINDS = (LineKind.SURGE, LineKind.DISCOUNT, LineKind.ADDON, LineKind.ADJUSTMENT)


def kwh_text(kwh: Decimal) -> str:
    """Energy to the watt-hour: '5.200'."""
    return str(kwh.quantize(WATT_HOUR, rounding=ROUND_HALF_UP))


def _time(value: dt.datetime, zone: ZoneInfo | None) -> str:
    return (value.astimezone(zone) if zone else value).isoformat()


def line_to_dict(line: QuoteLine) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": str(line.kind),
        "code": line.code,
        "title": line.title,
        "amount": as_text(line.amount),
        "kwh": None if line.kwh is None else kwh_text(line.kwh),
        "rate": None if line.rate is None else rate_text(line.rate),
    }
    if line.item_id:
        out["item_id"] = line.item_id
    if line.tags:
        out["tags"] = dict(line.tags)
    return out


def _applied(line: QuoteLine) -> dict[str, Any]:
    tags = dict(line.tags)
    out = {"type": str(line.kind), "code": line.code, "title": line.title,
           "amount": as_text(line.amount)}  # fmt: skip
    if "surge_kind" in tags:
        out["surge_kind"] = tags["surge_kind"]
    return out


def quote_to_dict(quote: Quote, *, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """`zone` writes start and end in the station's local time (default: as stored, UTC)."""
    totals = {str(kind): as_text(quote.sum_of(kind)) for kind in TOTAL_KINDS}
    totals["total"] = as_text(quote.total)
    return {
        "currency": quote.currency,
        "start": _time(quote.start, zone),
        "end": _time(quote.end, zone),
        "kwh": kwh_text(quote.kwh),
        "lines": [line_to_dict(line) for line in quote.lines],
        "totals": totals,
        "tax": {
            "inclusive": quote.tax_inclusive,
            "included": as_text(quote.tax_included),
            "charged": as_text(quote.sum_of(LineKind.TAX)),
        },
        "total": as_text(quote.total),
        "applied_rules": [_applied(ln) for ln in quote.lines if ln.kind in RULE_KINDS],
    }
