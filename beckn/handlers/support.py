"""support -> on_support: how to reach the operator's support for this order."""

from __future__ import annotations

from beckn import conf
from beckn.messages import Reply, Request
from beckn.models import Order
from beckn.protocol.json_text import obj


def handle(req: Request) -> Reply:
    ref_id = obj(req.message.get("support")).get("ref_id")
    support = {"phone": conf.get("BECKN_SUPPORT_PHONE"), "email": conf.get("BECKN_SUPPORT_EMAIL")}
    order = None
    if isinstance(ref_id, str):
        orders = Order.objects.select_related("operator")
        order = orders.filter(bap_id=req.bap_id, order_id=ref_id).first()
        support = {"ref_id": ref_id, **support}
    if conf.get("BECKN_SUPPORT_URL"):
        support["url"] = conf.get("BECKN_SUPPORT_URL")
    return Reply(message={"support": support}, order=order)
