"""confirm -> on_confirm: the order id, and the offers redeemed (counted against limits).

Refused, and the order left as it was, when: there was no init (30010), the price has
changed since on_init (40003: send init again), the quote the BAP sends back is not
ours (40003), an offer can no longer be redeemed (30006) or an add-on has sold out (30007).
Nothing is charged then: the order stays initialized, and the BAP inits again.

A confirm of an order already confirmed (or charging) answers that order again, unless the
total it sends is not the order's (40003, the same rule); a cancelled or completed order
cannot be confirmed (50002). Neither changes the order.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from decimal import Decimal

from beckn.commerce_types import CommerceError, Priced
from beckn.messages import Failure, Reply, Request
from beckn.models import Order, OrderState
from beckn.protocol import errors
from beckn.protocol.v2 import VERSION as V2
from beckn.services import commerce, order_flow
from beckn.wire import order_json, request_parsing
from cpo_portal.web.schema_errors import shown
from pricing.engine import as_text


def new_order_id() -> str:
    return f"ord-{secrets.token_hex(8)}"


def _new_id(req: Request) -> str:
    """A new order id in the form the request's protocol version takes: Beckn 2.0
    requires the contract id to be a UUID; 1.1's are `ord-<16 hex>`."""
    return str(uuid.uuid4()) if req.context.get("version") == V2 else new_order_id()


def _bap_total(order_msg: dict) -> tuple[str, str] | None:
    """The total the BAP sends back (`quote.price`: its value and currency), if any."""
    price = request_parsing.obj(request_parsing.obj(order_msg.get("quote")).get("price"))
    value = price.get("value")
    return (value, str(price.get("currency") or "")) if isinstance(value, str) else None


def _same_money(value: str, currency: str, total: Decimal, ours: str) -> bool:
    """The BAP's total is ours to the last digit it writes (96.760 is 96.76; 96.764 is not,
    nor is 96.76 in another currency): it agrees to pay what it sends, nothing rounded."""
    try:
        amount = Decimal(value.strip())
    except ArithmeticError:
        return False
    return amount.is_finite() and amount == total and currency in ("", ours)


def _already(order: Order) -> Reply:
    body = order_json.order_json(order, offers=order_json.redeemed_offers(order))
    return Reply(message={"order": body}, order=order)


def _acceptance(order: Order, ask: order_flow.Ask, order_msg: dict) -> Callable[[Priced], None]:
    def accept(priced: Priced) -> None:
        """The quote as confirmed must be the one on offer at init and the one sent."""
        order_flow.refuse_rejected(ask, priced, order)
        change = order_flow.quote_change(order, priced)
        if change is not None:
            before, now = change
            raise Failure(
                errors.QUOTE_UNAVAILABLE,
                f"the price changed since on_init: {as_text(before)} then, {as_text(now)} "
                "now; send init again to accept the new quote",
                "$.message.order.quote",
                order=order,
            )
        _refuse_another_total(order_msg, priced.quote.total, priced.quote.currency, order)

    return accept


def _refuse_another_total(order_msg: dict, total: Decimal, currency: str, order: Order) -> None:
    """40003 when the total the BAP sends (if any) is not `total` in `currency`."""
    theirs = _bap_total(order_msg)
    if theirs is not None and not _same_money(*theirs, total, currency):
        sent = " ".join(part for part in (theirs[1], theirs[0]) if part)
        raise Failure(
            errors.QUOTE_UNAVAILABLE,
            f"the quote sent ({shown(sent)}) is not the quote on offer "
            f"({currency} {as_text(total)})",
            "$.message.order.quote.price",
            order=order,
        )


def _again(order: Order, order_msg: dict) -> Reply:
    """A confirm of an order past init: the order as it stands, if it is still the one the
    BAP confirms (confirmed or charging, at the total it sends); nothing changes."""
    if order.state in (OrderState.CANCELLED, OrderState.COMPLETED):
        raise Failure(
            errors.UPDATION_NOT_POSSIBLE,
            f"an order that is {order.state} cannot become confirmed: "
            "book again in a new transaction",
            order=order,
        )
    if order.quote_total is not None:
        _refuse_another_total(order_msg, order.quote_total, order.currency, order)
    return _already(order)


def handle(req: Request) -> Reply:
    order = order_flow.locked_order(req)
    if order is None or order.state == OrderState.QUOTED:
        raise Failure(
            errors.ORDER_NOT_FOUND, "no initialized order in this transaction: send init first"
        )
    order_msg = request_parsing.obj(req.message.get("order"))
    if order.state != OrderState.INITIALIZED:
        return _again(order, order_msg)
    ask = order_flow.read_ask(req, order)

    accept = _acceptance(order, ask, order_msg)
    try:  # the add-ons' stock, then the offers' counters: the lock order cancel takes
        priced = commerce.confirm(ask.session, order.reference, accept)
    except CommerceError as exc:
        raise order_flow.commerce_failure(exc, ask, order) from exc
    vocab = order_flow.vocabularies(req.bap_id)
    order = order_flow.save_order(req, order, ask, priced, OrderState.CONFIRMED, vocab)
    order.order_id = _new_id(req)
    order.confirmed_at = req.now
    payment = request_parsing.first(order_msg.get("payments"))
    params = request_parsing.obj(payment.get("params"))
    order.payment = {
        "status": payment.get("status", "NOT-PAID"),
        "transaction_id": params.get("transaction_id", ""),
    }
    if order_msg.get("billing"):
        order.billing = order_msg["billing"]
    order.save()
    return _already(order)
