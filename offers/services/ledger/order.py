"""One order in the redemption ledger: its rows read back, copied into new rows, the
customer and the session they were quoted for, and what reversing some of its discount
gave back. Settlement, recovery and
reversal all build on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from offers.models import Redemption, RedemptionKind
from offers.rules.facts import CustomerFacts
from offers.services.ledger.rows import charger_of
from pricing import services as pricing
from pricing.engine import ZERO, Conditions, Customer, PricedSession

COPIED = {
    "id",
    "kind",
    "seq",
    "discount",
    "reason",
    "occurred_at",
    "terms",
    "use_returned",
    "kwh_drawn",
    "customer_facts",
    "wheeling_amount",
}


class UnknownOrder(LookupError):
    """No offer was redeemed for this order: there is nothing to settle or reverse."""


@dataclass(frozen=True)
class Reversal:
    order_ref: str
    currency: str
    recovered: tuple[tuple[str, Decimal], ...]  # offer id, amount taken back now
    remaining: tuple[tuple[str, Decimal], ...]  # offer id, discount still given
    full: bool

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.recovered), ZERO)


def copy_row(row: Redemption, **changes) -> Redemption:
    values = {
        f.attname: getattr(row, f.attname)
        for f in Redemption._meta.concrete_fields
        if f.name not in COPIED
    }
    values.update(changes)
    return Redemption(**values)


def customer_of(row: Redemption) -> CustomerFacts:
    """The customer as the row recorded them when the order was quoted."""
    saved = row.customer_facts or {}
    joined = saved.get("joined_on")
    return CustomerFacts(
        key=row.customer_key,
        segment=row.customer_segment,
        tier=row.customer_tier,
        member=bool(saved.get("member")),
        referred=bool(saved.get("referred")),
        first_session=bool(saved.get("first_session")),
        joined_on=dt.date.fromisoformat(joined) if joined else None,
    )


def order_rows(order_ref: str) -> list[Redemption]:
    """The order's redeemed, settled and reversed rows (KINDS), oldest first."""
    return list(
        Redemption.objects.filter(order_ref=order_ref, kind__in=KINDS)
        .select_related("operator", "charger__station", "charger__operator")
        .order_by("pk")
    )


def price_at(
    row: Redemption, kwh: Decimal, end: dt.datetime | None, start: dt.datetime | None = None
) -> tuple[PricedSession, Conditions]:
    """The row's session priced again on `kwh` (ending at `end`; from `start`, default
    the row's), without offers."""
    charger = charger_of(row)
    start = start or row.session_start
    request = pricing.session_request_for(
        charger,
        start,
        end=end,
        kwh=kwh,
        customer=Customer(row.customer_key, row.customer_segment, row.customer_tier),
    )
    book, conditions = pricing.book_and_conditions(charger, start)
    return book.price(request, conditions), conditions


KINDS = (RedemptionKind.REDEEMED, RedemptionKind.SETTLED, RedemptionKind.REVERSED)


@dataclass(frozen=True, slots=True)
class Holding:
    """One offer of one order, as the ledger has it now."""

    base: Redemption  # the latest redeemed or settled row
    held: Decimal  # the discount the customer still has
    seq: int  # the last reversal's seq (0: none)
    use_returned: bool


def holdings(rows: Sequence[Redemption]) -> dict[int, Holding]:
    """By offer pk. Reversals written before the base row (a settlement's own) are
    already in its amount; only later ones are taken off."""
    bases: dict[int, Redemption] = {}
    given = [r for r in rows if r.kind in (RedemptionKind.REDEEMED, RedemptionKind.SETTLED)]
    for row in sorted(given, key=lambda r: r.pk):
        bases[row.offer_id] = row
    out = {}
    for offer_id, base in bases.items():
        mine = [r for r in rows if r.offer_id == offer_id]
        back = sum(
            (r.discount for r in mine if r.kind == RedemptionKind.REVERSED and r.pk > base.pk),
            ZERO,
        )
        seq = max((r.seq for r in mine if r.kind == RedemptionKind.REVERSED), default=0)
        returned = any(r.use_returned for r in mine)
        out[offer_id] = Holding(base, base.discount - back, seq, returned)
    return out


def reversal_row(
    holding: Holding, amount: Decimal, reason: str, now: dt.datetime, *, give_use: bool = False
) -> Redemption:
    return copy_row(
        holding.base,
        kind=RedemptionKind.REVERSED,
        seq=holding.seq + 1,
        discount=amount,
        reason=reason[:300],
        use_returned=give_use,
        occurred_at=now,
    )
