"""Money and quantity arithmetic: Decimal end to end, half-up to the paisa."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

PAISA = Decimal("0.01")
WATT_HOUR = Decimal("0.001")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def money(value: Decimal | int | str) -> Decimal:
    """Round an amount half-up to the paisa (2 decimal places)."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    return value.quantize(PAISA, ROUND_HALF_UP)


def kwh_floor(value: Decimal) -> Decimal:
    """Energy to whole watt-hours, rounded down (never sell more than was paid for)."""
    return value.quantize(WATT_HOUR, rounding=ROUND_DOWN)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, unrounded (round once, where the line is made)."""
    return amount * percent / HUNDRED


def as_text(amount: Decimal) -> str:
    """Amounts leave the system as strings with exactly two decimals."""
    return str(money(amount))
