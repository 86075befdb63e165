"""select -> on_select: the quote, with the offers asked for applied or told why not."""

from __future__ import annotations

from beckn.messages import Reply, Request
from beckn.models import OrderState
from beckn.services import order_flow
from beckn.wire import order_json


def handle(req: Request) -> Reply:
    order = order_flow.locked_order(req, related=False)
    ask = order_flow.read_ask(req, order)
    priced = order_flow.price_ask(ask, order_ref=order_flow.order_reference(req))
    vocab = order_flow.vocabularies(req.bap_id)
    order = order_flow.save_order(req, order, ask, priced, OrderState.QUOTED, vocab)
    offers = order_json.quoted_offers(order, priced.rejected)
    body = order_json.order_json(order, offers=offers, with_payment=False)
    return Reply(message={"order": body}, order=order)
