"""Validators and field sizes shared by the pricing models."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator

ZERO = Decimal("0")
non_negative = MinValueValidator(ZERO, "Must not be negative.")
fraction = [
    MinValueValidator(ZERO, "Must not be negative."),
    MaxValueValidator(Decimal("1"), "Give a fraction: 0.18 is 18%%, at most 1."),
]
slug_code = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$",
    "Use letters, digits, dots, hyphens and underscores (like peak-evening).",
)
currency_code = RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 currency code, like INR.")


class DecimalSize(TypedDict):
    max_digits: int
    decimal_places: int


# Rates carry up to 4 decimals (₹0.125/kWh); amounts are whole paise.
RATE: DecimalSize = {"max_digits": 12, "decimal_places": 4}
MONEY: DecimalSize = {"max_digits": 12, "decimal_places": 2}
