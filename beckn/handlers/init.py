"""init -> on_init: billing, payment and refund terms, offers validated.

An offer asked for that no longer applies is refused with 30006. A total that differs
from the one sent at select is not replaced silently: on_init carries a `quote-change`
tag group (previous and new total) so the app can show the change before confirm.

The first init of a transaction makes the order, of the quote its select held
(beckn.services.select_quotes), or of the ask priced anew when no select came first.
"""

from __future__ import annotations

from beckn.messages import Reply, Request
from beckn.models import Order, OrderState
from beckn.protocol.tags import tag_group
from beckn.services import order_flow, select_quotes
from beckn.wire import order_json, request_parsing
from pricing.engine import as_text


def handle(req: Request) -> Reply:
    order = order_flow.locked_order(req)
    if order is None:  # the order is made of the quote a select held (none: priced anew)
        held = select_quotes.locked(req)
        order = select_quotes.draft_order(held) if held is not None else None
    order_msg = request_parsing.obj(req.message.get("order"))
    ask = order_flow.read_ask(req, order, identify=True)
    # the ledger's key of the order, saved or not yet: a refusal below undoes its validated rows
    ref = Order.reference_for(req.bap_id, req.context["transaction_id"])
    priced = order_flow.price_ask(ask, order_ref=ref, stage="validated")
    order_flow.refuse_rejected(ask, priced, order)
    change = order_flow.quote_change(order, priced) if order is not None else None
    vocab = order_flow.vocabularies(req.bap_id)
    order = order_flow.save_order(req, order, ask, priced, OrderState.INITIALIZED, vocab)
    order.billing = request_parsing.obj(order_msg.get("billing"))
    order.save(update_fields=["billing", "updated_at"])
    select_quotes.made_into(order)
    tags = []
    if change is not None:
        before, now = change
        tags.append(
            tag_group(
                "quote-change",
                [
                    ("changed", True),
                    ("previous-total", as_text(before)),
                    ("new-total", as_text(now)),
                    ("reason", "prices or offers changed since the last quote"),
                ],
                name="Quote Changed",
            )
        )
    body = order_json.order_json(order, offers=order_json.validated_offers(order), tags=tags)
    return Reply(message={"order": body}, order=order)
