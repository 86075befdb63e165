"""A select's quote, held (beckn.models.SelectQuote): what select writes, in one
statement, and what init makes the order of.

select answers with a draft order (an Order not saved, state quoted) made of the held
quote and the new ask, and holds its quote (`hold`); init saves the draft as the order
(with its history record and the ledger's validated rows) and links the held quote to
it (`made_into`). Once the order exists, a select of the transaction re-quotes the
order itself (beckn.handlers.select)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from beckn.messages import Request
from beckn.models import Order, SelectQuote
from beckn.models.select_quotes import QUOTE_FIELDS
from cpo_portal.db import upserts
from cpo_portal.db.stamps import locked_row


def locked(req: Request) -> SelectQuote | None:
    """The transaction's held quote, locked until the transaction ends; None if none."""
    return locked_row(SelectQuote, bap_id=req.bap_id, transaction_id=req.context["transaction_id"])


def draft_order(held: SelectQuote) -> Order:
    """The order as the held quote describes it, not saved (state quoted): its first
    select's creation time, the session, quote and offers of its last."""
    return Order(
        bap_id=held.bap_id,
        transaction_id=held.transaction_id,
        charger_id=held.charger_id,
        session=held.session,
        quote=held.quote,
        quote_total=held.total,
        currency=held.currency,
        applied_offers=held.applied_offers,
        offer_ids=held.offer_ids,
        offer_codes=held.offer_codes,
        customer_key=held.customer_key,
        fulfillment=held.fulfillment,
        created_at=held.created_at,
    )


def hold(draft: Order) -> None:
    """select: the draft order's quote held, in one upsert (INSERT ... ON CONFLICT DO
    UPDATE): a later select's replaces it, and two at once leave one row. The draft is
    stamped as a save would (updated_at)."""
    draft.updated_at = timezone.now()
    _upsert(draft, QUOTE_FIELDS)


def made_into(order: Order) -> None:
    """init: the held quote points at the order saved of it; an init with no select
    before it holds the order's quote (one statement either way)."""
    _upsert(order, ("order",))


def _upsert(order: Order, fields: Sequence[str]) -> None:
    values = {
        "bap_id": order.bap_id,
        "transaction_id": order.transaction_id,
        "order_id": order.pk,
        "charger_id": order.charger_id,
        "session": order.session,
        "quote": order.quote,
        "total": order.quote_total if order.quote_total is not None else Decimal("0.00"),
        "currency": order.currency,
        "applied_offers": order.applied_offers,
        "offer_ids": order.offer_ids,
        "offer_codes": order.offer_codes,
        "customer_key": order.customer_key,
        "fulfillment": order.fulfillment,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }
    upserts.insert(SelectQuote, values, ("bap_id", "transaction_id"), tuple(fields))
