"""Refuse malformed tariffs and surge rules before pricing anything with them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from pricing.engine.amounts import ZERO
from pricing.engine.refusals import PricingSetupError
from pricing.engine.types import SurgeRule, Tariff

BASE_CODE = "base"  # the energy line of the tariff's default rate


def is_aware(value: dt.datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


def _non_negative(what: str, value: Decimal | None) -> None:
    if value is not None and value < ZERO:
        raise PricingSetupError(f"{what} must not be negative (got {value})")


def check_tariff(tariff: Tariff) -> None:
    _non_negative("energy rate", tariff.energy_rate_per_kwh)
    _non_negative("service fee", tariff.service_fee)
    _non_negative("idle fee", tariff.idle_fee_per_minute)
    _non_negative("tax rate", tariff.tax_rate)
    _non_negative("minimum price", tariff.min_price)
    _non_negative("maximum price", tariff.max_price)
    if tariff.idle_grace_minutes < 0:
        raise PricingSetupError("idle grace minutes must not be negative")
    if (
        tariff.min_price is not None
        and tariff.max_price is not None
        and tariff.min_price > tariff.max_price
    ):
        raise PricingSetupError("minimum price is above the maximum price")
    codes = [band.code for band in tariff.bands]
    if BASE_CODE in codes or len(set(codes)) != len(codes):
        raise PricingSetupError(f"band codes must be unique and not {BASE_CODE!r}: {codes}")
    for band in tariff.bands:
        _non_negative(f"rate of band {band.code}", band.rate_per_kwh)


def check_rules(rules: Sequence[SurgeRule]) -> None:
    codes = [rule.code for rule in rules]
    if len(set(codes)) != len(codes):
        raise PricingSetupError("surge rule codes must be unique")
    for rule in rules:
        _non_negative(f"surge {rule.code} amount", rule.amount)
        _non_negative(f"surge {rule.code} cap", rule.cap_per_session)
        for bound in (rule.valid_from, rule.valid_until):
            if bound is not None and not is_aware(bound):
                raise PricingSetupError(f"surge {rule.code} validity must be timezone-aware")
        if (
            rule.valid_from is not None
            and rule.valid_until is not None
            and rule.valid_from >= rule.valid_until
        ):
            raise PricingSetupError(f"surge {rule.code} is valid until before it is valid from")
