"""cancel -> on_cancel: the order cancelled, its offers reversed (uses and budget back) and
its add-ons released (stock back); the reversal is the cancel fulfillment's quote_trail.

Cancelling is free until charging starts; once it has (or after it ended) the answer is
50001, cancellation not possible. Cancelling a cancelled order answers the same again.
"""

from __future__ import annotations

from beckn import order_offers, orders_json, parsing, quote_trail
from beckn.messages import Failure, Reply, Request
from beckn.models import InvalidTransition, OrderState
from beckn.protocol import errors
from beckn.protocol.timefmt import format_timestamp
from beckn.services import commerce_addons, ordering, orders
from beckn.services.commerce_types import Recovery


def handle(req: Request) -> Reply:
    order = orders.by_order_id(req, req.message.get("order_id"))
    recovery = Recovery(order.currency)
    if order.state != OrderState.CANCELLED:
        redeemed = order.state == OrderState.CONFIRMED
        try:
            order.move_to(OrderState.CANCELLED)
        except InvalidTransition as exc:
            raise Failure(
                errors.CANCELLATION_NOT_POSSIBLE,
                f"{exc}: charging has started, stop it with update (end-charging) instead",
                order=order,
            ) from exc
        if redeemed:  # offers reversed in full, add-ons released (stock back)
            recovery = commerce_addons.cancel(order, "cancelled by the customer")
        reason = req.message.get("cancellation_reason_id")
        note = parsing.obj(req.message.get("descriptor"))
        order.cancellation = {
            "time": format_timestamp(req.now),
            "cancelled_by": "CONSUMER",
            **({"reason": {"id": reason}} if isinstance(reason, str) else {}),
            **({"additional_description": note} if note else {}),
        }
        order.cancelled_at = req.now
        order.save()
    body = orders_json.order_json(order, offers=order_offers.reversed_(order))
    vocab = ordering.vocabularies(req.bap_id)
    body = quote_trail.attach(body, recovery, vocab, cancel=True)
    return Reply(message={"order": body}, order=order)
