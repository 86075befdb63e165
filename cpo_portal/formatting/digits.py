"""Digits and currency symbols as people in India read them (Babel's CLDR data for
Indian English): lakh and crore grouping, the rupee's symbol, and the one way a money
figure is written with its currency. Pure Python, importing no Django: the pages
(cpo_portal.formatting) and the quote engine's wording (pricing.engine.text) both write
money with ``with_currency``; they differ only in the decimals they give it (``stated``). A
rate is written by ``rate``, everywhere.
A stated percentage (a rate a person typed) is written by ``stated_percent``, everywhere."""

from __future__ import annotations

from decimal import MAX_PREC, Decimal, localcontext

from babel import Locale
from babel.numbers import format_decimal, get_currency_symbol

LOCALE = Locale.parse("en_IN")
# The currencies written by their symbol; any other is written by its code.
SYMBOLS = {code: get_currency_symbol(code, LOCALE) for code in ("INR", "EUR", "USD", "GBP")}
MINUS = "\u2212"  # a true minus sign (screen readers say "minus"), never the hyphen
NO_BREAK_SPACE = "\u00a0"
PAISA, ONE = Decimal("0.01"), Decimal(1)


def indian(digits: str) -> str:
    """12345678 -> 1,23,45,678 (lakh and crore grouping)."""
    with localcontext(prec=MAX_PREC):  # Babel rounds to its pattern's places: any length fits
        return format_decimal(Decimal(digits), locale=LOCALE)


def with_currency(amount: Decimal, currency: str) -> str:
    """`amount` with its currency and exactly the decimals it has (round it first):
    Decimal("-3161.48") -> "\u2212₹3,161.48". The sign comes first, then the symbol against the
    lakh-grouped digits; a currency without a symbol (SYMBOLS) is written by its code in
    the symbol's place, as CLDR's Indian English pattern (¤#,##,##0.00) puts it, with the
    no-break space CLDR's currency spacing sets between letters and digits: "CHF 10.00"."""
    whole, _, decimals = f"{amount.copy_abs():f}".partition(".")
    digits = indian(whole) + (f".{decimals}" if decimals else "")
    symbol = SYMBOLS.get(currency, currency + NO_BREAK_SPACE)
    return f"{MINUS if amount < 0 else ''}{symbol}{digits}"


def stated(amount: Decimal, *, bare_whole: bool = False) -> Decimal:
    """A stated amount or rate (a tariff's rate, a surge's amount), nothing rounded off: to
    the paisa ("18.00"), more decimals only when it has them ("0.125"); with `bare_whole`,
    as money inside a sentence, a whole amount has none ("1", "1500")."""
    with localcontext(prec=MAX_PREC):  # exact at any length
        if bare_whole and amount == amount.to_integral_value():
            return amount.quantize(ONE)
        paisa = amount.quantize(PAISA)
        return paisa if paisa == amount else amount.normalize()


def in_sentence(amount: Decimal, currency: str) -> str:
    """Money inside a sentence (an offer's cap, a flat surge): whole amounts without paise
    ("₹1", "₹1,500"), otherwise to the paisa ("₹0.50"), more places only when it has them."""
    return with_currency(stated(amount, bare_whole=True), currency)


def rate(amount: Decimal, currency: str, unit: str = "kWh") -> str:
    """A rate with its unit, one way wherever it is written (a tariff's page, a quote
    line's title, an offer's slab): to the paisa, more decimals only when it has them,
    nothing rounded off: "₹18.00/kWh", "₹0.125/kWh", "₹2.00/min"."""
    return f"{with_currency(stated(amount), currency)}/{unit}"


def stated_percent(value: Decimal) -> str:
    """A stated percentage (a GST rate, a threshold, an offer's percent: a setting a person
    typed, in percent) exactly as typed, nothing rounded off, no trailing zero, the sign
    against the digits: 12.25 -> "12.25%", Decimal("20.00") -> "20%", -5 -> "\u22125%".
    Computed figures (a share, a change) are rounded to the page's places instead
    (cpo_portal.formatting.percent)."""
    with localcontext(prec=MAX_PREC):  # exact at any length
        text = f"{value.copy_abs().normalize():f}"
    return f"{MINUS if value < 0 else ''}{text}%"
