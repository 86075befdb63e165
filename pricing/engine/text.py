"""Customer-facing wording of quote lines (DEG's breakup titles)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pricing.engine.amounts import HUNDRED, PAISA, WATT_HOUR

_SYMBOLS = {"INR": "₹", "EUR": "€", "USD": "$", "GBP": "£"}


def symbol(currency: str) -> str:
    return _SYMBOLS.get(currency, f"{currency} ")


def plain(value: Decimal) -> str:
    """A number without trailing zeros or exponent: 5.200 -> '5.2', 50 -> '50'."""
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text


def rate_text(value: Decimal) -> str:
    """A rate or an amount with at least two decimals ('18.00'), more only when it has
    them ('0.125')."""
    shown = value.quantize(PAISA) if value == value.quantize(PAISA) else value.normalize()
    return f"{shown:f}"


def rate_with_symbol(currency: str, value: Decimal) -> str:
    """rate_text after the currency's symbol: '₹18.00', '₹0.125'."""
    return f"{symbol(currency)}{rate_text(value)}"


def energy_text(kwh: Decimal) -> str:
    """kWh to the watt-hour, half-up, written as plain() writes it. A number with exactly
    three decimals prints plainly (no exponent), so its trailing zeros can be cut. One too
    large to hold to the watt-hour (1e308, typed into the price tool) is far past any
    session: it prints in scientific notation, for the message that refuses it."""
    try:
        text = str(kwh.quantize(WATT_HOUR, ROUND_HALF_UP)).rstrip("0").rstrip(".")
    except InvalidOperation:
        return f"{kwh:.3E}"
    return "0" if text == "-0" else text


def percent(rate: Decimal) -> str:
    """A tax rate (0.18) as a percentage: '18'."""
    return plain(rate * HUNDRED)
