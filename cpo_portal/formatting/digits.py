"""Digits and currency symbols as people in India read them (Babel's CLDR data for
Indian English): lakh and crore grouping, the rupee's symbol. Pure Python, importing no
Django: the quote engine's wording (pricing.engine.text) writes money with it too."""

from __future__ import annotations

from decimal import MAX_PREC, Decimal, localcontext

from babel import Locale
from babel.numbers import format_decimal, get_currency_symbol

LOCALE = Locale.parse("en_IN")
# The currencies written by their symbol; any other is written by its code.
SYMBOLS = {code: get_currency_symbol(code, LOCALE) for code in ("INR", "EUR", "USD", "GBP")}


def indian(digits: str) -> str:
    """12345678 -> 1,23,45,678 (lakh and crore grouping)."""
    with localcontext(prec=MAX_PREC):  # Babel rounds to its pattern's places: any length fits
        return format_decimal(Decimal(digits), locale=LOCALE)
