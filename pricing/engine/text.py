"""Customer-facing wording of quote lines (DEG's breakup titles)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cpo_portal.formatting.digits import rate as rate
from cpo_portal.formatting.digits import stated, stated_percent, with_currency
from pricing.engine.amounts import HUNDRED, WATT_HOUR, money
from pricing.engine.types import ChargeForm


def plain(value: Decimal) -> str:
    """A number without trailing zeros or exponent: 5.200 -> '5.2', 50 -> '50'."""
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text


def rate_text(value: Decimal) -> str:
    """A rate or an amount with at least two decimals ('18.00'), more only when it has
    them ('0.125'): the plain number, for machines (JSON)."""
    return f"{stated(value):f}"


# Money as people read it is written by the pages' rule (cpo_portal.formatting.digits:
# symbol or code, minus sign, lakh grouping); only the decimals differ by what is written.
# A rate with its unit, in a quote line's title as on the pages ("@ ₹18.00/kWh"), is the
# pages' `rate` (re-exported above).


def amount_with_symbol(currency: str, amount: Decimal) -> str:
    """An amount of money to the paisa (half-up), as the pages' money_text writes it:
    '₹1,27,500.00', '$2.50', 'CHF\u00a010.00'."""
    return with_currency(money(amount), currency)


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
        return stated_percent(amount)
    figure = with_currency(stated(amount, bare_whole=True), currency)  # = money_in_sentence
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
    """A tax rate (0.18) as a percentage, exactly as stated, as the pages write it: '18%',
    '12.25%' (cpo_portal.formatting.digits.stated_percent)."""
    return stated_percent(rate * HUNDRED)
