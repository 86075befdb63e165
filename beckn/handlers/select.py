"""select -> on_select: the quote, with the offers asked for applied or told why not."""

from __future__ import annotations

from beckn.messages import Reply, Request
from beckn.models import OrderState
from beckn.services import ordering
from beckn.wire import order_json


def handle(req: Request) -> Reply:
    order = ordering.locked_order(req)
    ask = ordering.read_ask(req, order)
    customer = order.customer_key if order else ""
    priced = ordering.price(ask, customer, req.now, order_ref=ordering.reference(req))
    vocab = ordering.vocabularies(req.bap_id)
    order = ordering.save(req, order, ask, priced, OrderState.QUOTED, vocab)
    offers = order_json.quoted_offers(order, priced.rejected)
    body = order_json.order_json(order, offers=offers, with_payment=False)
    return Reply(message={"order": body}, order=order)
