"""Dashboard cells and figures, all through cpo_portal.formatting: rupees with Indian digit
grouping, counts, ratios and percentages. Numbers stay Decimal until they are text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from cpo_portal import formatting

register = template.Library()


@register.filter
def rupees(value) -> str:
    return formatting.money(value)


@register.filter
def count(value) -> str:
    return formatting.number(value, 0)


@register.filter
def percent(value) -> str:
    """A change as a ratio (0.125) as a signed percentage (+12.5%)."""
    return formatting.percent_of_ratio(value, signed=True)


@register.filter
def ratio(value) -> str:
    """A ratio such as ROI (rupees per rupee): two places, a true minus sign."""
    return formatting.number(value, 2)


@register.filter
def cell(value, kind: str) -> str:
    """Format one table cell by its column kind (services.tables.Column.kind)."""
    if value is None or value == "":
        return formatting.DASH
    if kind == "money":
        return rupees(value)
    if kind == "int":
        return count(value)
    if kind == "kwh":
        return formatting.number(Decimal(value), 1)
    if kind == "ratio":
        return ratio(value)
    if kind == "percent":
        return percent(value)
    if kind == "percent_share":
        return formatting.percent_of_ratio(value)
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "datetime" and isinstance(value, dt.datetime):
        return formatting.local_time(value)
    if kind == "date" and isinstance(value, dt.date):
        return value.strftime("%-d %b %Y")
    return str(value)
