"""How numbers and times read to people, everywhere in the product: money with its currency
symbol and Indian digit grouping ("\u2212₹3,161.48"), percentages one way ("20%", "12.5%"), local
times to the minute. A stated rate (a GST rate, a threshold a person typed) reads exactly as
typed ("12.25%", ``stated_percent_of_ratio``); only computed figures are rounded (below).
Pure functions over Decimal and aware datetimes; templates reach them
through the ``cpo_format`` tag library, admin columns and CSVs call them directly.

The precision rule (docs/analytics.md), one place for every page:

- each kind of figure shows a fixed number of places (PLACES): counts are whole (sessions,
  windows, redemptions, and estimated counts such as expected or shifted sessions), money
  to the paisa, ratios (ROI, sessions per window) to two places, kWh to one, percentages
  to one place of the percentage;
- a change or ratio shown beside its figures is computed from those figures *as shown*
  (``change``): 1 against an expected 1.7 shown as "2" is -50 %, never a percentage of
  the unrounded 1.7049;
- a figure is worked out once, by its service, and printed through ``figure`` (or the
  dashboards' ``cell`` filter, which calls it), so it reads the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from cpo_portal.formatting import digits
from cpo_portal.formatting.days import DASH as DASH
from cpo_portal.formatting.days import day as day
from cpo_portal.formatting.digits import MINUS as MINUS
from cpo_portal.formatting.digits import PAISA, stated_percent, with_currency
from cpo_portal.formatting.digits import SYMBOLS as SYMBOLS
from cpo_portal.formatting.digits import indian as indian


def _parts(value: Decimal, places: int) -> tuple[bool, str]:
    """(negative, grouped absolute value) rounded half-up to ``places``."""
    q = Decimal(1).scaleb(-places)
    rounded = value.quantize(q, rounding=ROUND_HALF_UP)
    whole, _, frac = format(abs(rounded), "f").partition(".")
    return rounded < 0, indian(whole) + (f".{frac}" if frac else "")


PLACES = {"int": 0, "money": 2, "ratio": 2, "kwh": 1, "percent": 1, "percent_share": 1}


def shown(value: Decimal | int | float | str | None, kind: str) -> Decimal | None:
    """The value as a page shows it: rounded half-up to its kind's places (a percent kind
    is a ratio, rounded to its kind's places of the percentage)."""
    if value is None:
        return None
    places = PLACES.get(kind, 0) + (2 if kind in ("percent", "percent_share") else 0)
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def change(
    new: Decimal | int | None, old: Decimal | int | None, kind: str = "int"
) -> Decimal | None:
    """new ÷ old - 1 of two figures of `kind`, from the figures as shown (a ratio: 0.125 is
    +12.5 %); None when either is missing or the old one shows as zero or less."""
    a, b = shown(new, kind), shown(old, kind)
    if a is None or b is None or b <= 0:
        return None
    return a / b - 1


def figure(value, kind: str) -> str:
    """A figure as text by its kind, at the places the precision rule gives it."""
    if value is None or value == "":
        return DASH
    if kind == "money":
        return money_text(value)
    if kind in ("percent", "percent_share"):
        return percent_of_ratio(value, signed=kind == "percent")
    if kind in PLACES:
        return number(value, PLACES[kind])
    return str(value)


def number(value: Decimal | int | float | str | None, places: int = 0) -> str:
    if value is None:
        return DASH
    negative, text = _parts(Decimal(str(value)), places)
    return (MINUS if negative else "") + text


def money_text(value: Decimal | int | str | None, currency: str = "INR") -> str:
    """Decimal("-3161.48") -> "\u2212₹3,161.48" (a true minus sign), rounded half-up to the
    paisa; a currency without a symbol by its code: "CHF\u00a011.00" (digits.with_currency)."""
    if value is None:
        return DASH
    return with_currency(Decimal(str(value)).quantize(PAISA, ROUND_HALF_UP), currency)


def money_in_sentence(value: Decimal | int | str | None, currency: str = "INR") -> str:
    """Money inside a sentence: whole amounts without paise ("₹1", "₹1,500"), otherwise to
    the paisa ("₹0.50"), more places only when a rate has them ("₹0.125")."""
    if value is None:
        return DASH
    return digits.in_sentence(Decimal(str(value)), currency)


def rate(value: Decimal | int | str | None, currency: str = "INR", unit: str = "kWh") -> str:
    """A stated rate with its unit, as the tariff pages and the quote's lines write it: to
    the paisa, more decimals only when it has them, nothing rounded off: "₹18.00/kWh",
    "₹0.125/kWh", "₹2.00/min"."""
    if value is None:
        return DASH
    return digits.rate(Decimal(str(value)), currency, unit)


def percent_of_ratio(value: Decimal | float | str | None, *, signed: bool = False) -> str:
    """A ratio as a percentage: 0.2 -> "20%", 0.125 -> "12.5%", signed -> "+12.5%"."""
    if value is None:
        return DASH
    return percent(Decimal(str(value)) * 100, signed=signed)


def percent(value: Decimal | int | float | str | None, *, signed: bool = False) -> str:
    """A number already in percent: 20 -> "20%", Decimal("12.50") -> "12.5%"."""
    if value is None:
        return DASH
    pct = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = format(abs(pct).normalize(), "f")
    sign = MINUS if pct < 0 else ("+" if signed and pct > 0 else "")
    return f"{sign}{text}%"


def stated_percent_of_ratio(value: Decimal | str | None) -> str:
    """A stated rate kept as a ratio (a GST rate 0.1225, an occupancy threshold 0.8) as a
    percentage exactly as typed, as quote titles write it: "12.25%", "80%"
    (digits.stated_percent)."""
    if value is None:
        return DASH
    return stated_percent(Decimal(str(value)) * 100)


def local_time(value: dt.datetime | None, tz: str | ZoneInfo | None = None) -> str:
    """An aware datetime in ``tz`` (default: the active time zone), to the minute:
    "22 Nov 2026, 18:05"."""
    if value is None:
        return DASH
    if tz is not None:
        value = value.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    else:
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%-d %b %Y, %H:%M")
