"""{{ value|kwh }}: energy as the quote lines write it (pricing.engine.text.energy_text: to the
watt-hour, no trailing zeros: 10, 5.2, 0.125), on every page that shows a session's kWh."""

from __future__ import annotations

from decimal import Decimal

from django import template

from pricing.engine.text import energy_text

register = template.Library()


@register.filter
def kwh(value) -> str:
    if value is None or value == "":
        return "—"
    return energy_text(Decimal(str(value)))
