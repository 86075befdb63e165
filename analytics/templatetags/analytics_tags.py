"""Formatting for dashboard cells and figures: rupees with Indian digit grouping, counts,
ratios and percentages. Numbers stay Decimal until they are text."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def indian(digits: str) -> str:
    """12345678 -> 1,23,45,678 (lakh and crore grouping)."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups) + "," + tail


def _number(value: Decimal, places: int) -> str:
    q = Decimal(1).scaleb(-places)
    text = format(abs(value.quantize(q, rounding=ROUND_HALF_UP)), "f")
    whole, _, frac = text.partition(".")
    sign = "-" if value < 0 and text.strip("0.") else ""
    return sign + indian(whole) + (f".{frac}" if frac else "")


@register.filter
def rupees(value) -> str:
    if value is None:
        return "—"
    return "₹" + _number(Decimal(value), 2)


@register.filter
def count(value) -> str:
    if value is None:
        return "—"
    return _number(Decimal(value), 0)


@register.filter
def percent(value) -> str:
    """A ratio (0.125) as a signed percentage (+12.5%)."""
    if value is None:
        return "—"
    pct = Decimal(value) * 100
    return ("+" if pct > 0 else "") + _number(pct, 1) + "%"


@register.filter
def ratio(value) -> str:
    if value is None:
        return "—"
    return _number(Decimal(value), 2)


@register.filter
def cell(value, kind: str) -> str:
    """Format one table cell by its column kind (services.tables.Column.kind)."""
    if value is None:
        return "—"
    if kind == "money":
        return rupees(value)
    if kind == "int":
        return count(value)
    if kind == "kwh":
        return _number(Decimal(value), 1)
    if kind == "ratio":
        return ratio(value)
    if kind == "percent":
        return percent(value)
    if kind == "percent_share":
        return _number(Decimal(value) * 100, 1) + "%"
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
