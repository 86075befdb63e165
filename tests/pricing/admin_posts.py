"""POST bodies for the pricing admin forms, as a browser would send them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.support.admin import admin_urls

url = admin_urls("pricing")


def split(value: dt.datetime, prefix: str) -> dict[str, str]:
    local = timezone.localtime(value)
    return {f"{prefix}_0": f"{local:%Y-%m-%d}", f"{prefix}_1": f"{local:%H:%M:%S}"}


def band(n: int, code: str, start: str, end: str, rate: str, days=range(7)) -> dict[str, Any]:
    return {
        f"bands-{n}-code": code,
        f"bands-{n}-label": code,
        f"bands-{n}-start": start,
        f"bands-{n}-end": end,
        f"bands-{n}-days": [str(d) for d in days],
        f"bands-{n}-rate_per_kwh": rate,
    }


def tariff_post(operator, bands=(), **fields) -> dict[str, Any]:
    data: dict[str, Any] = {
        "operator": operator.pk,
        "code": "t-new",
        "name": "New tariff",
        "active": "on",
        "station": "",
        "charger": "",
        "currency": "INR",
        "energy_rate_per_kwh": "18",
        "service_fee": "10",
        "idle_fee_per_minute": "0",
        "idle_grace_minutes": "0",
        "min_price": "",
        "max_price": "",
        "tax_rate": "18",  # the admin asks for GST in percent
        "tax_name": "GST",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for item in bands:
        data.update(item)
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def surge_post(operator, effective_from: dt.datetime | None = None, **fields) -> dict[str, Any]:
    data: dict[str, Any] = {
        "operator": operator.pk,
        "code": "new-surge",
        "kind": "peak",
        "name": "Congestion Fee",
        "note": "",
        "form": "per_kwh",
        "amount": "1",
        "cap_per_session": "",
        "window_start": "18:00",
        "window_end": "21:00",
        "window_days": [str(d) for d in range(7)],
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "region_codes": "",
        "min_power_kw": "",
        "occupancy_threshold": "",
        "stackable": "on",
        "priority": "0",
        "exempt_segments": "",
        "exempt_tiers": "",
        **split(effective_from or timezone.now(), "effective_from"),
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def surge_edit_post(rule, **fields) -> dict[str, Any]:
    """The change form of an existing rule, as loaded, with `fields` changed."""
    data = surge_post(
        rule.operator,
        effective_from=rule.effective_from,
        code=rule.code,
        kind=rule.kind,
        name=rule.name,
        note=rule.note,
        form=rule.form,
        amount=str(rule.amount),
        window_start=rule.window_start.strftime("%H:%M") if rule.window_start else "",
        window_end=rule.window_end.strftime("%H:%M") if rule.window_end else "",
        window_days=[str(d) for d in rule.window_days],
        stations=[str(s.pk) for s in rule.stations.all()],
        region_codes=", ".join(rule.region_codes),
        stackable="on" if rule.stackable else None,
        priority=str(rule.priority),
        paused="on" if rule.paused else None,
    )
    if rule.valid_until:
        data.update(split(rule.valid_until, "valid_until"))
    # a field with a callable default carries its initial value in hidden inputs
    data.update(split(rule.effective_from, "initial-effective_from"))
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}
