"""Value rules every app's models share: currencies, money magnitudes, plain text, OCPI ids.

Models attach these as field validators (so `full_clean()` on any write path refuses a
bad value with a message naming the field) and, where the rule fits in SQL, the same
bound as a CHECK constraint (so a path that skips `full_clean()` still cannot store it).

Money bounds are in the currency's major unit (rupees for INR). They are far above any
real price, so they only refuse typing slips and hostile input, and they keep every sum
the quote engine makes (a rate times at most MAX_SESSION_KWH, plus fees) inside the
12-digit amount columns:

| what                                        | bound                |
|---------------------------------------------|----------------------|
| a rate per kWh or per minute (`rate_per_*`) | 0 to MAX_RATE        |
| a single amount (fee, price, discount)      | 0 to MAX_AMOUNT      |
| an offer's money budget                     | 0 to MAX_BUDGET      |
| a tax rate, a share (`share`)               | 0 to 1 (18% is 0.18) |
| a percentage                                | 0 to 100             |
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Left, Lower

from . import years

ZERO = Decimal("0")
# What an integer column (a primary key, a count) of every supported database holds:
# SQLite cannot even bind a Python int beyond it.
INTEGERS = range(-(2**63), 2**63)
BIGGEST_ID = INTEGERS[-1]
MAX_RATE = Decimal("10000")
MAX_AMOUNT = Decimal("10000000")
MAX_BUDGET = Decimal("1000000000")
HUNDRED = Decimal("100")

# ISO 4217 lists some codes that are not money a session can be priced in: precious
# metals, bond-market units, the SDR, the testing code and "no currency".
NOT_MONEY = frozenset(
    {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_MONEY


def currency_code(value: str) -> None:
    """An active ISO 4217 currency code (the list pycountry ships, from Debian's iso-codes)."""
    if value not in CURRENCIES:
        raise ValidationError(
            "%(value)r is not an ISO 4217 currency code; use one like INR.",
            code="currency",
            params={"value": value},
        )


def within_years(value: dt.date) -> None:
    """A date, or a date-time, the product takes (cpo_portal.db.years): typed, imported or
    received, a year 1 or 9999 is a slip, and a zone carries it past what Python holds."""
    if years.outside(value):
        raise ValidationError(f"Give a date {years.SPAN}.", code="years")


def no_control_characters(value: str) -> None:
    """Text shown to people or stored as a code holds no NUL, tab, newline or other
    control character (PostgreSQL cannot even store a NUL)."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError("Remove control characters (NUL, tab, line breaks).", code="control")


def no_control_characters_but_lines(value: str) -> None:
    """The same for text of several lines (descriptions, notes): tabs and line breaks are
    allowed, NUL and the other control characters are not."""
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in value):
        raise ValidationError(
            "Remove control characters (NUL and other invisible characters).", code="control"
        )


# An OCPI object's id (a location's, EVSE's, connector's, tariff's; a CDR's, its session's,
# token's): a CiString, printable ASCII, that OCPI also puts in URL paths
# (/locations/{location_id}/{evse_uid}/{connector_id}, /tariffs/...), so one a partner can
# write into a URL as it is: letters, digits and the marks RFC 3986 allows in a path segment
# unescaped. No space, control character or non-ASCII; no / ? # %. What we publish
# (Connector.connector_id) and what we take (roaming.services.cdr_rules) are held to it.
OCPI_ID_MARKS = "-._~!$&'()*+,;=:@"
OCPI_ID = re.compile(f"[A-Za-z0-9{re.escape(OCPI_ID_MARKS)}]+")
OCPI_ID_RULE = (
    f"an OCPI id is ASCII letters, digits and {OCPI_ID_MARKS} only "
    "(a CiString a URL carries as it is)"
)


def quoted(text: str) -> str:
    """`text` as JSON writes it ("C/1", "\\u001b"), as every message shows a value
    (cpo_portal.web.schema_errors.shown), never as Python's repr ('C/1')."""
    return json.dumps(text, ensure_ascii=False)


def ocpi_id_flaw(value: str) -> str | None:
    """None when `value` is an OCPI id (OCPI_ID matched whole: `$` would let a final line
    break through); otherwise what is wrong, naming the first character it cannot hold:
    'holds a space', 'holds "/"', 'is empty'."""
    if OCPI_ID.fullmatch(value):
        return None
    odd = next((c for c in value if not OCPI_ID.fullmatch(c)), None)
    if odd is None:
        return "is empty"
    return f"holds {'a space' if odd == ' ' else quoted(odd)}"


def ocpi_id_problem(value: str) -> str | None:
    """The refusal of a value that is not an OCPI id, in one sentence: '"Type 2" holds a
    space: an OCPI id is ASCII letters, digits and ... only (...)'; None for an id."""
    flaw = ocpi_id_flaw(value)
    return None if flaw is None else f"{quoted(value)} {flaw}: {OCPI_ID_RULE}"


def ocpi_object_id(value: str) -> None:
    """A field published as an OCPI object's id holds one (ocpi_id_problem)."""
    problem = ocpi_id_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="ocpi_id")


# OCPI 2.2.1's ids are CiString(36). A code may be longer (64): a station, a charger or a
# tariff is published under its code's first OCPI_ID_LENGTH characters (Location.id,
# EVSE.uid, Tariff.id), and a CDR names it so. A CiString is compared ignoring case, so
# "ST-1" and "st-1" are one id to a partner: two codes whose ids are one (ocpi_key) would
# publish one object, and ocpi_id_unique refuses the second.
OCPI_ID_LENGTH = 36


def ocpi_id_of(code: str) -> str:
    """The OCPI id a code is published under."""
    return code[:OCPI_ID_LENGTH]


def ocpi_key(code: str) -> str:
    """What an OCPI id (or the code published as one) is compared by: its first
    OCPI_ID_LENGTH characters, ignoring case (OCPI's CiString). Two codes with one key are one
    object to a partner. Codes and OCPI ids are ASCII, so Python's lower() and the
    database's LOWER() (ocpi_key_sql) agree."""
    return ocpi_id_of(code).lower()


def ocpi_key_sql(field: str = "code") -> Lower:
    """ocpi_key of a code column, in SQL."""
    return Lower(Left(field, OCPI_ID_LENGTH))


def ocpi_id_unique(*scope: str, name: str, what: str, id_name: str) -> models.UniqueConstraint:
    """One OCPI id per object in `scope` (the fields OCPI needs it unique within): no two
    codes share one ocpi_key (their first OCPI_ID_LENGTH characters, ignoring case). `what`
    names the object ("station"), `id_name` the OCPI id ("location id"); full_clean()
    refuses in these words."""
    return models.UniqueConstraint(
        *scope,
        ocpi_key_sql("code"),
        name=name,
        violation_error_message=(
            f"Roaming partners see only a code's first {OCPI_ID_LENGTH} characters (its "
            f"OCPI {id_name}) and ignore their case, and another {what} of this operator has "
            f"a code with the same first {OCPI_ID_LENGTH} characters, ignoring case: change "
            f"this code within its first {OCPI_ID_LENGTH}."
        ),
    )


class RateAtMost(MaxValueValidator):
    """The top of a rate (MAX_RATE) and what the rate is per: `unit` is "kWh" or "min". It
    marks the field as a rate per that unit, which the change log writes with its unit
    ("₹18.00/kWh", cpo_portal.changes.wording)."""

    def __init__(self, limit_value, message=None, *, unit: str) -> None:
        super().__init__(limit_value, message)
        self.unit = unit

    def __eq__(self, other):
        same = super().__eq__(other)
        return same if same is not True else self.unit == other.unit


non_negative = MinValueValidator(ZERO, "Must not be negative.")


def _rate(unit: str) -> list[BaseValidator]:
    return [non_negative, RateAtMost(MAX_RATE, "At most %(limit_value)s per unit.", unit=unit)]


rate_per_kwh = _rate("kWh")
rate_per_minute = _rate("min")
amount = [non_negative, MaxValueValidator(MAX_AMOUNT, "At most %(limit_value)s.")]
budget = [non_negative, MaxValueValidator(MAX_BUDGET, "At most %(limit_value)s.")]


class ShareAtMost(MaxValueValidator):
    """The top of a share stored as a fraction (1, that is 100 %). It marks the field as a
    share, which forms type and show in percent (cpo_portal.formatting.number_inputs) and the change
    log writes in percent (cpo_portal.changes.wording)."""


def share(name: str) -> list[BaseValidator]:
    """A share stored as a fraction (0.18 for 18 %), 0 to 1, refused in percent and by its
    name, the same words in the admin, in documents and in imports."""
    message = f"{name} must be between 0%% and 100%%."
    return [MinValueValidator(ZERO, message), ShareAtMost(Decimal("1"), message)]


def is_share(validators) -> bool:
    return any(isinstance(v, ShareAtMost) for v in validators)


gst = share("GST")
percent = [non_negative, MaxValueValidator(HUNDRED, "A percentage is at most 100.")]
