"""Terse builders for engine tests: sites, tariffs, rules and sessions in local time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pricing.engine import compile_book, finalize
from pricing.engine.types import (
    ChargeForm,
    Conditions,
    Customer,
    LineKind,
    PricedSession,
    Quote,
    SessionRequest,
    Site,
    SurgeKind,
    SurgeRule,
    Tariff,
    TimeWindow,
)

D = Decimal
IST = ZoneInfo("Asia/Kolkata")
BERLIN = ZoneInfo("Europe/Berlin")
NONE = Conditions()


def at(text: str, zone: ZoneInfo = IST) -> dt.datetime:
    """'2025-09-24 18:25' as an aware local datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def hm(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def window(start: str, end: str, days: frozenset[int] | None = None) -> TimeWindow:
    if days is None:
        return TimeWindow(hm(start), hm(end))
    return TimeWindow(hm(start), hm(end), days)


def site(power: str = "10", zone: str = "Asia/Kolkata", **kw: Any) -> Site:
    fields: dict[str, Any] = {"station_code": "ST1", "charger_code": "pe-charging-01"}
    fields.update(kw)
    return Site(time_zone=zone, power_kw=D(power), **fields)


def tariff(rate: str = "16", **kw: Any) -> Tariff:
    fields: dict[str, Any] = {"code": "T1", "currency": "INR"}
    fields.update(kw)
    return Tariff(energy_rate_per_kwh=D(rate), **fields)


def rule(code: str, amount: str, form: ChargeForm = ChargeForm.PER_KWH, **kw: Any) -> SurgeRule:
    fields: dict[str, Any] = {
        "kind": SurgeKind.PEAK,
        "name": code.replace("_", " ").title(),
    }
    fields.update(kw)
    return SurgeRule(code=code, form=form, amount=D(amount), **fields)


def session(start: dt.datetime, where: Site | None = None, **kw: Any) -> SessionRequest:
    return SessionRequest(site=where or site(), start=start, **kw)


def customer(segment: str = "", tier: str = "") -> Customer:
    return Customer(key="k", segment=segment, tier=tier)


def book_price(
    request: SessionRequest,
    tariff_: Tariff,
    rules: list[SurgeRule],
    conditions: Conditions = NONE,
) -> PricedSession:
    """Stage one of the quote, through the compiled book (the production path)."""
    return compile_book(tariff_, rules).price(request, conditions)


def book_quote(
    request: SessionRequest,
    tariff_: Tariff,
    rules: list[SurgeRule],
    conditions: Conditions = NONE,
) -> Quote:
    return finalize(compile_book(tariff_, rules).price(request, conditions))


def surge_amounts(priced: PricedSession) -> dict[str, str]:
    return {ln.code: str(ln.amount) for ln in priced.lines if ln.kind is LineKind.SURGE}


def energy_amounts(priced: PricedSession) -> dict[str, tuple[str, str]]:
    """band code -> (kWh, amount)"""
    return {
        ln.code: (str(ln.kwh), str(ln.amount)) for ln in priced.lines if ln.kind is LineKind.ENERGY
    }
