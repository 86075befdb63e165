"""Template filters over cpo_portal.formatting: ``{{ amount|money }}``,
``{{ amount|money:"EUR" }}``, ``{{ share|pct }}`` (a ratio), ``{{ rate|pct_value }}`` (already in
percent), ``{{ when|local_minute }}``, ``{{ n|grouped }}``."""

from __future__ import annotations

from django import template

from cpo_portal import formatting

register = template.Library()


@register.filter
def money(value, currency: str = "INR") -> str:
    return formatting.money_text(value, currency or "INR")


@register.filter
def pct(value) -> str:
    return formatting.percent_of_ratio(value)


@register.filter
def pct_value(value) -> str:
    return formatting.percent(value)


@register.filter
def local_minute(value, tz: str | None = None) -> str:
    return formatting.local_time(value, tz or None)


@register.filter
def grouped(value, places: int = 0) -> str:
    return formatting.number(value, int(places))
