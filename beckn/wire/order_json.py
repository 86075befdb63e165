"""An order as the on_select ... on_cancel replies show it, with its offers tagged for the
stage it is at, as the DEG offers page shows them: offer-validation (on_init),
offer-redemption (on_confirm), offer-usage and the order's offer-summary (on_update at the end
of charging), offer-reversal (on_cancel).

Fulfillment state codes (DEG's examples mix several spellings; we use one set):
order-initiated, order-confirmed, charging-started, charging-ended, order-cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from beckn import conf
from beckn.commerce_types import PublishedOffer, RejectedOffer
from beckn.models import Order, OrderState
from beckn.models.order_quote import AppliedOffer
from beckn.protocol.tags import tag_group
from beckn.protocol.timefmt import format_timestamp
from beckn.wire import catalog_json
from beckn.wire.offer_json import energy_trade_group
from pricing.engine import amount_with_symbol, as_text, plain

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


def order_item(order: Order) -> dict[str, Any]:
    session = order.held_session
    entry: dict[str, Any] = catalog_json.item(
        order.charger,
        rate=session.rate,
        currency=order.currency,
        with_ids=False,
    ) if order.charger else {"id": order.charger_code}  # fmt: skip
    quantity: dict[str, Any] = {}
    if session.value:
        measure = {"type": "CONSTANT", "value": session.value, "unit": session.unit}
        quantity["selected"] = {"measure": measure}
    if order.delivered_kwh is not None:
        delivered = f"{order.delivered_kwh.normalize():f}"
        quantity["allocated"] = {"measure": {"type": "CONSTANT", "value": delivered, "unit": "kWh"}}
    if quantity:
        entry["quantity"] = quantity
    if session.add_ons:
        entry["add_ons"] = [
            {
                "id": a.add_on_id,
                "descriptor": {"name": a.name, "code": a.add_on_id},
                "price": {"value": as_text(a.price), "currency": order.currency},
            }
            for a in session.add_ons
        ]
    return entry


def order_fulfillment(order: Order) -> dict[str, Any]:
    """The charging fulfillment: its state, and its stops at the session's times (as
    booked; once charging ended, as settled: Order.session_times)."""
    session = order.held_session
    start_at, end_at = order.session_times
    out: dict[str, Any] = {"id": session.fulfillment_id, "type": "CHARGING"}
    if order.state in FULFILLMENT_STATES:
        code, name = FULFILLMENT_STATES[order.state]
        out["state"] = {
            "descriptor": {"code": code, "name": name},
            "updated_at": format_timestamp(order.updated_at),
        }
    start: dict[str, Any] = {"type": "START"}
    if start_at is not None:
        start["time"] = {"timestamp": format_timestamp(start_at)}
    if order.charger is not None:
        station = order.charger.station
        start["location"] = catalog_json.stop_location(station)
        if station.instructions:
            start["instructions"] = {"short_desc": station.instructions}
    end: dict[str, Any] = {"type": "END"}
    if end_at is not None:
        end["time"] = {"timestamp": format_timestamp(end_at)}
    out["stops"] = [start, end]
    for key in ("customer", "vehicle"):
        if order.fulfillment.get(key):
            out[key] = order.fulfillment[key]
    return out


def order_payment(order: Order) -> dict[str, Any]:
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


def order_terms(order: Order) -> dict[str, Any]:
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
    out["items"] = [order_item(order)]
    out["fulfillments"] = [order_fulfillment(order)]
    if offers:
        out["offers"] = offers
    if order.billing:
        out["billing"] = order.billing
    if order.quote:
        out["quote"] = order.quote
    if order.cancellation:
        out["cancellation"] = order.cancellation
    if with_payment and order.state != OrderState.QUOTED:
        out["payments"] = [order_payment(order)]
        out.update(order_terms(order))
    if tags:
        out["tags"] = tags
    out["created_at"] = format_timestamp(order.created_at)
    out["updated_at"] = format_timestamp(order.updated_at)
    return out


OFFER_TAG_NAMES = {
    "validated": "Offer Validated",
    "discount-applied": "Discount Applied",
    "offer-code": "Offer Code",
    "reason": "Reason",
    "redeemed": "Offer Redeemed",
    "offer-applied": "Offer Applied",
    "discount-amount": "Discount Amount",
    "savings-percentage": "Savings Percentage",
    "offer-code-used": "Offer Code Used",
    "reversed": "Offer Reversed",
    "amount-reversed": "Amount Reversed",
    "total-savings": "Total Savings",
    "offer-type": "Offer Type",
    "next-offer": "Next Available Offer",
}


def _entry(offer: AppliedOffer, group: dict[str, Any] | None) -> dict[str, Any]:
    """An offer of the order, with the stage's group and, for an energy trade, its terms."""
    out: dict[str, Any] = {"id": offer.offer_id, "descriptor": {"name": offer.title}}
    tags = [group] if group is not None else []
    if offer.energy_trade:
        tags.append(energy_trade_group(offer.energy_trade))
    if tags:
        out["tags"] = tags
    return out


def _code(offer: AppliedOffer, tag: str) -> list[tuple[str, str]]:
    return [(tag, offer.code)] if offer.code else []


def quoted_offers(order: Order, rejected: tuple[RejectedOffer, ...] = ()) -> list[dict[str, Any]]:
    """on_select: the offers in the quote, and those asked for that do not apply (why)."""
    out = [_entry(o, None) for o in order.held_offers]
    for rejection in rejected:
        if rejection.offer_id in order.offer_ids:
            group = tag_group(
                "offer-validation",
                [("validated", False), ("reason", rejection.message)],
                name="Offer Validation",
                names=OFFER_TAG_NAMES,
            )
            out.append({"id": rejection.offer_id, "tags": [group]})
    return out


def _staged(
    order: Order, code: str, name: str, values: Callable[[AppliedOffer], list[tuple[str, Any]]]
) -> list[dict[str, Any]]:
    """Each offer of the order with the stage's tag group (`code`, `name`) of `values`."""
    return [
        _entry(o, tag_group(code, values(o), name=name, names=OFFER_TAG_NAMES))
        for o in order.held_offers
    ]


def validated_offers(order: Order) -> list[dict[str, Any]]:
    return _staged(
        order,
        "offer-validation",
        "Offer Validation",
        lambda o: [
            ("validated", True),
            ("discount-applied", as_text(o.discount)),
            *_code(o, "offer-code"),
        ],
    )


def _reversal(o: AppliedOffer) -> list[tuple[str, Any]]:
    """An offer reversed (the order cancelled): what came back."""
    if o.reversed is None:
        return []
    return [("reversed", True), ("amount-reversed", as_text(o.reversed))]


def redeemed_offers(order: Order) -> list[dict[str, Any]]:
    return _staged(
        order,
        "offer-redemption",
        "Offer Redemption",
        lambda o: [
            ("redeemed", o.reversed is None),  # a cancelled order's offer is not
            ("redemption-ref", order.order_id or ""),
            ("discount-applied", as_text(o.discount)),
            *_code(o, "offer-code"),
            *_reversal(o),
        ],
    )


def used_offers(order: Order, energy_cost: Decimal) -> list[dict[str, Any]]:
    def share(discount: Decimal) -> str:
        return (
            plain((discount / energy_cost * 100).quantize(Decimal("0.01"))) if energy_cost else "0"
        )

    return _staged(
        order,
        "offer-usage",
        "Offer Usage Details",
        lambda o: [
            ("offer-applied", True),
            ("discount-amount", as_text(o.discount)),
            ("savings-percentage", share(o.discount)),
            *_code(o, "offer-code-used"),
        ],
    )


def reversed_offers(order: Order) -> list[dict[str, Any]]:
    return _staged(
        order,
        "offer-reversal",
        "Offer Reversal",
        lambda o: [
            ("reversed", True),
            ("amount-reversed", as_text(o.discount if o.reversed is None else o.reversed)),
        ],
    )


def next_offer(
    offers: list[PublishedOffer], exclude: set[str], now: dt.datetime
) -> PublishedOffer | None:
    """The offer a customer can use next: still open, not the one just used, soonest first."""
    candidates = [
        o
        for o in offers
        if o.offer_id not in exclude and (o.valid_until is None or o.valid_until >= now)
    ]
    candidates.sort(key=lambda o: (max(o.valid_from or now, now), o.offer_id))
    return candidates[0] if candidates else None


def describe_offer(offer: PublishedOffer, zone: str) -> str:
    """'Holiday Special - 30% off (Dec 25-31)'."""
    if offer.valid_from is None or offer.valid_until is None:
        return offer.title
    tz = ZoneInfo(zone)
    start, end = offer.valid_from.astimezone(tz), offer.valid_until.astimezone(tz)
    if (start.year, start.month) == (end.year, end.month):
        span = f"{start:%b} {start.day}-{end.day}"
    else:
        span = f"{start:%b} {start.day} - {end:%b} {end.day}"
    return f"{offer.title} ({span})"


def offer_summary_tags(
    total_savings: Decimal,
    currency: str,
    offer_types: list[str],
    following: PublishedOffer | None,
    zone: str,
) -> dict[str, Any]:
    values: list[tuple[str, str]] = [("total-savings", amount_with_symbol(currency, total_savings))]
    if offer_types:
        values.append(("offer-type", ",".join(offer_types)))
    if following is not None:
        values.append(("next-offer", describe_offer(following, zone)))
    return tag_group("offer-summary", values, name="Offer Summary", names=OFFER_TAG_NAMES)
