"""An order as 2.0 shows it: the 2.0.0 OpenAPI's Contract.

- one commitment: the charger (a resource, with the quantity asked for) under the offer
  applied (an offer of ours by id, its ChargingOffer or EnergyTradeOffer attributes), or
  under the charger's list price (`list-price:<charger>`) when no offer applies; then one
  per add-on, at the same charger under the add-on's offer (`add-on:<id>`, its price);
- the monetary consideration: the order value (beckn.wire.v2.order_value), from the same
  quote the 1.1 replies carry;
- the session: `contractAttributes`, a ChargingSession (EvChargingSession v1): its status,
  the connector, the times asked for (once charging ended, the start it was settled from
  and the end), the energy delivered;
- the performance: the charging fulfillment and its state (1.1's fulfillment state code);
- the buyer: a participant, from the billing the BAP gave at init;
- the settlement: the payment, once there is one (init on).

Contract status: DRAFT until confirmed, ACTIVE while confirmed or charging, COMPLETE when
charging ended, CANCELLED.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from beckn.models import Order, OrderState
from beckn.models.order_quote import AddOnLine
from beckn.protocol.timefmt import format_timestamp
from beckn.protocol.v2.schema import CONTEXTS
from beckn.wire.order_json import FULFILLMENT_STATES
from beckn.wire.v2 import service
from beckn.wire.v2.order_value import order_value
from cpo_portal.formatting.digits import stated_percent

LIST_PRICE = "list-price"  # the id prefix of a charger's list-price offer in our catalogs
ADD_ON = "add-on:"  # the id prefix of an add-on's offer in our catalogs
CONTRACT_STATUS: dict[str, str] = {
    OrderState.QUOTED: "DRAFT",
    OrderState.INITIALIZED: "DRAFT",
    OrderState.CONFIRMED: "ACTIVE",
    OrderState.ACTIVE: "ACTIVE",
    OrderState.COMPLETED: "COMPLETE",
    OrderState.CANCELLED: "CANCELLED",
}
COMMITMENT_STATUS = {
    "DRAFT": "DRAFT",
    "ACTIVE": "ACTIVE",
    "COMPLETE": "CLOSED",
    "CANCELLED": "CLOSED",
}
SESSION_STATUS: dict[str, str] = {
    OrderState.QUOTED: "PENDING",
    OrderState.INITIALIZED: "PENDING",
    OrderState.CONFIRMED: "PENDING",
    OrderState.ACTIVE: "ACTIVE",
    OrderState.COMPLETED: "COMPLETED",
    OrderState.CANCELLED: "STOP",
}
CONSIDERATION_STATUS = {
    "DRAFT": "QUOTED",
    "ACTIVE": "AGREED",
    "COMPLETE": "SETTLED",
    "CANCELLED": "REVERSED",
}
UNIT_CODES = {"kwh": "KWH", "inr": "INR"}


def list_price_id(charger_code: str) -> str:
    return f"{LIST_PRICE}:{charger_code}"


def add_on_offer_id(add_on_id: str) -> str:
    return f"{ADD_ON}{add_on_id}"


def add_on_price(line: AddOnLine, currency: str) -> dict[str, Any]:
    """An add-on's price before tax: a PriceSpecification of one, its GST rate said in
    its one component (the tax is a TAX component of the order value)."""
    return {
        "@context": CONTEXTS["core"],
        "@type": "beckn:PriceSpecification",
        "currency": currency,
        "value": float(line.price),
        "applicableQuantity": {"unitText": "each", "unitQuantity": 1},
        "components": [
            {
                "type": "UNIT",
                "value": float(line.price),
                "currency": currency,
                "description": f"{line.name} (GST {stated_percent(line.tax_rate * 100)} on top)",
            }
        ],
    }


def add_on_offer(
    line: AddOnLine, currency: str, provider: dict[str, Any], chargers: list[str]
) -> dict[str, Any]:
    """An add-on's offer (`add-on:<id>`), as catalogs and orders show it: sold at
    `chargers`, priced per one (add_on_price)."""
    descriptor: dict[str, Any] = {"name": line.name, "code": "ADD_ON"}
    if line.description:
        descriptor["shortDesc"] = line.description
    return {
        "id": add_on_offer_id(line.add_on_id),
        "descriptor": descriptor,
        "provider": provider,
        "resourceIds": chargers,
        "considerations": [
            {
                "id": "add-on-price",
                "status": {"code": "LIST"},
                "considerationAttributes": add_on_price(line, currency),
            }
        ],
    }


def _add_on_commitment(order: Order, line: AddOnLine, status: str) -> dict[str, Any]:
    """An add-on of the order: a commitment at the order's charger under the add-on's
    offer (its price is a UNIT component of the order value)."""
    return {
        "id": add_on_offer_id(line.add_on_id),
        "status": {"descriptor": {"code": COMMITMENT_STATUS[status]}},
        "resources": [{"id": order.charger_code, "quantity": {"unitQuantity": 1}}],
        "offer": add_on_offer(line, order.currency, provider(order), [order.charger_code]),
    }


def provider(order: Order) -> dict[str, Any]:
    return {"id": order.operator.code, "descriptor": {"name": order.operator.name}}


def _offer(order: Order) -> dict[str, Any]:
    applied = next((o for o in order.held_offers if o.discount > 0 or o.reversed), None)
    if applied is None:
        offer_id, name, terms = list_price_id(order.charger_code), "List price", ""
    else:
        offer_id, name, terms = applied.offer_id, applied.title, applied.energy_trade
    return {
        "id": offer_id,
        "descriptor": {"name": name},
        "provider": provider(order),
        "resourceIds": [order.charger_code],
        "offerAttributes": energy_trade_bag(terms) if terms else charging_offer(),
    }


def charging_offer() -> dict[str, Any]:
    """The ChargingOffer attributes of every offer but an energy trade's."""
    return {
        "@context": CONTEXTS["ChargingOffer"],
        "@type": "ChargingOffer",
        "tariffModel": "PER_KWH",
    }


def energy_trade_bag(terms: str) -> dict[str, Any]:
    """The EnergyTradeOffer object (kept as compact JSON text) as an offerAttributes bag."""
    try:
        body = json.loads(terms)
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    rest = {k: v for k, v in body.items() if k not in ("@context", "@type")}
    return {"@context": CONTEXTS["EnergyTradeOffer"], "@type": "EnergyTradeOffer", **rest}


def _resource(order: Order) -> dict[str, Any]:
    session = order.held_session
    resource: dict[str, Any] = {"id": order.charger_code, "quantity": {}}
    if session.value:
        unit = UNIT_CODES.get(session.unit.lower(), session.unit.upper())
        resource["quantity"] = {"unitCode": unit, "unitQuantity": float(session.value)}
    if order.charger is not None:
        resource["descriptor"] = {"name": order.charger.name}
    return resource


def _session(order: Order, status: str) -> dict[str, Any]:
    session = order.held_session
    bag: dict[str, Any] = {
        "@context": CONTEXTS["ChargingSession"],
        "@type": "ChargingSession",
        "sessionStatus": SESSION_STATUS.get(order.state, "PENDING"),
        "lastUpdated": format_timestamp(order.updated_at),
    }
    if order.charger is not None:
        shown = service.charging_service(order.charger)
        if shown is not None:
            bag["connectorType"] = shown["connectorType"]
            bag["maxPowerKW"] = shown["maxPowerKW"]
    if order.delivered_kwh is not None:
        bag["meteredEnergyKWh"] = float(order.delivered_kwh)
    minutes = order.charged_minutes(timezone.now())
    if minutes is not None:
        bag["meteredDurationMinutes"] = minutes
    if order.order_id:
        bag["reservationId"] = order.order_id
    preferences = {}  # the times booked; once charging ended, as settled (Order.session_times)
    start, end = order.session_times
    if start is not None:
        preferences["startTime"] = format_timestamp(start)
    end = end or session.quoted_end
    if end is not None:
        preferences["endTime"] = format_timestamp(end)
    if preferences:
        bag["preferences"] = preferences
    vehicle = order.fulfillment.get("vehicle") if isinstance(order.fulfillment, dict) else None
    if isinstance(vehicle, dict):
        for key, field in (("make", "vehicleMake"), ("model", "vehicleModel")):
            if isinstance(vehicle.get(key), str):
                bag[field] = vehicle[key]
    return bag


def contract(order: Order, note: str = "") -> dict[str, Any]:
    """The order as a Contract; `note`: what the BPP has to say about it (an offer asked
    for that did not apply, and why)."""
    status = CONTRACT_STATUS.get(order.state, "DRAFT")
    out: dict[str, Any] = {}
    if order.order_id:
        out["id"] = order.order_id
    descriptor: dict[str, Any] = {"name": f"EV charging at {order.charger_code}"}
    if note:
        descriptor["longDesc"] = note
    out["descriptor"] = descriptor
    out["status"] = {"code": status}
    out["commitments"] = [
        {
            "id": "1",
            "status": {"descriptor": {"code": COMMITMENT_STATUS[status]}},
            "resources": [_resource(order)],
            "offer": _offer(order),
        },
        *(_add_on_commitment(order, line, status) for line in order.held_session.add_ons),
    ]
    value = order_value(order.quote or {})
    if value:
        out["consideration"] = [
            {
                "id": "order-value",
                "status": {"code": CONSIDERATION_STATUS[status]},
                "considerationAttributes": {
                    "@context": CONTEXTS["core"],
                    "@type": "beckn:PriceSpecification",
                    **value,
                },
            }
        ]
    if order.billing:
        out["participants"] = [_buyer(order)]
    session = order.held_session
    performance: dict[str, Any] = {"id": session.fulfillment_id, "commitmentIds": ["1"]}
    if order.state in FULFILLMENT_STATES:
        code, name = FULFILLMENT_STATES[order.state]
        performance["status"] = {"code": code, "name": name}
    out["performance"] = [performance]
    if order.state not in (OrderState.QUOTED,) and value:
        paid = order.state in (OrderState.CONFIRMED, OrderState.ACTIVE, OrderState.COMPLETED)
        out["settlements"] = [
            {
                "id": "payment",
                "considerationId": "order-value",
                "status": "COMMITTED" if paid else "DRAFT",
            }
        ]
    out["contractAttributes"] = _session(order, status)
    return out


def _buyer(order: Order) -> dict[str, Any]:
    billing = order.billing
    attributes: dict[str, Any] = {"@context": CONTEXTS["core"], "@type": "beckn:Buyer"}
    for key, field in (
        ("name", "beckn:displayName"),
        ("phone", "beckn:telephone"),
        ("email", "beckn:email"),
    ):
        if isinstance(billing.get(key), str):
            attributes[field] = billing[key]
    out: dict[str, Any] = {"id": "buyer", "participantAttributes": attributes}
    if isinstance(billing.get("name"), str):
        out["descriptor"] = {"name": billing["name"]}
    return out
