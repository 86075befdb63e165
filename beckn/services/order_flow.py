"""An order through its steps: select / init / confirm read the session asked for, price
it and keep the order; the messages after confirm find the order they are about.

The order is one row per (bap_id, transaction_id), locked (select_for_update) while a
message for that transaction is processed, so two messages of one transaction handled
by two workers apply one after the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beckn import conf
from beckn.commerce_types import CommerceError, Priced
from beckn.messages import Failure, Request
from beckn.models import InvalidTransition, Order, Vocabulary
from beckn.models.order_quote import HeldQuote, OrderSession
from beckn.protocol import errors
from beckn.protocol.tags import tag_values
from beckn.services import booking_window, commerce, commerce_addons, publication, registry
from beckn.wire import quote_json, request_parsing
from cpo_portal.db.stamps import locked_row
from cpo_portal.models import Charger, Operator
from cpo_portal.web.schema_errors import shown
from offers.models import SessionChannel
from offers.rules import Reason
from offers.services import KnownOrder, SessionAsk, Stamps
from pricing.engine import FeeType, FinderFee

ITEM_PATH = "$.message.order.items[0].id"
QUANTITY_PATH = "$.message.order.items[0].quantity.selected.measure.value"
ADD_ON_PATH = "$.message.order.items[0].add_ons"


@dataclass(frozen=True)
class Ask:
    """What a select / init / confirm asks for: the session to quote (`session`, the
    quote's one input, passed whole to offers) and what the order keeps besides."""

    session: SessionAsk
    quantity: request_parsing.Quantity
    named_add_ons: tuple[request_parsing.AddOnAsk, ...] = ()  # by this message, and where
    fulfillment_id: str = "1"
    customer: dict[str, Any] = field(default_factory=dict)
    vehicle: dict[str, Any] = field(default_factory=dict)

    @property
    def charger(self) -> Charger:
        return self.session.charger

    @property
    def operator(self) -> Operator:
        return self.session.charger.operator

    def add_on_path(self, add_on_id: str) -> str:
        """Where the message names the add-on (ADD_ON_PATH: one the order kept)."""
        named = (a.path for a in self.named_add_ons if a.add_on_id == add_on_id)
        return next(named, ADD_ON_PATH)


def vocabularies(bap_id: str) -> str:
    entry = registry.find(bap_id)
    return entry.vocabularies if entry is not None else Vocabulary.BOTH


def locked_order(req: Request, *, related: bool = True) -> Order | None:
    """The transaction's order, locked; `related` False: without its operator, charger and
    station joined in (a handler that replaces them from the ask, as select does, saves
    the join: bench/results/select.md)."""
    key = {"bap_id": req.bap_id, "transaction_id": req.context["transaction_id"]}
    if not related:
        return locked_row(Order, **key)  # the pair is unique
    rows = Order.objects.select_for_update(of=("self",))
    rows = rows.select_related("operator", "charger__station")
    return next(iter(rows.filter(**key).order_by()[:1]), None)


def _charger(order_msg: dict[str, Any]) -> tuple[Charger, Stamps | None]:
    """The charger asked for, and the stamps it was published under (None: read by the
    quote itself)."""
    provider_id = request_parsing.obj(order_msg.get("provider")).get("id")
    item = request_parsing.first(order_msg.get("items"))
    item_id = item.get("id")
    if not isinstance(item_id, str):
        raise Failure(errors.INVALID_REQUEST, "the charging item's id is required", ITEM_PATH)
    version = None
    if isinstance(provider_id, str):
        found, version = publication.chargers_and_stamps(provider_id, item_id)
    else:
        found = list(Charger.objects.select_related("station", "operator").filter(code=item_id)[:2])
    # An unknown provider is told as such; asked only when no charger was found.
    known = found or not isinstance(provider_id, str)
    if not known and not Operator.objects.filter(code=provider_id).exists():
        raise Failure(
            errors.PROVIDER_NOT_FOUND,
            f"provider {shown(provider_id)} is not on this BPP",
            "$.message.order.provider.id",
        )
    if len(found) != 1:
        why = "is not a charger of this provider" if not found else "needs a provider.id"
        raise Failure(errors.ITEM_NOT_FOUND, f"item {shown(item_id)} {why}", ITEM_PATH)
    charger = found[0]
    out_of_service = charger.out_of_service()
    if out_of_service is not None:
        raise Failure(errors.ITEM_QUANTITY_UNAVAILABLE, out_of_service, ITEM_PATH)
    return charger, _stamps(version)


def _stamps(version: publication.Version | None) -> Stamps | None:
    if version is None or any(stamp is None for stamp in version):
        return None
    return Stamps(*version)


def read_ask(req: Request, order: Order | None, *, identify: bool = False) -> Ask:
    """The ask of a select / init / confirm, filled from the order where the message is
    silent. The customer: from the message's billing or contact with `identify` (init),
    else the order's."""
    order_msg = request_parsing.obj(req.message.get("order"))
    charger, stamps = _charger(order_msg)
    item = request_parsing.first(order_msg.get("items"))
    quantity = request_parsing.quantity(item)
    fulfillment = request_parsing.first(order_msg.get("fulfillments"))
    start, end = request_parsing.stop_times(fulfillment)
    same_charger = order is not None and order.charger_id == charger.pk
    held = order.held_session if order is not None and same_charger else OrderSession()
    if start is not None and start != held.start:  # (the held start was checked when asked)
        booking_window.check(start, req.now)
    if not quantity.value and held.value:
        quantity = request_parsing.measured(held.value, held.unit, "$.order.session")
    start = start or held.start or req.now.replace(microsecond=0)
    end = end or held.end
    if end is None and quantity.kwh is None and quantity.amount is None:
        end = start + dt.timedelta(minutes=conf.get("BECKN_DEFAULT_SESSION_MINUTES"))
    if end is not None and end <= start:
        raise Failure(
            errors.INVALID_REQUEST,
            "the session ends before it starts",
            "$.message.order.fulfillments[0].stops",
        )
    offer_ids, codes = request_parsing.requested_offers(order_msg)
    if not offer_ids and not codes and order is not None:
        offer_ids, codes = list(order.offer_ids), list(order.offer_codes)
    asked = requested_add_ons(order_msg, charger.operator)
    add_ons = held.add_on_ids if asked is None else [a.add_on_id for a in asked]
    customer = request_parsing.obj(fulfillment.get("customer"))
    if identify:
        key = order_customer_key(order_msg, customer)
    else:
        key = order.customer_key if order is not None else ""
    session = SessionAsk(
        charger, start, kwh=quantity.kwh, amount=quantity.amount, end=end, customer_key=key,
        offer_ids=tuple(offer_ids), codes=tuple(codes), add_ons=tuple(add_ons), now=req.now,
        explain=False, finder_fee=finder_fee(order_msg) or held.finder_fee, stamps=stamps,
    )  # fmt: skip
    return Ask(
        session=session,
        quantity=quantity,
        named_add_ons=asked or (),
        fulfillment_id=str(fulfillment.get("id") or held.fulfillment_id or "1"),
        customer=customer,
        vehicle=request_parsing.obj(fulfillment.get("vehicle")),
    )


def finder_fee(order_msg: dict[str, Any]) -> FinderFee | None:
    """The BAP's buyer finder fee terms, from the order's `buyer-finder-fee` tag group
    (`fee-type` PERCENTAGE or AMOUNT, `fee-value`): how the 2.0 wire carries a
    ChargingSession's `buyerFinderFee`. None when the BAP states none."""
    terms = tag_values(order_msg.get("tags"), "buyer-finder-fee")
    if not terms:
        return None
    try:
        return FinderFee(FeeType(terms.get("fee-type", "")), Decimal(terms.get("fee-value", "")))
    except (ValueError, ArithmeticError):
        raise Failure(
            errors.INVALID_REQUEST,
            "the buyer finder fee needs a type (PERCENTAGE or AMOUNT) and a value of at least 0"
            " (at most 100 for a percentage)",
            "$.message.order.tags",
        ) from None


def requested_add_ons(
    order_msg: dict[str, Any], operator: Operator
) -> tuple[request_parsing.AddOnAsk, ...] | None:
    """The add-ons the order names (request_parsing.asked_add_ons: items[0].add_ons,
    order.add_ons, the items after the charging one), each once; None when it names none
    (not mentioned: what the order had)."""
    return request_parsing.asked_add_ons(
        order_msg, lambda ids: commerce_addons.add_ons_named(operator, ids)
    )


def as_delivered(
    order: Order, charger: Charger, start: dt.datetime, kwh: Decimal, end: dt.datetime
) -> SessionAsk:
    """The order's session as charging ended: the energy delivered, the end (settlement)."""
    return SessionAsk(
        charger,
        start,
        kwh=kwh,
        end=end,
        customer_key=order.customer_key,
        finder_fee=order.held_session.finder_fee,
    )


def commerce_failure(exc: CommerceError, ask: Ask, order: Order | None = None) -> Failure:
    """A refusal of the commerce door as the Beckn error it answers: an add-on refused
    names where the message asked for it, a session refused the quantity it asked."""
    path = ask.add_on_path(exc.offer_id) if exc.code == errors.ADD_ON_NOT_FOUND.code else None
    if exc.code == errors.OFFER_NOT_FOUND.code:
        path = "$.message.order.offers"
    if exc.code == errors.INVALID_REQUEST.code and ask.quantity.value:
        path = QUANTITY_PATH  # a session the quote refuses: the energy or amount asked
    return Failure(errors.by_code(exc.code), exc.message, path, order=order)


def price_ask(ask: Ask, *, order_ref: str = "", stage: str = "quoted") -> Priced:
    """The commerce service's quote; with `order_ref`, the ledger records `stage`."""
    try:
        return commerce.quote(ask.session, order_ref=order_ref, stage=stage)
    except CommerceError as exc:
        raise commerce_failure(exc, ask) from exc


def refuse_rejected(ask: Ask, priced: Priced, order: Order | None = None) -> None:
    """init / confirm: an offer the BAP asked for that no longer applies is an error. Not
    a holdout: a customer identified only now (init's billing) may fall in an offer's
    control group; the order goes on without the offer and the quote says the new total."""
    applied = {a.offer_id for a in priced.applied}
    for offer_id in ask.session.offer_ids:
        if offer_id in applied:
            continue
        rejection = priced.rejection(offer_id)
        if rejection is not None and rejection.reason == Reason.HELD_OUT:
            continue
        text = rejection.message if rejection else f"offer {shown(offer_id)} is not available"
        raise Failure(errors.OFFER_NOT_FOUND, text, "$.message.order.offers", order=order)


def order_customer_key(order_msg: dict[str, Any], customer: dict[str, Any]) -> str:
    """The customer's key from the order's billing, else the fulfillment's contact."""
    billing = request_parsing.obj(order_msg.get("billing"))
    contact = request_parsing.obj(customer.get("contact"))
    phone = billing.get("phone") or contact.get("phone")
    email = billing.get("email") or contact.get("email")
    return commerce.contact_key(phone=phone, email=email)


def order_session(ask: Ask, priced: Priced) -> OrderSession:
    q = priced.quote
    return OrderSession(
        start=ask.session.start,
        end=ask.session.end,
        quoted_end=q.end,
        kwh=q.kwh,
        value=ask.quantity.value,
        unit=ask.quantity.unit,
        fulfillment_id=ask.fulfillment_id,
        rate=priced.rate,
        add_ons=priced.add_ons,
        finder_fee=ask.session.finder_fee,
    )


def hold(order: Order, priced: Priced, vocab: str, session: OrderSession | None = None) -> None:
    """A priced quote written into the order (Order.hold_quote): the Beckn quote sent,
    its total, the offers it applied; with `session`, the session too."""
    order.hold_quote(
        HeldQuote(
            quote=quote_json.priced_quote_json(priced, order.charger_code, vocab),
            total=priced.quote.total,
            currency=priced.quote.currency,
            offers=priced.applied,
            session=session,
            customer_key=priced.customer_key,
        )
    )


def save_order(
    req: Request, order: Order | None, ask: Ask, priced: Priced, state: str, vocab: str
) -> Order:
    """The order (or the draft a select held: beckn.services.select_quotes) moved to
    `state` with the quote priced, saved (with its history record)."""
    order = quote_into(req, order, ask, priced, state, vocab)
    order.save()
    return order


def quote_into(
    req: Request, order: Order | None, ask: Ask, priced: Priced, state: str, vocab: str
) -> Order:
    """The order moved to `state` with the ask and its priced quote written in, not
    saved: a new one (unsaved, state quoted first) when `order` is None."""
    if order is None:
        order = Order(
            bap_id=req.bap_id,
            transaction_id=req.context["transaction_id"],
            operator=ask.operator,
            charger=ask.charger,
        )
    try:
        order.move_to(state)
    except InvalidTransition as exc:
        raise Failure(errors.UPDATION_NOT_POSSIBLE, str(exc), order=order) from exc
    order.operator = ask.operator
    order.charger = ask.charger
    order.charger_code = ask.charger.code
    order.bap_uri = req.context.get("bap_uri", "")
    hold(order, priced, vocab, order_session(ask, priced))
    order.offer_ids = list(ask.session.offer_ids)
    order.offer_codes = list(ask.session.codes)
    order.fulfillment = {
        k: v for k, v in (("customer", ask.customer), ("vehicle", ask.vehicle)) if v
    }
    return order


def quote_change(order: Order, priced: Priced) -> tuple[Decimal, Decimal] | None:
    """(before, now) when the total differs from the last quote sent for this order."""
    if order.quote_total is None or order.quote_total == priced.quote.total:
        return None
    return order.quote_total, priced.quote.total


def find_confirmed_order(req: Request, order_id: Any, *, lock: bool = True) -> Order:
    """The confirmed order a post-confirm message is about: by order id, else by
    transaction; a Failure (ORDER_NOT_FOUND) when there is none of this BAP's."""
    rows = Order.objects.select_related("operator", "charger__station").filter(bap_id=req.bap_id)
    if lock:
        rows = rows.select_for_update(of=("self",))
    if isinstance(order_id, str) and order_id:
        order = rows.filter(order_id=order_id).first()
        where = f"order {shown(order_id)}"
    else:
        order = rows.filter(transaction_id=req.context["transaction_id"]).first()
        where = "an order in this transaction"
    if order is None or not order.order_id:
        raise Failure(errors.ORDER_NOT_FOUND, f"{where} is not a confirmed order of yours")
    return order


def find_order_by_reference(reference: str) -> Order | None:
    """The Beckn order behind a ledger reference (beckn:<bap_id>:<transaction_id>)."""
    if not reference.startswith("beckn:"):
        return None
    parts = reference.removeprefix("beckn:").split(":")
    rows = Order.objects.select_for_update(of=("self",)).select_related(
        "operator", "charger__station"
    )
    for cut in range(1, len(parts)):  # ids may hold ':' themselves
        bap_id, transaction_id = ":".join(parts[:cut]), ":".join(parts[cut:])
        found = rows.filter(bap_id=bap_id, transaction_id=transaction_id).first()
        if found is not None:
            return found
    return None


def orders_named(
    sender: object, *, operator_id: int, references: list[str], **kwargs: object
) -> dict[str, KnownOrder]:
    """Receiver of offers.events.orders_named: the references that are the ids of our
    confirmed orders at that operator (a CDR of a session we started names our order id
    as its authorization_reference), as the ledger knows them."""
    orders = Order.objects.filter(operator_id=operator_id, order_id__in=references)
    return {
        order.order_id: KnownOrder(order.reference, SessionChannel.BECKN, order.customer_key)
        for order in orders.only("order_id", "bap_id", "transaction_id", "customer_key")
        if order.order_id
    }
