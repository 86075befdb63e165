"""An order changed after confirmation (add-ons taken out, offers reversed): its stored
quote, add-ons and applied offers brought up to date, and the on_update that tells the
BAP, with the quote_trail of what was recovered.

The change can come from the BAP (update of order.items[0].add_ons: a part cancel) or
from the operator (an add-on marked not delivered in the admin, received by
on_not_delivered, connected in BecknConfig.ready): the latter is sent as an unsolicited
on_update through the outbox, like any callback.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from beckn import conf
from beckn.commerce_types import Recovery
from beckn.models import InboundMessage, Order, Outbox
from beckn.protocol.context import format_duration
from beckn.protocol.v2 import context as v2_context
from beckn.services import commerce, order_flow, outbox, registry
from beckn.wire import order_json, quote_json
from beckn.wire.v2 import contract as v2_contract
from offers.services import SessionAsk

UNSOLICITED_TTL = dt.timedelta(minutes=15)

log = logging.getLogger(__name__)


def refresh_changed_order(order: Order, taken_out: list[str], vocab: str) -> None:
    """Bring the stored order up to date with the ledger and the add-on bookings."""
    session = order.held_session.without_add_ons(taken_out)
    order.session = session.to_json()
    if order.charger is None:
        order.save()
        return
    start = order.session_times[0] or order.created_at  # settled: the settlement's start
    kwh = order.delivered_kwh or session.kwh or Decimal("0")
    end = order.ended_at or session.quoted_end
    as_it_stands = SessionAsk(order.charger, start, kwh=kwh, end=end, finder_fee=session.finder_fee)
    priced = commerce.order_quote(order.reference, as_it_stands)
    order_flow.hold(order, priced, vocab)
    order.save()


def changed_order_json(
    order: Order, recovery: Recovery, vocab: str, *, cancel: bool
) -> dict[str, Any]:
    out = order_json.order_json(order, offers=order_json.redeemed_offers(order))
    return quote_json.attach_quote_trail(out, recovery, vocab, cancel=cancel)


def speaks_v2(order: Order) -> bool:
    """Whether the BAP talks to us about this order in Beckn 2.0 (its latest message in
    the order's transaction was a 2.0 one)."""
    latest = (
        InboundMessage.objects.filter(bap_id=order.bap_id, transaction_id=order.transaction_id)
        .order_by("-received_at")
        .values_list("body", flat=True)
        .first()
    )
    context = latest.get("context") if isinstance(latest, dict) else None
    return isinstance(context, dict) and v2_context.is_v2(context)


def push_unsolicited(order: Order, message: dict[str, Any]) -> Outbox:
    """An on_update nobody asked for (the BPP's own news), queued like any callback: on the
    order's transaction, with a message id of its own and UNSOLICITED_TTL to answer in; in
    2.0's shape (the order as a Contract) to a BAP that speaks 2.0 about the order."""
    now = timezone.now()
    asked = {
        "bap_id": order.bap_id,
        "bap_uri": order.bap_uri or registry.callback_url(order.bap_id) or "",
        "transaction_id": order.transaction_id,
        "message_id": str(uuid.uuid4()),
        "ttl": format_duration(UNSOLICITED_TTL),
    }
    context = outbox.reply_context(asked, "on_update", now)
    if speaks_v2(order):
        context.pop("domain")
        payload = {
            "context": v2_context.reply(
                context, "on_update", now, bpp_id=conf.bpp_id(), bpp_uri=conf.bpp_uri()
            ),
            "message": {"contract": v2_contract.contract(order)},
        }
    else:
        payload = {"context": context, "message": message}
    return outbox.send(payload, order.bap_id, now, now + UNSOLICITED_TTL, order)


def on_not_delivered(sender, order_ref: str, codes, currency: str, recovered, **kwargs) -> None:
    with transaction.atomic():
        order = order_flow.find_order_by_reference(order_ref)
        if order is None:
            return
        vocab = order_flow.vocabularies(order.bap_id)
        refresh_changed_order(order, list(codes), vocab)
        recovery = Recovery(currency, tuple(recovered))
        body = changed_order_json(order, recovery, vocab, cancel=False)
        push_unsolicited(order, {"order": body})
        log.info("on_update for %s: add-ons %s not delivered", order_ref, ", ".join(codes))
