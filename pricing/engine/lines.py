"""Stage-one quote lines: energy per band, service fee, idle fee, one line per surge rule.

Each line is rounded once, half-up to the paisa, from unrounded segment sums, so a band's
line does not depend on how many segments it was cut into.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from pricing.engine import text
from pricing.engine.checks import BASE_CODE
from pricing.engine.money import ZERO, money, percent_of
from pricing.engine.types import (
    ChargeForm,
    LineKind,
    QuoteLine,
    Segment,
    SessionRequest,
    SurgeRule,
    Tariff,
)


def _energy_lines(tariff: Tariff, item_id: str, segments: Sequence[Segment]) -> list[QuoteLine]:
    kwh_by_band: dict[str, Decimal] = {}
    rate_by_band: dict[str, Decimal] = {}
    for seg in segments:
        kwh_by_band[seg.band_code] = kwh_by_band.get(seg.band_code, ZERO) + seg.kwh
        rate_by_band[seg.band_code] = seg.rate_per_kwh
    labels = {band.code: band.label for band in tariff.bands}
    lines = []
    for code, kwh in kwh_by_band.items():
        rate = rate_by_band[code]
        what = "Charging session cost"
        if code != BASE_CODE:
            what = f"{what}, {labels[code]}"
        lines.append(
            QuoteLine(
                kind=LineKind.ENERGY,
                code=code,
                title=f"{what} ({text.energy(kwh)} kWh @ {text.price(tariff.currency, rate)}/kWh)",
                amount=money(kwh * rate),
                kwh=kwh,
                rate=rate,
                tax_rate=tariff.tax_rate,
                item_id=item_id,
                tags=(("band", code),),
            )
        )
    return lines


def _fee_lines(tariff: Tariff, request: SessionRequest) -> list[QuoteLine]:
    lines = []
    if tariff.service_fee > ZERO:
        lines.append(
            QuoteLine(
                kind=LineKind.SERVICE_FEE,
                code="service_fee",
                title="Service fee",
                amount=money(tariff.service_fee),
                tax_rate=tariff.tax_rate,
            )
        )
    billable = request.idle_minutes - tariff.idle_grace_minutes
    if billable > 0 and tariff.idle_fee_per_minute > ZERO:
        fee = tariff.idle_fee_per_minute
        lines.append(
            QuoteLine(
                kind=LineKind.IDLE_FEE,
                code="idle_fee",
                title=f"Idle fee ({billable} min @ {text.price(tariff.currency, fee)}/min)",
                amount=money(billable * fee),
                rate=fee,
                tax_rate=tariff.tax_rate,
            )
        )
    return lines


def _surge_line(tariff: Tariff, rule: SurgeRule, inside: list[Segment]) -> QuoteLine | None:
    kwh = sum((seg.kwh for seg in inside), ZERO)
    rate = None
    if rule.form is ChargeForm.PER_KWH:
        amount, rate = money(rule.amount * kwh), rule.amount
        price = text.price(tariff.currency, rule.amount)
        title = f"{rule.name} ({price}/kWh x {text.energy(kwh)} kWh)"
    elif rule.form is ChargeForm.PERCENT:
        energy_cost = sum((seg.kwh * seg.rate_per_kwh for seg in inside), ZERO)
        amount = money(percent_of(energy_cost, rule.amount))
        title = f"{rule.name} ({text.plain(rule.amount)}%)"
    else:
        amount, title = money(rule.amount), rule.name
    tags: tuple[tuple[str, str], ...] = (("surge_kind", str(rule.kind)), ("form", str(rule.form)))
    if rule.cap_per_session is not None and amount > money(rule.cap_per_session):
        amount = money(rule.cap_per_session)
        tags += (("capped", "true"),)
    if amount == ZERO:
        return None
    return QuoteLine(
        kind=LineKind.SURGE,
        code=rule.code,
        title=title,
        amount=amount,
        kwh=kwh,
        rate=rate,
        tax_rate=tariff.tax_rate,
        tags=tags,
    )


def priced_lines(
    tariff: Tariff,
    request: SessionRequest,
    segments: Sequence[Segment],
    rules: Sequence[SurgeRule],
    position: Mapping[str, int],
) -> tuple[QuoteLine, ...]:
    """`position` maps a rule code to its index in `rules`: surge lines follow that order."""
    inside: dict[int, list[Segment]] = {}
    for seg in segments:
        for code in seg.surge_codes:
            inside.setdefault(position[code], []).append(seg)
    surge_lines = [_surge_line(tariff, rules[i], inside[i]) for i in sorted(inside)]
    return (
        *_energy_lines(tariff, request.site.charger_code, segments),
        *_fee_lines(tariff, request),
        *(line for line in surge_lines if line is not None),
    )
