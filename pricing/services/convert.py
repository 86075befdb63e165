"""Model rows -> the engine's frozen dataclasses. No queries beyond what is passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pricing.engine import types as e
from pricing.models import SurgeRule, Tariff, TariffBand

ALL_DAYS = frozenset(range(7))


def engine_band(band: TariffBand) -> e.RateBand:
    return e.RateBand(
        code=band.code,
        label=band.label,
        window=e.TimeWindow(band.start, band.end, frozenset(band.days)),
        rate_per_kwh=band.rate_per_kwh,
    )


def engine_tariff(tariff: Tariff, bands: Iterable[TariffBand]) -> e.Tariff:
    return e.Tariff(
        code=tariff.code,
        currency=tariff.currency,
        energy_rate_per_kwh=tariff.energy_rate_per_kwh,
        bands=tuple(engine_band(b) for b in bands),
        service_fee=tariff.service_fee,
        idle_fee_per_minute=tariff.idle_fee_per_minute,
        idle_grace_minutes=tariff.idle_grace_minutes,
        min_price=tariff.min_price,
        max_price=tariff.max_price,
        tax_rate=tariff.tax_rate,
        tax_included=tariff.prices_include_tax,
        tax_name=tariff.tax_name,
    )


def surge_window(
    start: dt.time | None, end: dt.time | None, days: Iterable[int]
) -> e.TimeWindow | None:
    """Empty times mean all day on the chosen days; all day every day is no window."""
    chosen = frozenset(days)
    if start is None or end is None:
        return None if chosen == ALL_DAYS else e.TimeWindow(dt.time(0), dt.time(0), chosen)
    return e.TimeWindow(start, end, chosen)


def _later(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def engine_surge(
    rule: SurgeRule, station_codes: Iterable[str], currency: str | None = None
) -> e.SurgeRule:
    """A scheduled rule takes effect at `effective_from`: the engine sees it as the later
    of that and `valid_from`. `currency` is the operator's (read from it when not given)."""
    return e.SurgeRule(
        code=rule.code,
        kind=e.SurgeKind(rule.kind),
        name=rule.name,
        note=rule.note,
        currency=currency or rule.operator.currency,
        form=e.ChargeForm(rule.form),
        amount=rule.amount,
        window=surge_window(rule.window_start, rule.window_end, rule.window_days),
        valid_from=_later(rule.valid_from, rule.effective_from),
        valid_until=rule.valid_until,
        holidays_only=rule.holidays_only,
        station_codes=frozenset(station_codes),
        site_kinds=frozenset(rule.site_kinds),
        region_codes=frozenset(rule.region_codes),
        min_power_kw=rule.min_power_kw,
        charging_speeds=frozenset(rule.charging_speeds),
        occupancy_threshold=rule.occupancy_threshold,
        on_grid_stress=rule.on_grid_stress,
        stackable=rule.stackable,
        priority=rule.priority,
        cap_per_session=rule.cap_per_session,
        exempt_segments=frozenset(rule.exempt_segments),
        exempt_tiers=frozenset(rule.exempt_tiers),
    )
