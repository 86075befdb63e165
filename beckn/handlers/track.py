"""track -> on_track: the address a BAP polls for the charging session of a confirmed
order, and whether tracking is active (beckn.services.tracking)."""

from __future__ import annotations

from beckn.messages import Reply, Request
from beckn.services import order_flow, tracking
from beckn.wire import tracking_json


def handle(req: Request) -> Reply:
    order = order_flow.find_confirmed_order(req, req.message.get("order_id"), lock=False)
    body = tracking_json.tracking(order, tracking.url_of(order))
    return Reply(message={"tracking": body}, order=order)
