"""update of order.items[0].add_ons -> on_update: a part cancel. The message carries the
add-ons the order should keep; the others are cancelled (stock back, refunded), combo
offers that needed them are reversed in part or in full, and on_update carries the new
quote with a quote_trail on the cancel fulfillment. Add-ons cannot be added after
confirmation (50002): select and init a new order for that.
"""

from __future__ import annotations

from beckn.messages import Failure, Reply, Request
from beckn.models import Order, OrderState
from beckn.protocol import errors
from beckn.services import commerce_addons, order_flow, order_updates
from cpo_portal.web.schema_errors import shown

TARGETS = frozenset({"order.items[0].add_ons", "order.items.add_ons", "order.add_ons"})
OPEN = frozenset({OrderState.CONFIRMED, OrderState.ACTIVE, OrderState.COMPLETED})
PATH = "$.message.order.items[0].add_ons"


def wanted(target: str) -> bool:
    return target in TARGETS or target.endswith(".add_ons")


def handle(req: Request, order: Order, order_msg: dict) -> Reply:
    if order.state not in OPEN:
        raise Failure(
            errors.UPDATION_NOT_POSSIBLE,
            f"an order that is {order.state} has no add-ons to change",
            PATH,
            order=order,
        )
    asked = order_flow.requested_add_ons(order_msg, order.operator)
    if asked is None:
        raise Failure(
            errors.INVALID_UPDATE_TARGET,
            "send the add-ons the order keeps in order.items[0].add_ons (an empty list "
            "cancels them all)",
            PATH,
            order=order,
        )
    keep = [a.add_on_id for a in asked]
    current = order.held_session.add_on_ids
    added = [code for code in keep if code not in current]
    if added:
        raise Failure(
            errors.UPDATION_NOT_POSSIBLE,
            f"add-ons cannot be added after confirmation ({', '.join(map(shown, added))}): "
            "select and init a new order for them",
            PATH,
            order=order,
        )
    removed = [code for code in current if code not in keep]
    taken, recovery = commerce_addons.take_out(
        order.reference, removed, "add-on cancelled by the customer"
    )
    vocab = order_flow.vocabularies(req.bap_id)
    order_updates.refresh_changed_order(order, removed, vocab)
    body = order_updates.changed_order_json(order, recovery, vocab, cancel=bool(taken))
    return Reply(message={"order": body}, order=order)
