"""select -> on_select: the quote, with the offers asked for applied or told why not."""

from __future__ import annotations

from beckn import order_offers, orders_json
from beckn.messages import Reply, Request
from beckn.models import OrderState
from beckn.services import commerce, ordering


def handle(req: Request) -> Reply:
    order = ordering.locked_order(req)
    ask = ordering.read_ask(req, order)
    priced = ordering.price(ask, order.customer_key if order else "", req.now)
    vocab = ordering.vocabularies(req.bap_id)
    order = ordering.save(req, order, ask, priced, OrderState.QUOTED, vocab)
    commerce.record(order.reference, priced, "quoted")
    offers = order_offers.quoted(order, priced.rejected)
    body = orders_json.order_json(order, offers=offers, with_payment=False)
    return Reply(message={"order": body}, order=order)
