"""Dashboard cells and figures, all through cpo_portal.formatting: rupees with Indian digit
grouping, counts, ratios and percentages. Numbers stay Decimal until they are text."""

from __future__ import annotations

import datetime as dt

from django import template

from analytics.calc import figures
from cpo_portal import formatting

register = template.Library()


@register.simple_tag
def figure(key: str, qualifier: str = "") -> str:
    """A figure's one label (analytics.calc.figures): {% figure "net_revenue" %}."""
    return figures.label(key, qualifier)


@register.simple_tag
def figure_meaning(key: str) -> str:
    """What a figure counts, in one sentence (its tooltip)."""
    return figures.ALL[key].meaning


@register.filter
def rupees(value) -> str:
    return formatting.figure(value, "money")


@register.filter
def count(value) -> str:
    """A count: whole (formatting's precision rule)."""
    return formatting.figure(value, "int")


@register.filter
def percent(value) -> str:
    """A change as a ratio (0.125) as a signed percentage (+12.5%)."""
    return formatting.figure(value, "percent")


@register.filter
def ratio(value) -> str:
    """A ratio such as ROI (rupees per rupee): two places, a true minus sign."""
    return formatting.figure(value, "ratio")


@register.filter
def cell(value, kind: str) -> str:
    """Format one table cell by its column kind (services.tables.Column.kind)."""
    if value is None or value == "":
        return formatting.DASH
    if kind in formatting.PLACES:
        return formatting.figure(value, kind)
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "datetime" and isinstance(value, dt.datetime):
        return formatting.local_time(value)
    if kind == "date" and isinstance(value, dt.date):
        return formatting.day(value)
    return str(value)
