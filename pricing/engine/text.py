"""Customer-facing wording of quote lines (DEG's breakup titles)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cpo_portal.formatting.digits import SYMBOLS, indian
from pricing.engine.amounts import HUNDRED, PAISA, WATT_HOUR
from pricing.engine.types import ChargeForm


def symbol(currency: str) -> str:
    """The currency's symbol as every page writes it (cpo_portal.formatting), else its code."""
    return SYMBOLS.get(currency, f"{currency} ")


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


# The decimals a surge rule's amount may have, by its form: a rate per kWh has a tariff
# rate's (₹0.125/kWh), a percentage an offer's (12.25%), a flat fee is money (₹10.50).
# The model refuses more (pricing.models.SurgeRule.clean), so what surge_amount writes is
# what the engine applies.
SURGE_PLACES: dict[str, int] = {ChargeForm.PER_KWH: 4, ChargeForm.PERCENT: 2, ChargeForm.FLAT: 2}


def surge_amount(form: ChargeForm | str, amount: Decimal, currency: str) -> str:
    """A surge rule's amount as every surface writes it (the quote line's title, what
    customers read, the admin's list): every decimal it has and no trailing zero, money
    to the paisa unless whole: '₹1/kWh', '₹0.125/kWh', '12.35%', '₹10.50', '₹1,500'."""
    if form == ChargeForm.PERCENT:
        return f"{plain(amount)}%"
    whole, _, decimals = plain(abs(amount)).partition(".")
    figure = f"{'-' if amount < 0 else ''}{symbol(currency)}{indian(whole)}"
    if decimals:
        figure += "." + decimals.ljust(2, "0")
    return f"{figure}/kWh" if form == ChargeForm.PER_KWH else figure


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
