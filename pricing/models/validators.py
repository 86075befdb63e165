"""Validators and field sizes shared by the pricing models (the value rules themselves
live in cpo_portal.db.values, shared with every app)."""

from __future__ import annotations

from typing import TypedDict

from django.core.validators import RegexValidator

slug_code = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9._\-]{0,63}\Z",
    "Use letters, digits, dots, hyphens and underscores (like peak-evening).",
)


class DecimalSize(TypedDict):
    max_digits: int
    decimal_places: int


# Rates carry up to 4 decimals (₹0.125/kWh); amounts are whole paise.
RATE: DecimalSize = {"max_digits": 12, "decimal_places": 4}
MONEY: DecimalSize = {"max_digits": 12, "decimal_places": 2}
