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


def str_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))
