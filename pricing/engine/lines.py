"""Stage-one quote lines: energy per band, service fee, idle fee, one line per surge rule.

Each line is rounded once, half-up to the paisa, from unrounded segment sums, so a band's
line does not depend on how many segments it was cut into. What a line's wording and tags
take from the tariff and the rules alone (a band's label and rate, a rule's price, tags
and cap) is worked out once per tariff and rule list (LineTexts; the price book keeps
one), so a quote only formats its own kWh and amounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pricing.engine import text
from pricing.engine.amounts import PAISA, ZERO, money, percent_of
from pricing.engine.types import (
    ChargeForm,
    LineKind,
    QuoteLine,
    Segment,
    SessionRequest,
    SurgeRule,
    Tariff,
)
from pricing.engine.well_formed import BASE_CODE

Tags = tuple[tuple[str, str], ...]
# enum members read once: a member read through its class costs more than the line's sums
_PER_KWH, _PERCENT = ChargeForm.PER_KWH, ChargeForm.PERCENT
_ENERGY, _SURGE = LineKind.ENERGY, LineKind.SURGE


@dataclass(frozen=True, slots=True)
class _RuleText:
    """What a rule's surge line takes from the rule alone."""

    title: str  # the whole title of a flat rule, else what precedes the session's figures
    tags: Tags
    capped_tags: Tags
    cap: Decimal | None  # money(cap_per_session)


def _rule_text(currency: str, rule: SurgeRule) -> _RuleText:
    if rule.form is ChargeForm.PER_KWH:
        title = f"{rule.name} ({text.surge_amount(rule.form, rule.amount, currency)} x "
    elif rule.form is ChargeForm.PERCENT:
        title = f"{rule.name} ({text.surge_amount(rule.form, rule.amount, currency)})"
    else:
        title = rule.name
    tags: Tags = (("surge_kind", str(rule.kind)), ("form", str(rule.form)))
    cap = None if rule.cap_per_session is None else money(rule.cap_per_session)
    return _RuleText(title, tags, (*tags, ("capped", "true")), cap)


class LineTexts:
    """The wording and tags of a tariff's and a rule list's lines, each worked out the
    first time a line needs it and kept."""

    __slots__ = ("_bands", "_fees", "_rules", "rules", "tariff")

    def __init__(self, tariff: Tariff, rules: Sequence[SurgeRule]) -> None:
        self.tariff = tariff
        self.rules = rules
        self._bands: dict[tuple[str, Decimal], tuple[str, str]] = {}
        self._rules: list[_RuleText | None] = [None] * len(rules)
        self._fees: dict[int, tuple[QuoteLine, ...]] = {}

    def band(self, code: str, rate: Decimal) -> tuple[str, str]:
        """An energy line's title around its kWh: ('Charging session cost (', ' kWh @ ...')."""
        said = self._bands.get((code, rate))
        if said is None:
            what = "Charging session cost"
            if code != BASE_CODE:
                labels = {band.code: band.label for band in self.tariff.bands}
                what = f"{what}, {labels[code]}"
            price = text.rate(rate, self.tariff.currency)
            said = self._bands[code, rate] = (f"{what} (", f" kWh @ {price})")
        return said

    def fee_lines(self, idle_minutes: int) -> tuple[QuoteLine, ...]:
        """The service and idle fee lines of a session idle that long (kept: they depend
        on the tariff and the minutes alone)."""
        lines = self._fees.get(idle_minutes)
        if lines is None:
            if len(self._fees) >= 1000:
                self._fees.clear()
            lines = self._fees[idle_minutes] = tuple(_fee_lines(self.tariff, idle_minutes))
        return lines

    def rule(self, index: int) -> _RuleText:
        said = self._rules[index]
        if said is None:
            said = self._rules[index] = _rule_text(self.tariff.currency, self.rules[index])
        return said


def _energy_lines(texts: LineTexts, item_id: str, segments: Sequence[Segment]) -> list[QuoteLine]:
    tariff = texts.tariff
    kwh_by_band: dict[str, Decimal] = {}
    rate_by_band: dict[str, Decimal] = {}
    for seg in segments:
        kwh_by_band[seg.band_code] = kwh_by_band.get(seg.band_code, ZERO) + seg.kwh
        rate_by_band[seg.band_code] = seg.rate_per_kwh
    lines = []
    for code, kwh in kwh_by_band.items():
        rate = rate_by_band[code]
        before, after = texts.band(code, rate)
        lines.append(
            QuoteLine(
                _ENERGY,
                code,
                f"{before}{text.energy_text(kwh)}{after}",
                (kwh * rate).quantize(PAISA, ROUND_HALF_UP),  # money()
                kwh,
                rate,
                tariff.tax_rate,
                item_id,
                (("band", code),),
            )
        )
    return lines


def _fee_lines(tariff: Tariff, idle_minutes: int) -> list[QuoteLine]:
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
    billable = idle_minutes - tariff.idle_grace_minutes
    if billable > 0 and tariff.idle_fee_per_minute > ZERO:
        fee = tariff.idle_fee_per_minute
        per_minute = text.rate(fee, tariff.currency, "min")
        lines.append(
            QuoteLine(
                kind=LineKind.IDLE_FEE,
                code="idle_fee",
                title=f"Idle fee ({billable} min @ {per_minute})",
                amount=money(billable * fee),
                rate=fee,
                tax_rate=tariff.tax_rate,
            )
        )
    return lines


def _surge_line(
    tariff: Tariff, rule: SurgeRule, said: _RuleText, inside: list[Segment]
) -> QuoteLine | None:
    kwh = sum([seg.kwh for seg in inside], ZERO)
    rate = None
    if rule.form is _PER_KWH:
        amount, rate = (rule.amount * kwh).quantize(PAISA, ROUND_HALF_UP), rule.amount
        title = f"{said.title}{text.energy_text(kwh)} kWh)"
    elif rule.form is _PERCENT:
        energy_cost = sum([seg.kwh * seg.rate_per_kwh for seg in inside], ZERO)
        amount = percent_of(energy_cost, rule.amount).quantize(PAISA, ROUND_HALF_UP)
        title = said.title
    else:
        amount, title = money(rule.amount), said.title
    tags = said.tags
    if said.cap is not None and amount > said.cap:
        amount = said.cap
        tags = said.capped_tags
    if amount == ZERO:
        return None
    return QuoteLine(_SURGE, rule.code, title, amount, kwh, rate, tariff.tax_rate, "", tags)


def priced_lines(
    tariff: Tariff,
    request: SessionRequest,
    segments: Sequence[Segment],
    rules: Sequence[SurgeRule],
    position: Mapping[str, int],
    texts: LineTexts | None = None,
    inside: Mapping[int, list[Segment]] | None = None,
) -> tuple[QuoteLine, ...]:
    """`position` maps a rule code to its index in `rules`: surge lines follow that order.
    `texts` are LineTexts(tariff, rules), if the caller keeps them (the price book does);
    `inside`, the segments under each rule by its index, if the caller has them."""
    if texts is None:
        texts = LineTexts(tariff, rules)
    if inside is None:
        found: dict[int, list[Segment]] = {}
        for seg in segments:
            for code in seg.surge_codes:
                found.setdefault(position[code], []).append(seg)
        inside = found
    surge_lines = [_surge_line(tariff, rules[i], texts.rule(i), inside[i]) for i in sorted(inside)]
    return (
        *_energy_lines(texts, request.site.charger_code, segments),
        *texts.fee_lines(request.idle_minutes),
        *(line for line in surge_lines if line is not None),
    )
