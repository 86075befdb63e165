"""cancel -> on_cancel: the order cancelled, its offers reversed (uses and budget back) and
its add-ons released (stock back); the reversal is the cancel fulfillment's quote_trail.

The order's quote is then the order as it stands (no reversed discount, no released
add-on), and its offers say they were reversed (on_cancel, and every on_status after).

Cancelling is free until charging starts; once it has (or after it ended) the answer is
50001, cancellation not possible. Cancelling a cancelled order answers the same again.
"""

from __future__ import annotations

from beckn.commerce_types import Recovery
from beckn.messages import Failure, Reply, Request
from beckn.models import InvalidTransition, OrderState
from beckn.protocol import errors
from beckn.protocol.timefmt import format_timestamp
from beckn.services import commerce_addons, order_flow, order_updates
from beckn.wire import order_json, quote_json, request_parsing


def handle(req: Request) -> Reply:
    order = order_flow.find_confirmed_order(req, req.message.get("order_id"))
    recovery = Recovery(order.currency)
    if order.state != OrderState.CANCELLED:
        redeemed = order.state == OrderState.CONFIRMED
        try:
            order.move_to(OrderState.CANCELLED)
        except InvalidTransition as exc:
            why = (
                "charging has ended and the session is settled"
                if order.state == OrderState.COMPLETED
                else "charging has started, stop it with update (end-charging) instead"
            )
            raise Failure(errors.CANCELLATION_NOT_POSSIBLE, f"{exc}: {why}", order=order) from exc
        if redeemed:  # offers reversed in full, add-ons released (stock back)
            held = order.held_offers
            recovery = commerce_addons.cancel(order, "cancelled by the customer")
            released = order.held_session.add_on_ids
            order_updates.refresh_changed_order(
                order, released, order_flow.vocabularies(req.bap_id)
            )
            back = dict(recovery.recovered)
            gone = [o.reversed_by(back[o.offer_id]) for o in held if o.offer_id in back]
            order.hold_offers([*order.held_offers, *gone])
        reason = req.message.get("cancellation_reason_id")
        note = request_parsing.obj(req.message.get("descriptor"))
        order.cancellation = {
            "time": format_timestamp(req.now),
            "cancelled_by": "CONSUMER",
            **({"reason": {"id": reason}} if isinstance(reason, str) else {}),
            **({"additional_description": note} if note else {}),
        }
        order.cancelled_at = req.now
        order.save()
    body = order_json.order_json(order, offers=order_json.reversed_offers(order))
    vocab = order_flow.vocabularies(req.bap_id)
    body = quote_json.attach_quote_trail(body, recovery, vocab, cancel=True)
    return Reply(message={"order": body}, order=order)
