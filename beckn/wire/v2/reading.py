"""A validated 2.0 request (the OpenAPI's shape) as the message the handlers read.

The handlers are the same for both versions: they read 1.1's message (order, items,
fulfillments, offers, ...) through beckn.wire.request_parsing and the order services. A
2.0 request is therefore read here into that message, once, at intake; what is stored and
handled is that, with the 2.0 original kept beside it for the record.

What is read (docs/beckn.md, "1.1 and 2.0 side by side", has the whole map):

- discover: its intent's circle, filters and time (beckn.wire.v2.discover_reading);
- select / init / confirm: the first commitment's first resource (the charger, its
  quantity in KWH or INR) and offer (an offer of ours by id; `list-price:<charger>` is the
  list price, no offer; its `descriptor.code`: an offer code), each further resource and
  commitment as an item after the charging one (an add-on: under an add-on's offer,
  `add-on:<id>`, read as 1.1's add-on item for the charger its resource names,
  `parent_item_id`, which the order services refuse unless it is the order's; any other
  resource, of the first commitment or another, as an item marked as a charger, which
  the order services refuse: an order is one charging session), `contractAttributes`
  (ChargingSession: `preferences.startTime/endTime`, the vehicle, `buyerFinderFee`: the
  BAP's terms, as a `buyer-finder-fee` tag group on the order with `fee-type` and
  `fee-value`), the buyer participant (billing and contact),
  the monetary consideration's value (what the BAP agrees to pay, checked at confirm as
  1.1's quote price is);
- status / cancel / update: `contract.id` (our order id); track: `tracking.contract.id`;
  update: the first performance's
  ChargingSession `sessionStatus` (ACTIVE or PENDING: start; STOP or COMPLETED: stop, with
  `meteredEnergyKWh`);
- rate: each rating input's target id and `range.ratingValue`; support: `orderId`.

Each reader also says where it read what it wrote (beckn.wire.v2.read_as.Read: a path of
the handlers' message, 1.1's, to the path of the 2.0 request's it came from, or would), so
that an error about the message the handlers read names the place in the request the BAP
sent (`Read.request_path`): `$.message.order.items[1].id` is
`$.message.contract.commitments[1].resources[0].id`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from beckn.protocol.json_text import obj, seq
from beckn.wire.request_parsing import ADD_ON_ITEM, CHARGER_ITEM, first
from beckn.wire.v2.contract import ADD_ON, LIST_PRICE
from beckn.wire.v2.discover_reading import discover
from beckn.wire.v2.read_as import Read, number_text

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


def read(action: str, message: dict[str, Any], now: dt.datetime | None = None) -> Read:
    """A 2.0 request to /<action> (already in the OpenAPI's shape and valid) read into
    the handlers' message; `now` places a discover's times of day."""
    if action == "discover":
        return discover(message, now or dt.datetime.now(dt.UTC))
    reader = _READERS.get(action)
    return reader(message) if reader is not None else Read({})


def internal_message(
    action: str, message: dict[str, Any], now: dt.datetime | None = None
) -> dict[str, Any]:
    """The handler's message for a 2.0 request to /<action>."""
    return read(action, message, now).message


# -- select / init / confirm -----------------------------------------------------------


CONTRACT = "$.message.contract"
ORDER = "$.message.order"
CHARGING = f"{CONTRACT}.commitments[0]"
PREFERENCES = f"{CONTRACT}.contractAttributes.preferences"
# where the order services' paths are in a contract (beside those of each further
# commitment and stop, which _order adds as it reads them)
ORDER_PATHS = {
    ORDER: CONTRACT,
    f"{ORDER}.id": f"{CONTRACT}.id",
    f"{ORDER}.provider.id": f"{CHARGING}.offer.provider.id",
    f"{ORDER}.items": f"{CONTRACT}.commitments",
    f"{ORDER}.items[0]": CHARGING,
    f"{ORDER}.items[0].id": f"{CHARGING}.resources[0].id",
    f"{ORDER}.items[0].quantity": f"{CHARGING}.resources[0].quantity",
    f"{ORDER}.items[0].quantity.selected.measure.value": (
        f"{CHARGING}.resources[0].quantity.unitQuantity"
    ),
    f"{ORDER}.items[0].quantity.selected.measure.unit": (
        f"{CHARGING}.resources[0].quantity.unitCode"
    ),
    f"{ORDER}.items[0].add_ons": f"{CONTRACT}.commitments",  # (an add-on the order kept)
    f"{ORDER}.offers": f"{CHARGING}.offer",
    f"{ORDER}.fulfillments": f"{CONTRACT}.contractAttributes",
    f"{ORDER}.fulfillments[0].stops": PREFERENCES,
    f"{ORDER}.tags": f"{CONTRACT}.contractAttributes.buyerFinderFee",
    f"{ORDER}.billing": f"{CONTRACT}.participants",
    f"{ORDER}.quote": f"{CONTRACT}.consideration",
    f"{ORDER}.quote.price": f"{CONTRACT}.consideration[0].considerationAttributes.value",
}


def _order(message: dict[str, Any]) -> Read:
    contract = obj(message.get("contract"))
    commitments = seq(contract.get("commitments"))
    commitment = first(commitments)
    resource = first(commitment.get("resources"))
    offer = obj(commitment.get("offer"))
    order: dict[str, Any] = {}
    if isinstance(contract.get("id"), str):
        order["id"] = contract["id"]
    provider = obj(offer.get("provider")).get("id")
    if isinstance(provider, str):
        order["provider"] = {"id": provider}
    item: dict[str, Any] = {"id": resource.get("id")}
    quantity = obj(resource.get("quantity"))
    unit = UNITS.get(str(quantity.get("unitCode", "")).upper(), str(quantity.get("unitCode", "")))
    amount = number_text(quantity.get("unitQuantity"))
    if amount is not None:
        item["quantity"] = {"selected": {"measure": {"value": amount, "unit": unit}}}
    paths = dict(ORDER_PATHS)
    charger = resource.get("id")
    items = [item]
    _resource_items(commitment, 0, paths, items, after=1)
    for index, further in enumerate(commitments[1:], 1):
        _further_items(obj(further), index, paths, items, charger)
    order["items"] = items
    asked: dict[str, Any] = {}
    offer_id = offer.get("id")
    if isinstance(offer_id, str) and offer_id and not offer_id.startswith(LIST_PRICE):
        asked["id"] = offer_id
    code = obj(offer.get("descriptor")).get("code")
    if isinstance(code, str) and code:  # an offer code, as 1.1's offers[].descriptor.code
        asked["descriptor"] = {"code": code}
    if asked:
        order["offers"] = [asked]
    session = obj(contract.get("contractAttributes"))
    fulfillment: dict[str, Any] = {"id": "1"}
    preferences = obj(session.get("preferences"))
    stops: list[dict[str, Any]] = []
    for kind, key in (("START", "startTime"), ("END", "endTime")):
        if isinstance(preferences.get(key), str):
            paths[f"{ORDER}.fulfillments[0].stops[{len(stops)}]"] = f"{PREFERENCES}.{key}"
            stops.append({"type": kind, "time": {"timestamp": preferences[key]}})
    if stops:
        fulfillment["stops"] = stops
    vehicle = {
        k: session[f"vehicle{k.title()}"]
        for k in ("make", "model")
        if f"vehicle{k.title()}" in session
    }
    if vehicle:
        fulfillment["vehicle"] = vehicle
    buyer, at = _buyer(contract)
    if buyer:
        buyer_at = f"{CONTRACT}.participants[{at}].participantAttributes"
        paths[f"{ORDER}.billing"] = paths[f"{ORDER}.fulfillments[0].customer"] = buyer_at
        fulfillment["customer"] = {
            "person": {"name": buyer.get("name", "")},
            "contact": {k: buyer[k] for k in ("phone", "email") if k in buyer},
        }
        order["billing"] = buyer
    order["fulfillments"] = [fulfillment]
    fee = obj(session.get("buyerFinderFee"))
    if fee:  # the BAP's terms, for the fee rules to read (a tag group, as 1.1 carries terms)
        terms = [
            {"descriptor": {"code": code}, "value": number_text(fee[key]) or str(fee[key])}
            for key, code in (("feeType", "fee-type"), ("feeValue", "fee-value"))
            if key in fee
        ]
        order["tags"] = [{"descriptor": {"code": "buyer-finder-fee"}, "list": terms}]
    value = obj(first(contract.get("consideration")).get("considerationAttributes"))
    total = value.get("value")
    if isinstance(total, int | float) and not isinstance(total, bool):
        currency = str(value.get("currency", "INR"))
        # as sent, to its last digit: confirm compares it with our total, nothing rounded
        order["quote"] = {"price": {"value": number_text(total) or "NaN", "currency": currency}}
    return Read({"order": order}, paths)


def _resource_items(
    commitment: dict[str, Any], index: int, paths: dict[str, str], items: list, after: int = 0
) -> None:
    """Each resource a commitment commits to (from its `after`th) as an item after the
    charging one, marked as a charger (whatever its id: an add-on is asked for by its
    offer), which the order services refuse: an order is one charging session."""
    at = f"{CONTRACT}.commitments[{index}]"
    resources = seq(commitment.get("resources")) or [{}]
    for k, resource in enumerate(resources[after:], after):
        item_path = f"{ORDER}.items[{len(items)}]"
        paths[item_path] = at
        paths[f"{item_path}.id"] = f"{at}.resources[{k}].id"
        paths[f"{item_path}.quantity"] = f"{at}.resources[{k}].quantity.unitQuantity"
        items.append({"id": obj(resource).get("id"), "descriptor": {"code": CHARGER_ITEM}})


def _further_items(
    commitment: dict[str, Any], index: int, paths: dict[str, str], items: list, charger: Any
) -> None:
    """A commitment after the charging one as the items after it: an add-on (its offer
    `add-on:<id>`, as many as its resource's `unitQuantity`) as 1.1's add-on item, for
    the charger its resources name (`parent_item_id`: the first that is not the order's
    `charger`, if any, which the order services refuse); any other as the resources it
    commits to (_resource_items)."""
    offer_id = obj(commitment.get("offer")).get("id")
    if not (isinstance(offer_id, str) and offer_id.startswith(ADD_ON)):
        _resource_items(commitment, index, paths, items)
        return
    at, item_path = f"{CONTRACT}.commitments[{index}]", f"{ORDER}.items[{len(items)}]"
    resource = first(commitment.get("resources"))
    paths[item_path] = at
    paths[f"{item_path}.quantity"] = f"{at}.resources[0].quantity.unitQuantity"
    paths[f"{item_path}.id"] = f"{at}.offer.id"
    item: dict[str, Any] = {"id": offer_id.removeprefix(ADD_ON)}
    item["descriptor"] = {"code": ADD_ON_ITEM}
    resources = [obj(r) for r in seq(commitment.get("resources"))]
    if resources:  # the charger it is added to (the offer's resourceIds: where it is sold)
        named = next((k for k, r in enumerate(resources) if r.get("id") != charger), 0)
        item["parent_item_id"] = resources[named].get("id")
        paths[f"{item_path}.parent_item_id"] = f"{at}.resources[{named}].id"
    count = obj(resource.get("quantity")).get("unitQuantity")
    if count is not None:
        item["quantity"] = {"selected": {"count": count}}
    items.append(item)


def _buyer(contract: dict[str, Any]) -> tuple[dict[str, str], int]:
    """The buyer's name, phone and email, and the index of the participant giving them."""
    for index, participant in enumerate(seq(contract.get("participants"))):
        participant = obj(participant)
        attributes = obj(participant.get("participantAttributes"))
        name = attributes.get("beckn:displayName") or obj(participant.get("descriptor")).get("name")
        out = {}
        for key, source in (
            ("name", name),
            ("phone", attributes.get("beckn:telephone")),
            ("email", attributes.get("beckn:email")),
        ):
            if isinstance(source, str) and source:
                out[key] = source
        if out:
            return out, index
    return {}, 0


def _confirm(message: dict[str, Any]) -> Read:
    out = _order(message)
    order = out.message["order"]
    total = obj(obj(order.get("quote")).get("price")).get("value", "0")
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


def _order_id(message: dict[str, Any]) -> Read:
    contract = obj(message.get("contract"))
    out = {"order_id": contract["id"]} if isinstance(contract.get("id"), str) else {}
    return Read(out, {"$.message.order_id": f"{CONTRACT}.id"})


def _track(message: dict[str, Any]) -> Read:
    """track: the contract the tracking is asked for (`tracking.contract.id`)."""
    contract = obj(obj(message.get("tracking")).get("contract"))
    out = {"order_id": contract["id"]} if isinstance(contract.get("id"), str) else {}
    return Read(out, {"$.message.order_id": "$.message.tracking.contract.id"})


def _cancel(message: dict[str, Any]) -> Read:
    out = _order_id(message)
    reason = obj(obj(message.get("contract")).get("descriptor"))
    if isinstance(reason.get("code"), str):
        out.message["cancellation_reason_id"] = reason["code"]
    if reason:
        shown = {k: v for k, v in reason.items() if k in ("name", "code", "shortDesc")}
        out.message["descriptor"] = shown
    out.paths["$.message.cancellation_reason_id"] = f"{CONTRACT}.descriptor.code"
    out.paths["$.message.descriptor"] = f"{CONTRACT}.descriptor"
    return out


def _update(message: dict[str, Any]) -> Read:
    contract = obj(message.get("contract"))
    # the session as the performance's attributes, else the contract's
    bag = f"{CONTRACT}.performance[0].performanceAttributes"
    session = obj(first(contract.get("performance")).get("performanceAttributes"))
    if not session and obj(contract.get("contractAttributes")):
        bag, session = f"{CONTRACT}.contractAttributes", obj(contract["contractAttributes"])
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
    kwh = number_text(session.get("meteredEnergyKWh"))
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
    paths = {
        ORDER: CONTRACT,
        f"{ORDER}.id": f"{CONTRACT}.id",
        "$.message.update_target": f"{bag}.sessionStatus",
        f"{ORDER}.fulfillments[0].state": f"{bag}.sessionStatus",
        f"{ORDER}.fulfillments[0].stops": f"{bag}.lastUpdated",
        f"{ORDER}.items[0].quantity.allocated": f"{bag}.meteredEnergyKWh",
    }
    return Read({"update_target": "order.fulfillments[0].state", "order": order}, paths)


# the scale 1.1's rule keeps ratings on (beckn.handlers.rating): its best, and its worst
# (core v2's RatingInput: "default 1 or 0 if omitted"; a 0 is refused by the rule itself)
OUR_BEST, OUR_WORST = "5", ("0", "1")


def _rating_value(span: dict[str, Any]) -> str:
    """`ratingValue` as 1.1's rating value; on a scale of the BAP's own (`worstRating`,
    `bestRating` other than ours) the value said with it, which the rating rule refuses
    ("'8 on a scale of 1 to 10' is not a rating from 1 to 5"), never read as of 5."""
    value = span.get("ratingValue")
    text = number_text(value) if value is not None else ""
    best, worst = (span.get(k) for k in ("bestRating", "worstRating"))
    best_text = OUR_BEST if best is None else number_text(best)
    worst_text = OUR_WORST[1] if worst is None else number_text(worst)
    if best_text == OUR_BEST and worst_text in OUR_WORST:
        return text or ""
    return f"{text or value} on a scale of {worst_text or worst} to {best_text or best}"


def _rate(message: dict[str, Any]) -> Read:
    ratings = []
    paths = {"$.message.ratings": "$.message.ratingInputs"}
    for index, raw in enumerate(seq(message.get("ratingInputs"))):
        rating = obj(raw)
        target = obj(rating.get("target"))
        code = str(obj(target.get("descriptor")).get("code", "ORDER")).upper()
        ratings.append(
            {
                "id": str(target.get("id", "")),
                "rating_category": RATING_CATEGORIES.get(code, code.title()),
                "value": _rating_value(obj(rating.get("range"))),
            }
        )
        read, sent = f"$.message.ratings[{index}]", f"$.message.ratingInputs[{index}]"
        paths[read] = sent
        paths[f"{read}.id"] = f"{sent}.target.id"
        paths[f"{read}.rating_category"] = f"{sent}.target.descriptor.code"
        paths[f"{read}.value"] = f"{sent}.range.ratingValue"
    return Read({"ratings": ratings}, paths)


def _support(message: dict[str, Any]) -> Read:
    order_id = obj(message.get("support")).get("orderId")
    out = {"support": {"ref_id": order_id}} if isinstance(order_id, str) else {"support": {}}
    return Read(out, {"$.message.support.ref_id": "$.message.support.orderId"})


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
