"""An OCPI 2.2.1 CDR (mod_cdrs) as we accept it: the JSON Schema of the fields we read,
with the bounds of every value, and the typed record a valid CDR becomes.

A CDR is refused with one sentence that says where and why (`CdrRefused`), checked as a
Beckn message is:
  - its text (`loads`): at most MAX_CDR_BYTES, JSON within cpo_portal.web.jsonlimits (no NaN
    or Infinity, no number out of range or of more than 100 characters, no NUL or unpaired
    surrogate in any string);
  - the first schema error (the compiled `jsonschema-rs` validator answers yes or no;
    `jsonschema` finds the error, cpo_portal.web.schema_errors words it as the Beckn
    intake does: `total_cost.excl_vat: -447.22 is less than the minimum of 0`): types,
    lengths, and the bounds of every number we read (energy at most MAX_SESSION_KWH,
    money at most MAX_MONEY, total_time at most MAX_SESSION);
  - the rules a schema cannot state: every id one a partner can write into a URL
    (cdr_rules.id_problem), every date and time between EARLIEST and a day after now, the
    end after the start and at most MAX_SESSION later, the charging periods' ENERGY adding
    up to total_energy (cdr_rules.energy_problem), the amount with VAT not below the
    amount without.
The charger's power bounds the energy too, and the operator's currency the CDR's
(roaming.services.cdr_intake, which knows the charger and the operator). Numbers are read
as Decimal (`loads` parses with decimals), so no amount passes through a float, and the
CDR is kept as received with its numbers' own digits (ReceivedCdr.data).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from cpo_portal.web import jsonlimits
from cpo_portal.web.schema_errors import describe, problems, shown
from pricing.engine import MAX_SESSION_KWH

from . import parties
from .cdr_rules import credit_problem, energy_problem, id_problem

TOKEN_TYPES = ["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]
AUTH_METHODS = ["AUTH_REQUEST", "COMMAND", "WHITELIST"]
DIMENSIONS = [
    "CURRENT", "ENERGY", "ENERGY_EXPORT", "ENERGY_IMPORT", "MAX_CURRENT", "MIN_CURRENT",
    "MAX_POWER", "MIN_POWER", "PARKING_TIME", "POWER", "RESERVATION_TIME", "STATE_OF_CHARGE",
    "TIME",
]  # fmt: skip
# OCPI DateTime: UTC, "Z" optional, fractions of a second allowed.
DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z?$"
MAX_CDR_BYTES = 64 * 1024  # one CDR, as JSON: a real one is 1-4 kB
MAX_DEPTH = 10  # a CDR needs 4 (charging_periods[].dimensions[]), 6 with its tariffs
MAX_SESSION = dt.timedelta(hours=72)
MAX_MONEY = 10_000_000  # total_cost, in the CDR's currency
MAX_VOLUME = 1_000_000  # a charging period's dimension (kWh, A, kW, hours, %)
EARLIEST = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)  # before any OCPI charging system
LATEST_AHEAD = dt.timedelta(days=1)  # clocks differ; a CDR is of a session that ended


def _text(limit: int, pattern: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": limit}
    if pattern:
        out["pattern"] = pattern
    return out


_MONEY = {"type": "number", "minimum": 0, "maximum": MAX_MONEY}
_PRICE = {
    "type": "object",
    "required": ["excl_vat"],
    "properties": {"excl_vat": _MONEY, "incl_vat": _MONEY},
}
_WHEN = {"type": "string", "pattern": DATETIME}
_HOUR = dt.timedelta(hours=1)

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
        # CiString: compared ignoring case, so taken in either case and kept upper-cased
        "country_code": _text(2, f"^{parties.COUNTRY_CODE}$"),
        "party_id": _text(3, f"^{parties.PARTY_ID}$"),
        "id": _text(39),
        "start_date_time": _WHEN,
        "end_date_time": _WHEN,
        "session_id": _text(36),
        "cdr_token": {
            "type": "object",
            "required": ["country_code", "party_id", "uid", "type", "contract_id"],
            "properties": {
                "country_code": _text(2, f"^{parties.COUNTRY_CODE}$"),
                "party_id": _text(3, f"^{parties.PARTY_ID}$"),
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
                                "volume": {"type": "number", "minimum": 0, "maximum": MAX_VOLUME},
                            },
                        },
                    },
                    "tariff_id": _text(36),
                },
            },
        },
        "total_cost": _PRICE,
        "total_energy": {"type": "number", "minimum": 0, "maximum": int(MAX_SESSION_KWH)},
        "total_time": {"type": "number", "minimum": 0, "maximum": MAX_SESSION // _HOUR},
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


def loads(text: str | bytes, max_bytes: int = MAX_CDR_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """JSON within the limits (cpo_portal.web.jsonlimits), every non-integer number a Decimal:
    one CDR (at most MAX_CDR_BYTES), or with `max_bytes` a file of them. Raises CdrRefused
    with the reason."""
    what = "CDR" if max_bytes == MAX_CDR_BYTES else "file"
    try:
        return jsonlimits.loads(text, max_bytes=max_bytes, max_depth=max_depth, decimals=True)
    except jsonlimits.JsonLimitError as exc:
        raise CdrRefused(f"the {what} is {exc}") from None
    except ValueError as exc:
        raise CdrRefused(jsonlimits.not_json(exc)) from None
    except RecursionError:
        raise CdrRefused(f"the {what} is nested too deeply") from None


def loads_file(text: str | bytes) -> Any:
    """A file of CDRs (a JSON array): each CDR is then bounded by `read`."""
    return loads(text, max_bytes=sys.maxsize, max_depth=MAX_DEPTH + 1)


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
    for problem in problems(error):  # a required property: the first one missing
        return f"{_where(problem.path)}: {problem.text}"
    return f"{_where(error.absolute_path)}: {describe(error)}"


def read(data: Any) -> CdrRecord:
    """The record of a CDR, or CdrRefused saying why not."""
    _check_size(data)
    problem = credit_problem(data) or schema_problem(data) or id_problem(data)
    if problem is not None:
        raise CdrRefused(problem)
    start, end = _moment(data, "start_date_time"), _moment(data, "end_date_time")
    _moment(data, "last_updated")
    for n, period in enumerate(data["charging_periods"]):
        _moment(period, "start_date_time", f"charging_periods[{n}].")
    if end < start:
        raise CdrRefused("end_date_time is before start_date_time")
    if end - start > MAX_SESSION:
        raise CdrRefused(
            f"the session lasts {_hours(end - start)} hours (end_date_time - start_date_time): "
            f"more than the {_hours(MAX_SESSION)} hours any session lasts"
        )
    _check_within(data, start, end)
    energy = _finite(data["total_energy"], "total_energy")
    problem = energy_problem(data, energy)
    if problem is not None:
        raise CdrRefused(problem)
    cost = data["total_cost"]
    excl, incl = _finite(cost["excl_vat"], "total_cost.excl_vat"), cost.get("incl_vat")
    if incl is not None and _finite(incl, "total_cost.incl_vat") < excl:
        raise CdrRefused("total_cost.incl_vat is less than total_cost.excl_vat")
    if incl is not None and Decimal(incl) > 2 * excl:  # a tax rate is at most 100 %
        raise CdrRefused(
            "total_cost.incl_vat is more than twice total_cost.excl_vat: a tax of more than 100%"
        )
    token, location = data["cdr_token"], data["cdr_location"]
    return CdrRecord(
        country_code=data["country_code"].upper(),
        party_id=data["party_id"].upper(),
        cdr_id=data["id"],
        location_id=location["id"],
        evse_uid=location["evse_uid"],
        start=start,
        end=end,
        energy_kwh=energy,
        currency=data["currency"],
        charged_excl_vat=excl,
        charged_incl_vat=None if incl is None else Decimal(incl),
        token_country_code=token["country_code"],
        token_party_id=token["party_id"],
        token_type=token["type"],
        token_uid=token["uid"],
        data=data,
    )


def _check_size(data: Any) -> None:
    """A CDR given as parsed JSON (an item of an array, or a caller's) within the limits
    its text would have had to meet."""
    try:
        jsonlimits.check_strings(data)
        size = len(json.dumps(data, default=str, ensure_ascii=False).encode())
    except jsonlimits.JsonLimitError as exc:
        raise CdrRefused(f"the CDR is {exc}") from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise CdrRefused(f"the CDR is not JSON ({exc})") from None
    if size > MAX_CDR_BYTES:
        raise CdrRefused(f"the CDR is larger than {MAX_CDR_BYTES:,} bytes ({size:,})")
    if jsonlimits.value_depth(data, stop=MAX_DEPTH) > MAX_DEPTH:
        raise CdrRefused(f"the CDR is nested more than {MAX_DEPTH} levels deep")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _moment(data: dict[str, Any], name: str, where: str = "") -> dt.datetime:
    """A date and time of the CDR, within EARLIEST and a day after now."""
    try:
        moment = when(data[name])
    except ValueError:
        raise CdrRefused(f"{where}{name} {shown(data[name])} is not a date and time") from None
    latest = now() + LATEST_AHEAD
    if not EARLIEST <= moment <= latest:
        raise CdrRefused(
            f"{where}{name} {shown(data[name])} is not between {EARLIEST:%Y-%m-%d} and a day "
            "from now"
        )
    return moment


def _check_within(data: dict[str, Any], start: dt.datetime, end: dt.datetime) -> None:
    """The session's parts lie inside it: its charging periods start within it, and its
    total_time (hours, parking included) is not longer than it (a minute's rounding aside)."""
    for n, period in enumerate(data["charging_periods"]):
        if not start <= when(period["start_date_time"]) <= end:
            raise CdrRefused(
                f"charging_periods[{n}].start_date_time is outside the session "
                "(start_date_time to end_date_time)"
            )
    took = Decimal(str(data["total_time"])) * 3600
    if took > Decimal((end - start).total_seconds()) + 60:
        raise CdrRefused(
            f"total_time ({_hours(dt.timedelta(seconds=float(took)))} hours) is longer than "
            f"the session ({_hours(end - start)} hours, end_date_time - start_date_time)"
        )


def _finite(value: Any, name: str) -> Decimal:
    number = Decimal(value)
    if not number.is_finite():
        raise CdrRefused(f"{name} is not a finite number")
    return number


def _hours(delta: dt.timedelta) -> str:
    return f"{delta / _HOUR:,.1f}".removesuffix(".0")
