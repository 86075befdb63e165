"""One order in the redemption ledger: its rows read back, copied into new rows, the
customer and the session they were quoted for, and what reversing some of its discount
gave back. Settlement and recovery both build on it."""

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

GIVEN_KINDS = (RedemptionKind.REDEEMED, RedemptionKind.SETTLED)
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


def order_rows(order_ref: str, kinds: Sequence[str]) -> list[Redemption]:
    return list(
        Redemption.objects.filter(order_ref=order_ref, kind__in=kinds)
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
