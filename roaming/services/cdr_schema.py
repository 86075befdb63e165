"""An OCPI 2.2.1 CDR (mod_cdrs) as we accept it: the JSON Schema of the fields we read,
and the typed record a valid CDR becomes.

A CDR is refused with one sentence that says where and why (`CdrRefused`): the first
schema error (the compiled `jsonschema-rs` validator answers yes or no; `jsonschema`
words the refusal), then the rules a schema cannot state (the end after the start, the
amount with VAT not below the amount without). Money is read as Decimal: the caller
parses JSON with `parse_float=Decimal` (`loads`), so no amount passes through a float.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

TOKEN_TYPES = ["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]
AUTH_METHODS = ["AUTH_REQUEST", "COMMAND", "WHITELIST"]
DIMENSIONS = [
    "CURRENT", "ENERGY", "ENERGY_EXPORT", "ENERGY_IMPORT", "MAX_CURRENT", "MIN_CURRENT",
    "MAX_POWER", "MIN_POWER", "PARKING_TIME", "POWER", "RESERVATION_TIME", "STATE_OF_CHARGE",
    "TIME",
]  # fmt: skip
# OCPI DateTime: UTC, "Z" optional, fractions of a second allowed.
DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z?$"


def _text(limit: int, pattern: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": limit}
    if pattern:
        out["pattern"] = pattern
    return out


_AMOUNT = {"type": "number", "minimum": 0}
_PRICE = {
    "type": "object",
    "required": ["excl_vat"],
    "properties": {"excl_vat": _AMOUNT, "incl_vat": _AMOUNT},
}
_WHEN = {"type": "string", "pattern": DATETIME}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "country_code",
        "party_id",
        "id",
        "start_date_time",
        "end_date_time",
        "cdr_token",
        "auth_method",
        "cdr_location",
        "currency",
        "charging_periods",
        "total_cost",
        "total_energy",
        "total_time",
        "last_updated",
    ],
    "properties": {
        "country_code": _text(2, r"^[A-Z]{2}$"),
        "party_id": _text(3, r"^[A-Z0-9]{3}$"),
        "id": _text(39),
        "start_date_time": _WHEN,
        "end_date_time": _WHEN,
        "session_id": _text(36),
        "cdr_token": {
            "type": "object",
            "required": ["country_code", "party_id", "uid", "type", "contract_id"],
            "properties": {
                "country_code": _text(2),
                "party_id": _text(3),
                "uid": _text(36),
                "type": {"enum": TOKEN_TYPES},
                "contract_id": _text(36),
            },
        },
        "auth_method": {"enum": AUTH_METHODS},
        "authorization_reference": _text(36),
        "cdr_location": {
            "type": "object",
            "required": [
                "id",
                "address",
                "city",
                "country",
                "coordinates",
                "evse_uid",
                "evse_id",
                "connector_id",
                "connector_standard",
                "connector_format",
                "connector_power_type",
            ],
            "properties": {
                "id": _text(36),
                "address": {"type": "string", "maxLength": 45},
                "city": {"type": "string", "maxLength": 45},
                "country": _text(3),
                "coordinates": {
                    "type": "object",
                    "required": ["latitude", "longitude"],
                    "properties": {
                        "latitude": {"type": "string", "maxLength": 10},
                        "longitude": {"type": "string", "maxLength": 11},
                    },
                },
                "evse_uid": _text(36),
                "evse_id": _text(48),
                "connector_id": _text(36),
                "connector_format": {"enum": ["SOCKET", "CABLE"]},
                "connector_power_type": {
                    "enum": ["AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC"]
                },
            },
        },
        "currency": _text(3, r"^[A-Z]{3}$"),
        "charging_periods": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["start_date_time", "dimensions"],
                "properties": {
                    "start_date_time": _WHEN,
                    "dimensions": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["type", "volume"],
                            "properties": {
                                "type": {"enum": DIMENSIONS},
                                "volume": {"type": "number"},
                            },
                        },
                    },
                    "tariff_id": _text(36),
                },
            },
        },
        "total_cost": _PRICE,
        "total_energy": _AMOUNT,
        "total_time": _AMOUNT,
        "last_updated": _WHEN,
    },
}


class CdrRefused(ValueError):
    """A CDR we do not take, and why (one sentence, for a line of a report or an OCPI
    error)."""


@dataclass(frozen=True, slots=True)
class CdrRecord:
    """A valid CDR: what we read of it, typed, and the object itself as received."""

    country_code: str
    party_id: str
    cdr_id: str
    location_id: str
    evse_uid: str
    start: dt.datetime
    end: dt.datetime
    energy_kwh: Decimal
    currency: str
    charged_excl_vat: Decimal
    charged_incl_vat: Decimal | None
    token_country_code: str
    token_party_id: str
    token_type: str
    token_uid: str
    data: dict[str, Any]


@cache
def _validators() -> tuple[Any, Draft202012Validator]:
    return jsonschema_rs.validator_for(SCHEMA), Draft202012Validator(SCHEMA)


def loads(text: str | bytes) -> Any:
    """JSON with every non-integer number a Decimal. Raises CdrRefused on bad JSON."""
    try:
        return json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise CdrRefused(f"not JSON ({exc})") from None


def when(text: str) -> dt.datetime:
    """An OCPI DateTime (UTC, 'Z' optional), aware."""
    return dt.datetime.fromisoformat(text.removesuffix("Z")[:26]).replace(tzinfo=dt.UTC)


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "".join(parts).lstrip(".") or "the CDR"


def schema_problem(data: Any) -> str | None:
    """None for a CDR the schema accepts, else where and what is wrong."""
    fast, reference = _validators()
    if fast.is_valid(data):
        return None
    error = best_match(reference.iter_errors(data))
    if error is None:  # the two validators disagree: the reference's verdict counts
        return None
    return f"{_where(error.absolute_path)}: {error.message}"


def read(data: Any) -> CdrRecord:
    """The record of a CDR, or CdrRefused saying why not."""
    problem = schema_problem(data)
    if problem is not None:
        raise CdrRefused(problem)
    try:
        start, end = when(data["start_date_time"]), when(data["end_date_time"])
    except ValueError:
        raise CdrRefused("start_date_time or end_date_time is not a date and time") from None
    if end < start:
        raise CdrRefused("end_date_time is before start_date_time")
    cost = data["total_cost"]
    excl, incl = Decimal(cost["excl_vat"]), cost.get("incl_vat")
    if incl is not None and Decimal(incl) < excl:
        raise CdrRefused("total_cost.incl_vat is less than total_cost.excl_vat")
    token, location = data["cdr_token"], data["cdr_location"]
    return CdrRecord(
        country_code=data["country_code"],
        party_id=data["party_id"],
        cdr_id=data["id"],
        location_id=location["id"],
        evse_uid=location["evse_uid"],
        start=start,
        end=end,
        energy_kwh=Decimal(data["total_energy"]),
        currency=data["currency"],
        charged_excl_vat=excl,
        charged_incl_vat=None if incl is None else Decimal(incl),
        token_country_code=token["country_code"],
        token_party_id=token["party_id"],
        token_type=token["type"],
        token_uid=token["uid"],
        data=data,
    )
