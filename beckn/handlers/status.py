"""status -> on_status: the order as it stands."""

from __future__ import annotations

from beckn.messages import Reply, Request
from beckn.services import order_flow
from beckn.wire import order_json


def handle(req: Request) -> Reply:
    order = order_flow.find_confirmed_order(req, req.message.get("order_id"), lock=False)
    return Reply(
        message={"order": order_json.order_json(order, offers=order_json.redeemed_offers(order))},
        order=order,
    )
