"""cancel -> on_cancel: the order cancelled and its offers reversed (uses and budget back).

Cancelling is free until charging starts; once it has (or after it ended) the answer is
50001, cancellation not possible. Cancelling a cancelled order answers the same again.
"""

from __future__ import annotations

from beckn import order_offers, orders_json, parsing
from beckn.handlers.base import Failure, Reply, Request
from beckn.models import InvalidTransition, OrderState
from beckn.protocol import errors
from beckn.protocol.timefmt import format_timestamp
from beckn.services import commerce, orders


def handle(req: Request) -> Reply:
    order = orders.by_order_id(req, req.message.get("order_id"))
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
        if redeemed and order.applied_offers:
            commerce.reverse(order.reference, reason="cancelled by the customer")
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
    return Reply(message={"order": body}, order=order)
