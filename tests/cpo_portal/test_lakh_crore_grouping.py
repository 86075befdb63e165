"""Money and numbers read as they did when the product grouped digits by hand: Babel's en_IN
(lakh and crore) groups them now, on the pages (cpo_portal.formatting) and in the quote
engine's words (pricing.engine.text). The hand-written grouping and symbols live on here
only as the oracle. A currency without a symbol is written by its code before the amount,
on the pages and in the engine alike (cpo_portal.formatting.digits.with_currency)."""

from __future__ import annotations

from decimal import MAX_PREC, ROUND_HALF_UP, Decimal, localcontext

import pycountry
from hypothesis import given
from hypothesis import strategies as st

from cpo_portal import formatting
from pricing.engine import text
from pricing.engine.types import ChargeForm

MINUS, NBSP = "\u2212", "\u00a0"
OLD_SYMBOLS = {"INR": "₹", "EUR": "€", "USD": "$", "GBP": "£"}
# The four written by symbol, one Babel writes another way (JPY: JP¥), one it has no symbol
# for (AED), and one that is no ISO currency.
CURRENCIES = st.sampled_from(["INR", "EUR", "USD", "GBP", "JPY", "AED", "CHF", "ZZZ"])
# Zero, below a thousand, lakhs, crores, and past the 28 digits of Decimal's default context.
WHOLE = st.one_of(
    st.integers(0, 999),
    st.integers(1_000, 10**9),
    st.integers(0, 10**40),
    st.sampled_from([10**5, 10**7, 10**12, 10**14 - 1, 10**28, 10**29 + 7]),
)
AMOUNTS = st.one_of(
    st.builds(lambda paise: Decimal(paise).scaleb(-2), st.integers(-(10**12), 10**12)),
    st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**9), max_value=10**9, places=5),
)


def old_indian(digits: str) -> str:
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups) + "," + tail


def old_number(value: Decimal, places: int) -> tuple[str, str]:
    """(sign, grouped absolute value) as the pages wrote them."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, frac = format(abs(rounded), "f").partition(".")
    return (MINUS if rounded < 0 else ""), old_indian(whole) + (f".{frac}" if frac else "")


@given(WHOLE)
def test_digits_are_grouped_in_lakhs_and_crores_as_before(whole):
    digits = str(whole)
    assert formatting.indian(digits) == old_indian(digits)


@given(AMOUNTS, st.integers(0, 4))
def test_a_number_reads_as_before(value, places):
    sign, body = old_number(value, places)
    assert formatting.number(value, places) == sign + body
    assert formatting.figure(value, "kwh") == "".join(old_number(value, 1))


@given(AMOUNTS, CURRENCIES)
def test_money_reads_as_before(value, currency):
    sign, body = old_number(value, 2)
    expected = sign + OLD_SYMBOLS.get(currency, currency + NBSP) + body
    assert formatting.money_text(value, currency) == expected


@given(AMOUNTS, CURRENCIES)
def test_money_in_a_sentence_reads_as_before(value, currency):
    places = 0 if value == value.to_integral_value() else 2
    with localcontext(prec=MAX_PREC):  # every digit the value has, past Decimal's 28
        if value != value.quantize(Decimal("0.01")):
            places = max(2, -value.normalize().as_tuple().exponent)
        sign, body = old_number(value, places)
    expected = sign + OLD_SYMBOLS.get(currency, currency + NBSP) + body
    assert formatting.money_in_sentence(value, currency) == expected


@given(
    st.sampled_from([ChargeForm.FLAT, ChargeForm.PER_KWH]),
    st.one_of(AMOUNTS, st.builds(Decimal, WHOLE)),
    CURRENCIES,
)
def test_a_surge_amount_reads_as_before(form, amount, currency):
    with localcontext(prec=MAX_PREC):  # every digit the amount has, past Decimal's 28
        whole, _, decimals = f"{amount.copy_abs().normalize():f}".partition(".")
    expected = MINUS if amount < 0 else ""
    expected += OLD_SYMBOLS.get(currency, currency + NBSP) + old_indian(whole)
    if decimals:
        expected += "." + decimals.ljust(2, "0")
    if form == ChargeForm.PER_KWH:
        expected += "/kWh"
    assert text.surge_amount(form, amount, currency) == expected


def test_every_currency_is_written_as_before():
    """Babel's en_IN symbols are the four the product wrote by hand; every other currency is
    still written by its code (Babel has symbols for some: JP¥, A$, ₩)."""
    for code in [c.alpha_3 for c in pycountry.currencies]:
        written = OLD_SYMBOLS.get(code, code + NBSP)
        assert formatting.money_text(Decimal("1234.5"), code) == f"{written}1,234.50", code
        assert text.rate(Decimal("18"), code) == f"{written}18.00/kWh", code
