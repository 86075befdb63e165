"""Customer-facing wording of quote lines (DEG's breakup titles)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pricing.engine.money import HUNDRED, PAISA, WATT_HOUR

_SYMBOLS = {"INR": "₹", "EUR": "€", "USD": "$", "GBP": "£"}


def symbol(currency: str) -> str:
    return _SYMBOLS.get(currency, f"{currency} ")


def plain(value: Decimal) -> str:
    """A number without trailing zeros or exponent: 5.200 -> '5.2', 50 -> '50'."""
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text


def price(currency: str, value: Decimal) -> str:
    """At least two decimals (₹18.00), more only when the rate has them (₹0.125)."""
    shown = value.quantize(PAISA) if value == value.quantize(PAISA) else value.normalize()
    return f"{symbol(currency)}{shown:f}"


def energy(kwh: Decimal) -> str:
    """kWh to the watt-hour, half-up, written as plain() writes it. A number with exactly
    three decimals prints plainly (no exponent), so its trailing zeros can be cut."""
    text = str(kwh.quantize(WATT_HOUR, ROUND_HALF_UP)).rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def percent(rate: Decimal) -> str:
    """A tax rate (0.18) as a percentage: '18'."""
    return plain(rate * HUNDRED)
