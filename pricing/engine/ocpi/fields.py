"""Readers for single OCPI JSON values: each returns a typed value or raises OcpiTariffError.

The regexes are the ones the 2.2.1 TariffRestrictions table gives for times and dates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from pricing.engine.ocpi.objects import OcpiTariffError

E = TypeVar("E", bound=StrEnum)

TIME_RE = re.compile(r"([0-1][0-9]|2[0-3]):[0-5][0-9]")
DATE_RE = re.compile(r"([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
# No price, VAT, energy, power, step or duration in a tariff comes near this; larger values
# are refused before any arithmetic (1e300 would overflow the decimal context).
MAX_NUMBER = Decimal("1e9")


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OcpiTariffError(path, f"expected an object, got {type(value).__name__}")
    return value


def reject_unknown(data: dict[str, Any], known: frozenset[str], path: str) -> None:
    """Unknown keys are refused: a misspelt restriction silently ignored would misprice."""
    for key in data:
        if key not in known:
            raise OcpiTariffError(join_path(path, key), "unknown field (not in OCPI 2.2.1)")


def required(data: dict[str, Any], key: str, path: str) -> Any:
    if key not in data or data[key] is None:
        raise OcpiTariffError(join_path(path, key), "is required")
    return data[key]


def number(value: Any, path: str) -> Decimal:
    """A JSON number as Decimal. Floats go through their shortest repr, so 0.1 stays 0.1."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise OcpiTariffError(path, f"expected a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise OcpiTariffError(path, f"expected a finite number, got {value!r}")
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - Decimal input already valid
        raise OcpiTariffError(path, f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise OcpiTariffError(path, f"expected a finite number, got {value!r}")
    if result < 0:
        raise OcpiTariffError(path, f"must be >= 0, got {result}")
    if result > MAX_NUMBER:
        raise OcpiTariffError(path, f"must be at most {MAX_NUMBER:f}")
    return result


def integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OcpiTariffError(path, f"expected an integer, got {value!r}")
    if value < 0:
        raise OcpiTariffError(path, f"must be >= 0, got {value}")
    if value > MAX_NUMBER:
        raise OcpiTariffError(path, f"must be at most {MAX_NUMBER:f}")
    return value


def string(value: Any, path: str, *, max_len: int, exact_len: int | None = None) -> str:
    if not isinstance(value, str) or not value:
        raise OcpiTariffError(path, f"expected a non-empty string, got {value!r}")
    if exact_len is not None and len(value) != exact_len:
        raise OcpiTariffError(path, f"must be {exact_len} characters, got {value!r}")
    if len(value) > max_len:
        raise OcpiTariffError(path, f"longer than {max_len} characters")
    if not value.isascii() or not value.isprintable():
        raise OcpiTariffError(path, f"must be printable ASCII, got {value!r}")
    return value


def currency(value: Any, path: str) -> str:
    text = string(value, path, max_len=3, exact_len=3)
    if not CURRENCY_RE.fullmatch(text):
        raise OcpiTariffError(path, f"expected an ISO-4217 code like 'EUR', got {text!r}")
    return text


def enum(kind: type[E], value: Any, path: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise OcpiTariffError(path, f"unknown value {value!r}; expected one of {allowed}") from None


def time_of_day(value: Any, path: str) -> dt.time:
    if not isinstance(value, str) or not TIME_RE.fullmatch(value):
        raise OcpiTariffError(path, f"expected a time 'HH:MM' (24h, leading zeros), got {value!r}")
    return dt.time(int(value[:2]), int(value[3:]))


def date(value: Any, path: str) -> dt.date:
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise OcpiTariffError(path, f"expected a date 'YYYY-MM-DD', got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise OcpiTariffError(path, f"no such date: {value!r}") from None


def datetime(value: Any, path: str) -> dt.datetime:
    """RFC 3339; OCPI timestamps are UTC and a missing designator means UTC."""
    if not isinstance(value, str):
        raise OcpiTariffError(path, f"expected an RFC 3339 timestamp, got {value!r}")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise OcpiTariffError(path, f"not an RFC 3339 timestamp: {value!r}") from None
    if "T" not in text.upper():
        raise OcpiTariffError(path, f"timestamp needs a time part: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    """OCPI DateTime (string(25)): UTC with 'Z', to the millisecond when there is one
    (24 characters; a date_from pull compares at that precision), else to the second."""
    at = value.astimezone(dt.UTC).replace(tzinfo=None)
    return at.isoformat(timespec="milliseconds" if at.microsecond >= 1000 else "seconds") + "Z"


def format_number(value: Decimal) -> int | float:
    """JSON numbers for OCPI: ints stay ints; others become floats (exact up to 15 digits)."""
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def json_number(value: Decimal, path: str) -> int | float:
    """format_number, refusing values a JSON number (a double) would not carry exactly."""
    out = format_number(value)
    if Decimal(repr(out)) != value:
        raise OcpiTariffError(path, f"{value} has more digits than a JSON number keeps exactly")
    return out
