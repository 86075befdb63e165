"""Small builders so each spec example reads like its bullet list in mod_tariffs.asciidoc."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pricing.engine.ocpi import OcpiTariff, parse_tariff

BERLIN = ZoneInfo("Europe/Berlin")


def tariff(*elements: dict[str, Any], **extra: Any) -> OcpiTariff:
    data: dict[str, Any] = {
        "country_code": "DE",
        "party_id": "ALL",
        "id": "12",
        "currency": "EUR",
        "elements": list(elements),
        "last_updated": "2018-12-17T11:44:10Z",
    }
    data.update(extra)
    return parse_tariff(data)


def element(*components: dict[str, Any], **restrictions: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"price_components": list(components)}
    if restrictions:
        out["restrictions"] = restrictions
    return out


def pc(kind: str, price: float, step: int = 1, vat: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "price": price, "step_size": step}
    if vat is not None:
        out["vat"] = vat
    return out


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = BERLIN) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=tz)


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def D(text: str) -> Decimal:
    return Decimal(text)


# mod_tariffs.asciidoc's "Complex Tariff example".
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
COMPLEX = tariff(
    element(pc("FLAT", 2.50, 1, 15.0)),
    element(pc("TIME", 1.00, 900, 20.0), max_current=32.00),
    element(pc("TIME", 2.00, 600, 20.0), min_current=32.00, day_of_week=WEEKDAYS),
    element(pc("TIME", 1.25, 600, 20.0), min_current=32.00, day_of_week=["SATURDAY", "SUNDAY"]),
    element(
        pc("PARKING_TIME", 5.00, 300, 10.0),
        start_time="09:00",
        end_time="18:00",
        day_of_week=WEEKDAYS,
    ),
    element(
        pc("PARKING_TIME", 6.00, 300, 10.0),
        start_time="10:00",
        end_time="17:00",
        day_of_week=["SATURDAY"],
    ),
    type="REGULAR",
)
