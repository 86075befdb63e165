"""select -> on_select: the quote, with the offers asked for applied or told why not.

A select writes one row: its quote, held for the transaction's init
(beckn.services.select_quotes); it answers with the draft order made of it, never
saved. The order, its history and the ledger's rows follow at init and confirm. Once
the transaction has an order (init came), a select re-quotes that order: it becomes
quoted again, as before init."""

from __future__ import annotations

from beckn.messages import Reply, Request
from beckn.models import Order, OrderState
from beckn.services import order_flow, select_quotes
from beckn.wire import order_json


def handle(req: Request) -> Reply:
    held = select_quotes.locked(req)
    if held is not None and held.order_id is not None:
        order = order_flow.locked_order(req, related=False)
        return _answer(req, order, save=True)
    return _answer(req, select_quotes.draft_order(held) if held is not None else None)


def _answer(req: Request, order: Order | None, *, save: bool = False) -> Reply:
    ask = order_flow.read_ask(req, order)
    priced = order_flow.price_ask(ask)  # the ledger records no select
    vocab = order_flow.vocabularies(req.bap_id)
    if save:
        order = order_flow.save_order(req, order, ask, priced, OrderState.QUOTED, vocab)
    else:
        order = order_flow.quote_into(req, order, ask, priced, OrderState.QUOTED, vocab)
        select_quotes.hold(order)
    offers = order_json.quoted_offers(order, priced.rejected)
    body = order_json.order_json(order, offers=offers, with_payment=False)
    return Reply(message={"order": body}, order=order)
