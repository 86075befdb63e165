"""Ledger rows: what each row copies from the order and the offer, and turning recorded
rows back into quote lines (replaying an order that was already redeemed or settled)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError

from cpo_portal.models import Charger
from offers.models import Redemption
from offers.rules.composition import Recorded, compose
from offers.rules.construct import Base, OfferRule
from offers.rules.energy_trade import wheeling_line
from offers.rules.facts import CustomerFacts, OfferFacts
from offers.rules.localtime import local
from offers.rules.outcome import Applied
from offers.rules.stacking import discount_line
from offers.snapshot import rule_from_terms
from pricing.engine import (
    BUFFER,
    FINDER_FEE,
    ZERO,
    FeeTerms,
    LineKind,
    PricedSession,
    Quote,
    QuoteLine,
    fee_of,
)


def order_fields(
    priced: PricedSession, quote: Quote, charger: Charger, who: CustomerFacts
) -> dict[str, object]:
    """What every row of this order copies: place, customer, energy and money."""
    station = charger.station
    tax = quote.tax
    return {
        "operator_id": charger.operator_id,
        "station_id": station.pk,
        "charger_id": charger.pk,
        "station_code": station.code,
        "charger_code": charger.code,
        "region_code": station.region_code,
        "city_code": station.city_code,
        "site_kind": station.site_kind,
        "currency": quote.currency,
        "energy_kwh": priced.kwh,
        "gross_amount": priced.gross,
        "surge_amount": sum((ln.amount for ln in priced.lines if ln.kind is LineKind.SURGE), ZERO),
        "tax_amount": tax,
        "net_amount": quote.total,
        "finder_fee_amount": fee_of(quote, FINDER_FEE),
        "buffer_amount": fee_of(quote, BUFFER),
        "session_start": priced.start,
        "session_end": priced.end,
        "session_start_hour": local(priced.start, station.time_zone).hour,
        "requested_kwh": priced.request.kwh,
        "requested_amount": priced.request.amount,
        "customer_key": who.key,
        "customer_segment": who.segment,
        "customer_tier": who.tier,
    }


def offer_fields(offer_pk: int, rule: OfferRule, benefit_kind: str) -> dict[str, object]:
    return {
        "offer_id": offer_pk,
        "offer_code": rule.id,
        "offer_title": rule.title,
        "offer_type": rule.type_label,
        "ondc_type": rule.offer_type.value,
        "benefit_kind": benefit_kind,
    }


def write(rows: Iterable[Redemption]) -> list[Redemption]:
    return Redemption.objects.bulk_create(list(rows))


class LedgerUnreadable(ValueError):
    """A ledger row the services cannot work from: its terms snapshot or its place is
    missing or malformed (written by hand, or by an older version). Nothing is changed."""

    def __init__(self, row: Redemption, why: str) -> None:
        super().__init__(f"ledger row {row.pk} (offer {row.offer_code}) {why}")


def charger_of(row: Redemption) -> Charger:
    """Where the row's session took place; LedgerUnreadable if the row names no charger."""
    if row.charger is None:
        raise LedgerUnreadable(row, "has no charger to price the session at")
    return row.charger


def rule_of(row: Redemption, known: Mapping[str, OfferRule] | None = None) -> OfferRule:
    """The offer as the row's terms snapshot has it; LedgerUnreadable if it cannot be read."""
    if known and row.offer_code in known:
        return known[row.offer_code]
    try:
        return rule_from_terms(
            row.terms, operator_code=row.operator.code, currency=row.currency or "INR"
        )
    except ValidationError as exc:  # a field's stored value (Field.to_python)
        raise LedgerUnreadable(row, f"cannot be read: {' '.join(exc.messages)}") from exc
    except (ValueError, TypeError, KeyError) as exc:  # TermsError is a ValueError
        raise LedgerUnreadable(row, f"cannot be read: {exc}") from exc


def lines_of(
    rows: Sequence[Redemption], priced: PricedSession, rules: Mapping[str, OfferRule]
) -> list[QuoteLine]:
    """Discount (and wheeling) lines for recorded amounts, in the recorded order."""
    lines: list[QuoteLine] = []
    for row in rows:
        if row.discount <= 0:
            continue
        rule = rules[row.offer_code]
        lines.append(discount_line(rule, row.discount, priced))
        wheeling = wheeling_line(rule)
        if wheeling is not None and row.wheeling_amount:
            lines.append(wheeling)
    return lines


def applied_of(rows: Sequence[Redemption], bases: Mapping[str, Base]) -> tuple[Applied, ...]:
    return tuple(
        Applied(
            offer_id=row.offer_code,
            discount=row.discount,
            base=bases.get(row.offer_code, Base.GROSS),
            code=row.code_used,
            kwh_drawn=row.kwh_drawn,
            wheeling=row.wheeling_amount or ZERO,
        )
        for row in rows
        if row.discount > 0
    )


def replay(
    rows: Sequence[Redemption],
    priced: PricedSession,
    rules: Mapping[str, OfferRule],
    bases: Mapping[str, Base] | None = None,
    add_ons: Sequence[QuoteLine] = (),
    fees: FeeTerms | None = None,
) -> tuple[Quote, tuple[Applied, ...]]:
    """The quote as recorded: the same discounts (and add-ons, and fees) on the same
    priced session."""
    recorded = Recorded(tuple(lines_of(rows, priced, rules)), applied_of(rows, bases or {}))
    composed = compose(priced, recorded, OfferFacts(), add_ons=add_ons, fees=fees)
    return composed.quote, composed.applied


def total(rows: Iterable[Redemption]) -> Decimal:
    return sum((r.discount for r in rows), ZERO)
