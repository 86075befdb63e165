"""Find the order a post-confirm message is about: by order id, else by transaction."""

from __future__ import annotations

from typing import Any

from beckn.messages import Failure, Request
from beckn.models import Order
from beckn.protocol import errors


def by_order_id(req: Request, order_id: Any, *, lock: bool = True) -> Order:
    orders = Order.objects.select_related("operator", "charger__station").filter(bap_id=req.bap_id)
    if lock:
        orders = orders.select_for_update(of=("self",))
    if isinstance(order_id, str) and order_id:
        order = orders.filter(order_id=order_id).first()
        where = f"order {order_id!r}"
    else:
        order = orders.filter(transaction_id=req.context["transaction_id"]).first()
        where = "an order in this transaction"
    if order is None or not order.order_id:
        raise Failure(errors.ORDER_NOT_FOUND, f"{where} is not a confirmed order of yours")
    return order
