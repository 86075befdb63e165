"""An order as the on_select ... on_cancel replies show it.

Fulfillment state codes (DEG's examples mix several spellings; we use one set):
order-initiated, order-confirmed, charging-started, charging-ended, order-cancelled.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from beckn import conf
from beckn.models import Order, OrderState
from beckn.protocol.timefmt import format_timestamp
from beckn.wire import catalog_json
from pricing.engine.money import as_text

FULFILLMENT_STATES: dict[str, tuple[str, str]] = {
    OrderState.INITIALIZED: ("order-initiated", "Order initiated"),
    OrderState.CONFIRMED: ("order-confirmed", "Order confirmed"),
    OrderState.ACTIVE: ("charging-started", "Charging started"),
    OrderState.COMPLETED: ("charging-ended", "Charging completed"),
    OrderState.CANCELLED: ("order-cancelled", "Order cancelled"),
}
ORDER_STATUS: dict[str, str] = {
    OrderState.CONFIRMED: "ACTIVE",
    OrderState.ACTIVE: "ACTIVE",
    OrderState.COMPLETED: "COMPLETE",
    OrderState.CANCELLED: "CANCELLED",
}


def item(order: Order) -> dict[str, Any]:
    session = order.session
    rate = session.get("rate")
    entry: dict[str, Any] = catalog_json.item(
        order.charger,
        rate=Decimal(rate) if rate else None,
        currency=order.currency,
        with_ids=False,
    ) if order.charger else {"id": order.charger_code}  # fmt: skip
    quantity: dict[str, Any] = {}
    if session.get("value"):
        measure = {"type": "CONSTANT", "value": session["value"], "unit": session["unit"]}
        quantity["selected"] = {"measure": measure}
    if order.delivered_kwh is not None:
        delivered = f"{order.delivered_kwh.normalize():f}"
        quantity["allocated"] = {"measure": {"type": "CONSTANT", "value": delivered, "unit": "kWh"}}
    if quantity:
        entry["quantity"] = quantity
    chosen = [a for a in session.get("add_ons") or () if isinstance(a, dict)]
    if chosen:
        entry["add_ons"] = [
            {
                "id": a["id"],
                "descriptor": {"name": a.get("name", a["id"]), "code": a["id"]},
                "price": {"value": as_text(Decimal(a["price"])), "currency": order.currency},
            }
            for a in chosen
        ]
    return entry


def fulfillment(order: Order) -> dict[str, Any]:
    session = order.session
    out: dict[str, Any] = {"id": session.get("fulfillment_id") or "1", "type": "CHARGING"}
    if order.state in FULFILLMENT_STATES:
        code, name = FULFILLMENT_STATES[order.state]
        out["state"] = {
            "descriptor": {"code": code, "name": name},
            "updated_at": format_timestamp(order.updated_at),
        }
    start: dict[str, Any] = {"type": "START"}
    if session.get("start"):
        start["time"] = {"timestamp": session["start"]}
    if order.charger is not None:
        station = order.charger.station
        start["location"] = catalog_json.stop_location(station)
        if station.instructions:
            start["instructions"] = {"short_desc": station.instructions}
    end: dict[str, Any] = {"type": "END"}
    if session.get("end"):
        end["time"] = {"timestamp": session["end"]}
    out["stops"] = [start, end]
    for key in ("customer", "vehicle"):
        if order.fulfillment.get(key):
            out[key] = order.fulfillment[key]
    return out


def payment(order: Order) -> dict[str, Any]:
    params = {
        "transaction_id": order.payment.get("transaction_id") or order.transaction_id,
        "amount": as_text(order.quote_total) if order.quote_total is not None else "0.00",
        "currency": order.currency,
    }
    out: dict[str, Any] = {
        "id": f"payment-{order.pk}",
        "collected_by": "BPP",
        "params": params,
        "type": "PRE-FULFILLMENT",
        "status": order.payment.get("status", "NOT-PAID"),
    }
    url = conf.get("BECKN_PAYMENT_URL")
    if url:
        out["url"] = url
    return out


def terms(order: Order) -> dict[str, Any]:
    total = as_text(order.quote_total) if order.quote_total is not None else "0.00"
    cancellation: dict[str, Any] = {
        "fulfillment_state": {"descriptor": {"code": "order-confirmed"}},
        "reason_required": False,
        "cancellation_fee": {"amount": {"currency": order.currency, "value": "0.00"}},
    }
    if conf.get("BECKN_TERMS_URL"):
        cancellation["external_ref"] = {"mimetype": "text/html", "url": conf.get("BECKN_TERMS_URL")}
    refunds = [
        {
            "fulfillment_state": {
                "descriptor": {
                    "code": "order-confirmed",
                    "name": "Order Confirmed",
                    "long_desc": "Full refund if cancelled before charging starts",
                }
            },
            "refund_eligible": True,
            "refund_within": {"duration": "PT2H"},
            "refund_amount": {"currency": order.currency, "value": total},
        },
        {
            "fulfillment_state": {
                "descriptor": {"code": "charging-started", "name": "Charging Active"}
            },
            "refund_eligible": False,
        },
    ]
    return {"cancellation_terms": [cancellation], "refund_terms": refunds}


def order_json(
    order: Order,
    *,
    offers: list[dict[str, Any]] | None = None,
    tags: list[dict[str, Any]] | None = None,
    with_payment: bool = True,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if order.order_id:
        out["id"] = order.order_id
    if order.state in ORDER_STATUS:
        out["status"] = ORDER_STATUS[order.state]
    out["provider"] = {
        "id": order.operator.code,
        "descriptor": catalog_json.provider_descriptor(order.operator),
    }
    out["items"] = [item(order)]
    out["fulfillments"] = [fulfillment(order)]
    if offers:
        out["offers"] = offers
    if order.billing:
        out["billing"] = order.billing
    if order.quote:
        out["quote"] = order.quote
    if order.cancellation:
        out["cancellation"] = order.cancellation
    if with_payment and order.state != OrderState.QUOTED:
        out["payments"] = [payment(order)]
        out.update(terms(order))
    if tags:
        out["tags"] = tags
    out["created_at"] = format_timestamp(order.created_at)
    out["updated_at"] = format_timestamp(order.updated_at)
    return out
