"""A validated 2.0 request (the OpenAPI's shape) as the message the handlers read.

The handlers are the same for both versions: they read 1.1's message (order, items,
fulfillments, offers, ...) through beckn.wire.request_parsing and the order services. A
2.0 request is therefore read here into that message, once, at intake; what is stored and
handled is that, with the 2.0 original kept beside it for the record.

What is read (docs/beckn.md, "1.1 and 2.0 side by side", has the whole map):

- discover: `intent.spatial` (an S_DWITHIN around a Point: the search circle),
  `intent.filters` (a JSONPath expression: `beckn:id == '...'` the item, a provider id,
  `connectorType == '...'`, `maxPowerKW >= n`, and the session's time as DEG writes it,
  `availabilityWindow.startTime <= '18:15:00' && availabilityWindow.endTime >= '19:15:00'`:
  times of day at their next occurrence in TIME_ZONE, or RFC 3339 instants),
  `intent.textSearch` (ignored: chargers are found by place and connector);
- select / init / confirm: the first commitment's resource (the charger, its quantity in
  KWH or INR) and offer (an offer of ours by id; `list-price:<charger>` is the list price,
  no offer; its `descriptor.code`: an offer code), the add-ons (each further commitment
  under an add-on's offer, `add-on:<id>`), `contractAttributes` (ChargingSession:
  `preferences.startTime/endTime`, the
  vehicle, `buyerFinderFee`: the BAP's terms, as a `buyer-finder-fee` tag group on the
  order with `fee-type` and `fee-value`), the buyer participant (billing and contact),
  the monetary consideration's value (what the BAP agrees to pay, checked at confirm as
  1.1's quote price is);
- status / cancel / update: `contract.id` (our order id); track: `tracking.contract.id`;
  update: the first performance's
  ChargingSession `sessionStatus` (ACTIVE or PENDING: start; STOP or COMPLETED: stop, with
  `meteredEnergyKWh`);
- rate: each rating input's target id and `range.ratingValue`; support: `orderId`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from beckn.protocol.context import in_range
from beckn.protocol.timefmt import format_timestamp, parse_timestamp

LIST_PRICE = "list-price"  # the id prefix of a charger's list-price offer in our catalogs
ADD_ON = "add-on:"  # the id prefix of an add-on's offer in our catalogs
UNITS = {"KWH": "kWh", "INR": "INR"}
START_STATES = {"ACTIVE", "PENDING"}
STOP_STATES = {"STOP", "COMPLETED"}
RATING_CATEGORIES = {
    "ORDER": "Order",
    "CONTRACT": "Order",
    "FULFILLMENT": "Fulfillment",
    "PERFORMANCE": "Fulfillment",
    "ITEM": "Item",
    "RESOURCE": "Item",
    "PROVIDER": "Provider",
}


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _first(value: Any) -> dict[str, Any]:
    items = _seq(value)
    return _obj(items[0]) if items else {}


def _text(number: Any) -> str | None:
    if isinstance(number, bool) or not isinstance(number, int | float | str):
        return None
    try:
        return format(Decimal(str(number)).normalize(), "f")
    except InvalidOperation:
        return None


def internal_message(
    action: str, message: dict[str, Any], now: dt.datetime | None = None
) -> dict[str, Any]:
    """The handler's message for a 2.0 request to /<action> (already in the OpenAPI's
    shape and valid); `now` places a discover's times of day."""
    if action == "discover":
        return _discover(message, now or dt.datetime.now(dt.UTC))
    reader = _READERS.get(action)
    return reader(message) if reader is not None else {}


# -- discover --------------------------------------------------------------------------

_EQUALS = re.compile(r"@\.([A-Za-z:._]+)\s*==\s*'([^']*)'")
_AT_LEAST = re.compile(r"@\.([A-Za-z:._]+)\s*>=\s*([0-9.]+)")
_STARTS = re.compile(r"@\.[A-Za-z:._]*availabilityWindow\.(?:schema:)?start\w*\s*<=\s*'([^']+)'")
_ENDS = re.compile(r"@\.[A-Za-z:._]*availabilityWindow\.(?:schema:)?end\w*\s*>=\s*'([^']+)'")


def _moment(text: str, now: dt.datetime, after: dt.datetime | None = None) -> dt.datetime | None:
    """A filter's time: an RFC 3339 instant as it is; a time of day ('18:15:00') its next
    occurrence in the BPP's zone (after `after`, for an end)."""
    try:
        instant = parse_timestamp(text)
    except ValueError:
        pass
    else:  # outside the years we take (protocol.context.TIMESTAMP_RANGE): not a time
        return instant if in_range(instant) is None else None
    try:
        clock = dt.time.fromisoformat(text)
    except ValueError:
        return None
    zone = ZoneInfo(settings.TIME_ZONE)
    base = (after or now).astimezone(zone)
    moment = dt.datetime.combine(base.date(), clock, tzinfo=zone)
    if moment <= base if after is not None else moment < base - dt.timedelta(minutes=5):
        moment += dt.timedelta(days=1)
    return moment


def _window(expression: str, now: dt.datetime) -> dict[str, str] | None:
    """The session a filter asks availability for: `availabilityWindow.startTime <= t1 &&
    availabilityWindow.endTime >= t2` (DEG's discovery-within-a-timerange)."""
    starts, ends = _STARTS.search(expression), _ENDS.search(expression)
    start = _moment(starts.group(1), now) if starts else None
    if start is None:
        return None
    end = _moment(ends.group(1), now, after=start) if ends else None
    span = {"start": format_timestamp(start)}
    if end is not None:
        span["end"] = format_timestamp(end)
    return span


def _discover(message: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    intent = _obj(message.get("intent"))
    out: dict[str, Any] = {}
    fulfillment: dict[str, Any] = {}
    for constraint in _seq(intent.get("spatial")):
        constraint = _obj(constraint)
        geometry = _obj(constraint.get("geometry"))
        point = _seq(geometry.get("coordinates"))
        if geometry.get("type") != "Point" or len(point) < 2:
            continue
        lon, lat = point[0], point[1]
        metres = constraint.get("distanceMeters")
        circle: dict[str, Any] = {"gps": f"{lat},{lon}"}
        if isinstance(metres, int | float) and not isinstance(metres, bool):
            circle["radius"] = {"value": _text(metres), "unit": "m"}
        fulfillment["stops"] = [{"location": {"circle": circle}}]
        break
    expression = str(_obj(intent.get("filters")).get("expression", ""))
    tags = []
    for path, value in _EQUALS.findall(expression):
        leaf = path.rsplit(".", 1)[-1]
        if path in ("beckn:id", "id"):
            out["item"] = {"id": value}
        elif "provider" in path and leaf in ("beckn:id", "id"):
            out["provider"] = {"id": value}
        elif leaf == "connectorType":
            tags.append({"descriptor": {"code": "connector-type"}, "value": value})
    for path, value in _AT_LEAST.findall(expression):
        if path.endswith("maxPowerKW"):
            tags.append({"descriptor": {"code": "power-rating"}, "value": value})
    if tags:
        fulfillment["tags"] = [{"list": tags}]
    span = _window(expression, now)
    if span is not None:
        stops = fulfillment.setdefault("stops", [{}])
        stops[0]["time"] = {"range": span}
    if fulfillment:
        out["fulfillment"] = fulfillment
    return {"intent": out}


# -- select / init / confirm -----------------------------------------------------------


def _order(message: dict[str, Any]) -> dict[str, Any]:
    contract = _obj(message.get("contract"))
    commitment = _first(contract.get("commitments"))
    resource = _first(commitment.get("resources"))
    offer = _obj(commitment.get("offer"))
    order: dict[str, Any] = {}
    if isinstance(contract.get("id"), str):
        order["id"] = contract["id"]
    provider = _obj(offer.get("provider")).get("id")
    if isinstance(provider, str):
        order["provider"] = {"id": provider}
    item: dict[str, Any] = {"id": resource.get("id")}
    quantity = _obj(resource.get("quantity"))
    unit = UNITS.get(str(quantity.get("unitCode", "")).upper(), str(quantity.get("unitCode", "")))
    amount = _text(quantity.get("unitQuantity"))
    if amount is not None:
        item["quantity"] = {"selected": {"measure": {"value": amount, "unit": unit}}}
    add_ons = _add_ons(contract)
    if add_ons is not None:
        item["add_ons"] = add_ons
    order["items"] = [item]
    asked: dict[str, Any] = {}
    offer_id = offer.get("id")
    if isinstance(offer_id, str) and offer_id and not offer_id.startswith(LIST_PRICE):
        asked["id"] = offer_id
    code = _obj(offer.get("descriptor")).get("code")
    if isinstance(code, str) and code:  # an offer code, as 1.1's offers[].descriptor.code
        asked["descriptor"] = {"code": code}
    if asked:
        order["offers"] = [asked]
    session = _obj(contract.get("contractAttributes"))
    fulfillment: dict[str, Any] = {"id": "1"}
    preferences = _obj(session.get("preferences"))
    stops = []
    if isinstance(preferences.get("startTime"), str):
        stops.append({"type": "START", "time": {"timestamp": preferences["startTime"]}})
    if isinstance(preferences.get("endTime"), str):
        stops.append({"type": "END", "time": {"timestamp": preferences["endTime"]}})
    if stops:
        fulfillment["stops"] = stops
    vehicle = {
        k: session[f"vehicle{k.title()}"]
        for k in ("make", "model")
        if f"vehicle{k.title()}" in session
    }
    if vehicle:
        fulfillment["vehicle"] = vehicle
    buyer = _buyer(contract)
    if buyer:
        fulfillment["customer"] = {
            "person": {"name": buyer.get("name", "")},
            "contact": {k: buyer[k] for k in ("phone", "email") if k in buyer},
        }
        order["billing"] = buyer
    order["fulfillments"] = [fulfillment]
    fee = _obj(session.get("buyerFinderFee"))
    if fee:  # the BAP's terms, for the fee rules to read (a tag group, as 1.1 carries terms)
        terms = [
            {"descriptor": {"code": code}, "value": _text(fee[key]) or str(fee[key])}
            for key, code in (("feeType", "fee-type"), ("feeValue", "fee-value"))
            if key in fee
        ]
        order["tags"] = [{"descriptor": {"code": "buyer-finder-fee"}, "list": terms}]
    value = _obj(_first(contract.get("consideration")).get("considerationAttributes"))
    total = value.get("value")
    if isinstance(total, int | float) and not isinstance(total, bool):
        currency = str(value.get("currency", "INR"))
        # as sent, to its last digit: confirm compares it with our total, nothing rounded
        order["quote"] = {"price": {"value": _text(total) or "NaN", "currency": currency}}
    return {"order": order}


def _add_ons(contract: dict[str, Any]) -> list[dict[str, str]] | None:
    """The add-ons asked for: each commitment after the first under an add-on's offer
    (`add-on:<id>`), as 1.1's items[0].add_ons; None when the contract has no commitment
    but the charging one (then the order keeps the add-ons it had, as in 1.1)."""
    more = _seq(contract.get("commitments"))[1:]
    if not more:
        return None
    ids = []
    for commitment in more:
        offer_id = _obj(_obj(commitment).get("offer")).get("id")
        if isinstance(offer_id, str) and offer_id.startswith(ADD_ON):
            ids.append({"id": offer_id.removeprefix(ADD_ON)})
    return ids or None


def _buyer(contract: dict[str, Any]) -> dict[str, str]:
    for participant in _seq(contract.get("participants")):
        participant = _obj(participant)
        attributes = _obj(participant.get("participantAttributes"))
        name = attributes.get("beckn:displayName") or _obj(participant.get("descriptor")).get(
            "name"
        )
        out = {}
        for key, source in (
            ("name", name),
            ("phone", attributes.get("beckn:telephone")),
            ("email", attributes.get("beckn:email")),
        ):
            if isinstance(source, str) and source:
                out[key] = source
        if out:
            return out
    return {}


def _confirm(message: dict[str, Any]) -> dict[str, Any]:
    out = _order(message)
    order = out["order"]
    total = _obj(_obj(order.get("quote")).get("price")).get("value", "0")
    order["payments"] = [
        {
            "collected_by": "BPP",
            "params": {"amount": total, "currency": "INR"},
            "status": "PAID",
            "type": "PRE-FULFILLMENT",
        }
    ]
    return out


# -- after confirmation ----------------------------------------------------------------


def _order_id(message: dict[str, Any]) -> dict[str, Any]:
    contract = _obj(message.get("contract"))
    return {"order_id": contract.get("id")} if isinstance(contract.get("id"), str) else {}


def _track(message: dict[str, Any]) -> dict[str, Any]:
    """track: the contract the tracking is asked for (`tracking.contract.id`)."""
    contract = _obj(_obj(message.get("tracking")).get("contract"))
    return {"order_id": contract["id"]} if isinstance(contract.get("id"), str) else {}


def _cancel(message: dict[str, Any]) -> dict[str, Any]:
    out = _order_id(message)
    reason = _obj(_obj(message.get("contract")).get("descriptor"))
    if isinstance(reason.get("code"), str):
        out["cancellation_reason_id"] = reason["code"]
    if reason:
        out["descriptor"] = {k: v for k, v in reason.items() if k in ("name", "code", "shortDesc")}
    return out


def _update(message: dict[str, Any]) -> dict[str, Any]:
    contract = _obj(message.get("contract"))
    performance = _first(contract.get("performance"))
    session = _obj(performance.get("performanceAttributes")) or _obj(
        contract.get("contractAttributes")
    )
    status = str(session.get("sessionStatus", "")).upper()
    code = (
        "start-charging"
        if status in START_STATES
        else "end-charging"
        if status in STOP_STATES
        else status.lower()
    )
    fulfillment: dict[str, Any] = {
        "id": "1",
        "type": "CHARGING",
        "state": {"descriptor": {"code": code}},
    }
    order: dict[str, Any] = {"id": contract.get("id"), "fulfillments": [fulfillment]}
    kwh = _text(session.get("meteredEnergyKWh"))
    if code == "end-charging" and kwh is not None:
        order["items"] = [
            {
                "quantity": {
                    "allocated": {"measure": {"type": "CONSTANT", "value": kwh, "unit": "kWh"}}
                }
            }
        ]
    ended = session.get("lastUpdated")
    if code == "end-charging" and isinstance(ended, str):
        fulfillment["stops"] = [{"type": "END", "time": {"timestamp": ended}}]
    return {"update_target": "order.fulfillments[0].state", "order": order}


def _rate(message: dict[str, Any]) -> dict[str, Any]:
    ratings = []
    for raw in _seq(message.get("ratingInputs")):
        rating = _obj(raw)
        target = _obj(rating.get("target"))
        code = str(_obj(target.get("descriptor")).get("code", "ORDER")).upper()
        value = _obj(rating.get("range")).get("ratingValue")
        ratings.append(
            {
                "id": str(target.get("id", "")),
                "rating_category": RATING_CATEGORIES.get(code, code.title()),
                "value": _text(value) if value is not None else "",
            }
        )
    return {"ratings": ratings}


def _support(message: dict[str, Any]) -> dict[str, Any]:
    order_id = _obj(message.get("support")).get("orderId")
    return {"support": {"ref_id": order_id}} if isinstance(order_id, str) else {"support": {}}


_READERS = {
    "select": _order,
    "init": _order,
    "confirm": _confirm,
    "status": _order_id,
    "track": _track,
    "cancel": _cancel,
    "update": _update,
    "rate": _rate,
    "support": _support,
}
