"""OCPI 2.2.1 CDR objects for the tests: one valid CDR at a given station and charger."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

START = dt.datetime(2026, 3, 2, 4, 30, tzinfo=dt.UTC)  # 10:00 in Asia/Kolkata


def when(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cdr(
    cdr_id: str,
    location: str,
    evse: str,
    *,
    start: dt.datetime = START,
    minutes: int = 40,
    kwh: str = "10",
    excl: str = "190.00",
    incl: str | None = "224.20",
    party: tuple[str, str] = ("IN", "CPO"),
    token: tuple[str, str, str] = ("NL", "EMS", "RFID"),
) -> dict[str, Any]:
    end = start + dt.timedelta(minutes=minutes)
    cost: dict[str, Any] = {"excl_vat": Decimal(excl)}
    if incl is not None:
        cost["incl_vat"] = Decimal(incl)
    return {
        "country_code": party[0],
        "party_id": party[1],
        "id": cdr_id,
        "start_date_time": when(start),
        "end_date_time": when(end),
        "cdr_token": {"country_code": token[0], "party_id": token[1], "uid": "012345678",
                      "type": token[2], "contract_id": f"{token[0]}-{token[1]}-C12345678"},
        "auth_method": "WHITELIST",
        "cdr_location": {
            "id": location, "address": "1 Ring Road", "city": "New Delhi", "country": "IND",
            "coordinates": {"latitude": "28.613900", "longitude": "77.209000"},
            "evse_uid": evse, "evse_id": f"IN*CPO*E{evse}", "connector_id": "1",
            "connector_standard": "IEC_62196_T2", "connector_format": "SOCKET",
            "connector_power_type": "AC_3_PHASE",
        },
        "currency": "INR",
        "charging_periods": [{"start_date_time": when(start),
                              "dimensions": [{"type": "ENERGY", "volume": Decimal(kwh)}]}],
        "total_cost": cost,
        "total_energy": Decimal(kwh),
        "total_time": Decimal(minutes) / 60,
        "last_updated": when(end),
    }  # fmt: skip


def dumps(data: Any) -> str:
    return json.dumps(data, default=str_number)


def written(data: Any, numbers: dict[str, str]) -> str:
    """The CDR's JSON text with each placeholder string (a key of `numbers`) written as the
    number it maps to, digit for digit (dumps writes a Decimal through a float)."""
    text = dumps(data)
    for placeholder, number in numbers.items():
        assert f'"{placeholder}"' in text, placeholder
        text = text.replace(f'"{placeholder}"', number)
    return text


def str_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


# Numbers no float holds digit for digit: more digits than a double's 17, a trailing zero,
# and 0.1 + 0.2 written out further than a double would.
EXACT = {
    "@kwh": "12.3456789012345678",
    "@excl": "232.210",
    "@incl": "274.0100",
    "@hours": "0.30000000000000000444",
}


def exact_cdr(cdr_id: str = "C1") -> str:
    sent = cdr(cdr_id, "cpo1-st-000", "cpo1-ch-000")
    sent["total_energy"] = "@kwh"
    sent["charging_periods"][0]["dimensions"] = [
        {"type": "ENERGY", "volume": "@kwh"}, {"type": "TIME", "volume": "@hours"},
    ]  # fmt: skip
    sent["total_cost"] = {"excl_vat": "@excl", "incl_vat": "@incl"}
    return written(sent, EXACT)


def digits(data: dict) -> dict[str, str]:
    """The EXACT numbers of a CDR (parsed with Decimals), as written."""
    period = data["charging_periods"][0]["dimensions"]
    return {
        "@kwh": str(data["total_energy"]),
        "@excl": str(data["total_cost"]["excl_vat"]),
        "@incl": str(data["total_cost"]["incl_vat"]),
        "@hours": str(period[1]["volume"]),
    }
