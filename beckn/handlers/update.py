"""update -> on_update: charging started, or ended with the energy delivered.

The start is recorded as the moment it is handled (`started_at`). The delivered kWh is
read from order.items[0].quantity.allocated.measure (unit kWh), or from a `delivered-kwh`
/ `energy-delivered` tag on the fulfillment or the order; the end, from the END stop's
time (else now), is refused when it is still to come (booking_window.check_ended), as an
end before the start it is settled from is, both before the order changes. At the end
the price is settled on that energy (offers recomputed), from the booked start or, when
charging started before it, from when it started (booking_window.settled_from, told
whether the energy could have been delivered from a start, pricing.engine.undeliverable;
kept as the order's `settled_start`, which the replies show as the session's start), and
on_update carries the settled quote, offer-usage tags and an offer-summary naming the next
available offer, and a quote_trail for any offer value the settlement took back (less
energy than quoted, an offer's qualifier no longer holding). An update of
order.items[0].add_ons is a part cancel (beckn.handlers.update_add_ons).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from beckn.commerce_types import CommerceError, Recovery
from beckn.handlers import update_add_ons
from beckn.messages import Failure, Reply, Request
from beckn.models import InvalidTransition, Order, OrderState
from beckn.protocol import errors
from beckn.protocol.tags import tag_group, tag_value
from beckn.protocol.timefmt import format_timestamp
from beckn.services import booking_window, commerce, order_flow
from beckn.wire import order_json, quote_json, request_parsing
from cpo_portal.web.schema_errors import shown
from pricing.engine import LineKind, undeliverable

START_CODES = frozenset({"start-charging", "charging-start", "charging-started", "start", "active"})
END_CODES = frozenset(
    {"end-charging", "charging-end", "charging-ended", "end", "stop", "completed"}
)
KWH_TAGS = ("delivered-kwh", "energy-delivered", "kwh-delivered")
STATE_PATH = "$.message.order.fulfillments[0].state.descriptor.code"


def _move(order: Order, state: str) -> None:
    try:
        order.move_to(state)
    except InvalidTransition as exc:
        raise Failure(errors.UPDATION_NOT_POSSIBLE, str(exc), STATE_PATH, order=order) from exc


def delivered_kwh(order_msg: dict, fulfillment: dict) -> Decimal:
    quantity = request_parsing.quantity(request_parsing.first(order_msg.get("items")), "allocated")
    if quantity.kwh is not None:
        return quantity.kwh
    for groups in (fulfillment.get("tags"), order_msg.get("tags")):
        for code in KWH_TAGS:
            value = tag_value(groups, None, code)
            if value is not None:
                return request_parsing.decimal(value, f"$..tags[{code}]")
    raise Failure(  # (the message names no field: the path says where, in either version)
        errors.INVALID_REQUEST,
        "charging ended without the energy delivered: send it, in kWh",
        "$.message.order.items[0].quantity.allocated",
    )


def handle(req: Request) -> Reply:
    order_msg = request_parsing.obj(req.message.get("order"))
    order = order_flow.find_confirmed_order(req, order_msg.get("id"))
    target = str(req.message.get("update_target", ""))
    if update_add_ons.wanted(target):
        return update_add_ons.handle(req, order, order_msg)
    fulfillment = request_parsing.first(order_msg.get("fulfillments"))
    code = str(
        request_parsing.obj(request_parsing.obj(fulfillment.get("state")).get("descriptor")).get(
            "code", ""
        )
    )
    if not target.startswith("order.fulfillments") or not code:
        raise Failure(
            errors.INVALID_UPDATE_TARGET,
            "only the charging session's state can be updated (charging started or ended)",
            "$.message.update_target",
            order=order,
        )
    if code.lower() in START_CODES:
        _move(order, OrderState.ACTIVE)
        order.started_at = req.now
        order.save()
        return Reply(message={"order": order_json.order_json(order)}, order=order)
    if code.lower() not in END_CODES:
        raise Failure(
            errors.INVALID_UPDATE_TARGET,
            f"unknown fulfillment state {shown(code)}",
            STATE_PATH,
            order=order,
        )
    return _end(req, order, order_msg, fulfillment)


def _end(req: Request, order: Order, order_msg: dict, fulfillment: dict) -> Reply:
    kwh = delivered_kwh(order_msg, fulfillment)
    start, end, end_path = request_parsing.timed_stops(fulfillment)
    end = end or req.now
    booking_window.check_ended(end, req.now, end_path, order=order)
    booked = order.held_session.start or start or end
    power = order.charger.power_kw if order.charger is not None else None

    def deliverable(start: dt.datetime) -> bool:
        return power is None or undeliverable(kwh, power, start, end) is None

    session_start = booking_window.settled_from(booked, order.started_at, end, deliverable)
    if end <= session_start:
        raise Failure(
            errors.INVALID_REQUEST,
            f"charging cannot end ({format_timestamp(end)}) before the session starts "
            f"({format_timestamp(session_start)})",
            "$.message.order.fulfillments[0].stops",
            order=order,
        )
    _move(order, OrderState.COMPLETED)
    if order.charger is None:
        raise Failure(
            errors.BUSINESS_ERROR, "the charger of this order no longer exists", order=order
        )
    try:
        delivered = order_flow.as_delivered(order, order.charger, session_start, kwh, end)
        settled = commerce.settle(order.reference, delivered)
    except CommerceError as exc:
        raise Failure(errors.by_code(exc.code), exc.message, order=order) from exc
    vocab = order_flow.vocabularies(req.bap_id)
    order.delivered_kwh = kwh
    order.ended_at = end
    order.settled_start = session_start
    order_flow.hold(order, settled, vocab)
    order.save()
    station = order.charger.station
    published = commerce.published_offers(order.operator, station, at=req.now)
    labels = {o.offer_id: o.type_label for o in published}
    applied = {a.offer_id for a in settled.applied}
    following = order_json.next_offer(published, applied, req.now)
    types = sorted({labels[i] for i in applied if labels.get(i)})
    tags = [
        order_json.offer_summary_tags(
            settled.discount, settled.quote.currency, types, following, station.time_zone
        ),
        tag_group("receipt", quote_json.receipt_summary(settled.quote).items(), name="Receipt"),
    ]
    energy = settled.quote.sum_of(LineKind.ENERGY)
    body = order_json.order_json(order, offers=order_json.used_offers(order, energy), tags=tags)
    body = quote_json.attach_quote_trail(body, Recovery(order.currency, settled.recovered), vocab)
    return Reply(message={"order": body}, order=order)
