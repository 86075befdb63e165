"""Formatting for dashboard cells and figures: rupees with Indian digit grouping, counts,
ratios and percentages. Numbers stay Decimal until they are text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from cpo_portal import formatting

register = template.Library()


def _number(value: Decimal, places: int) -> str:
    return formatting.number(value, places)


@register.filter
def rupees(value) -> str:
    if value is None:
        return "—"
    return formatting.money(Decimal(value))


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
