"""The DEG journey a charging app plays: search, select (with an offer), init, confirm,
charging started, charging ended with the energy delivered; quotes and receipt printed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beckn import conf
from beckn.protocol.tags import tag_values
from beckn.protocol.timefmt import format_timestamp
from beckn.simulator.bap_client import BapClient, Refused
from beckn.simulator.receiver import CallbackReceiver, Received
from beckn.wire import catalog_parts

if TYPE_CHECKING:
    from _typeshed import SupportsWrite


# The session is booked to have started this long ago (the booking window takes a start
# up to BECKN_BOOKING_GRACE_MINUTES, 15, back) and its end is sent as it is played, now:
# an end still to come is refused, and 5.2 kWh at a 30 kW charger takes 10.4 minutes.
RAN = dt.timedelta(minutes=12)


def booked_start(plan: Plan, now: dt.datetime) -> dt.datetime:
    """The start the journey books: the plan's, else RAN before `now`, which this
    project's booking window must reach back to (BECKN_BOOKING_GRACE_MINUTES longer than
    RAN, by the time select, init and confirm take): else a JourneyFailed saying so,
    before anything is sent."""
    if plan.start is not None:
        return plan.start
    grace = conf.get("BECKN_BOOKING_GRACE_MINUTES")
    if dt.timedelta(minutes=grace) <= RAN:
        ran = RAN // dt.timedelta(minutes=1)
        raise JourneyFailed(
            f"the session is booked to have started {ran} minutes ago, and "
            f"BECKN_BOOKING_GRACE_MINUTES ({grace}) books a start at most {grace} minutes "
            "back: give --start, and a --kwh that the time from it to now can deliver"
        )
    return now.replace(microsecond=0) - RAN


class JourneyFailed(RuntimeError):
    pass


@dataclass
class Plan:
    gps: str = "28.345345,77.389754"
    radius_km: str = "5"
    amount: str = "100"  # rupees selected, as DEG does
    delivered_kwh: str = "5.2"
    offer_id: str | None = None  # None: the first offer the catalog shows for the charger
    start: dt.datetime | None = None  # None: RAN ago; ahead of now: booked, not charged
    wait: float = 20.0


@dataclass
class Result:
    order_id: str
    receipt: dict[str, str]
    callbacks: dict[str, dict[str, Any]]
    charged: bool = True  # False: booked ahead, its charging not simulated (no receipt)


class Journey:
    def __init__(
        self, client: BapClient, receiver: CallbackReceiver, out: SupportsWrite[str]
    ) -> None:
        self.client = client
        self.receiver = receiver
        self.out = out
        self.callbacks: dict[str, dict[str, Any]] = {}
        self.sent: dict[str, str] = {}  # action -> the message id of its last call

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def call(self, action: str, message: dict[str, Any], wait: float) -> dict[str, Any]:
        try:
            message_id = self.client.send(action, message)
        except Refused as exc:
            raise JourneyFailed(str(exc)) from exc
        self.sent[action] = message_id
        self.say(f"-> {action:8} ACK   (message {message_id})")
        got = self.receiver.wait_for(f"on_{action}", message_id, timeout=wait)
        body = self.checked(action, got)
        self.say(f"<- on_{action:8} signed by {got.signer}")
        part = catalog_parts.part_of(body.get("message") or {})
        if action == "search" and part is not None:
            body = self.whole_catalog(body, message_id, part[1], wait)
        self.callbacks[action] = body
        return body.get("message", {})

    def checked(self, action: str, got: Received) -> dict[str, Any]:
        if got.error:
            raise JourneyFailed(f"on_{action}: {got.error}")
        if "error" in got.body:
            raise JourneyFailed(f"on_{action} error {got.body['error']}")
        return got.body

    def whole_catalog(
        self, first: dict[str, Any], message_id: str, parts: int, wait: float
    ) -> dict[str, Any]:
        """A catalog sent in parts (beckn/wire/catalog_parts.py), put back together."""
        received = self.receiver.wait_for_all("on_search", message_id, parts, timeout=wait)
        messages = [self.checked("search", got).get("message") or {} for got in received]
        self.say(f"   catalog in {parts} parts, {sum(len(got.raw) for got in received)} bytes")
        return {**first, "message": catalog_parts.assemble(messages)}

    def booked_ahead(self, order_id: str, start: dt.datetime) -> Result | None:
        """The journey's result once the order is confirmed, when its booked start is
        still to come, said in one line; None when it is past, and charging is played.
        The end of charging is sent as it is played, now: the booked end, still to come, is
        refused, and charging from now to now delivers no energy. A session booked ahead
        is only booked."""
        if start <= dt.datetime.now(dt.UTC):
            return None
        self.say(
            f"   booked to start at {format_timestamp(start)}: charging is not simulated "
            "before the booked start, so the journey stops at the booking"
        )
        return Result(order_id, {}, self.callbacks, charged=False)

    def run(self, plan: Plan) -> Result:
        start = booked_start(plan, dt.datetime.now(dt.UTC))
        end = start + dt.timedelta(hours=1)
        catalog = self.call("search", search_message(plan, start, end), plan.wait)["catalog"]
        provider, item, offer_id = choose(catalog, plan.offer_id)
        self.say(f"   chose {item['id']} of {provider['id']}; offer {offer_id or '(none)'}")
        terms = trade_terms(provider, offer_id)
        if terms is not None:
            self.say(f"   energy trade terms: {describe_terms(terms)}")
        order = order_message(provider["id"], item["id"], plan.amount, start, end, offer_id)
        selected = self.call("select", {"order": order}, plan.wait)["order"]
        self.print_quote("on_select quote", selected["quote"])
        order["offers"] = self.kept_offers(selected)
        order["billing"] = BILLING
        order["fulfillments"][0]["customer"] = CUSTOMER
        initialized = self.call("init", {"order": order}, plan.wait)["order"]
        self.print_quote("on_init quote", initialized["quote"])
        order["payments"] = [payment(initialized)]
        order["quote"] = {"price": initialized["quote"]["price"]}
        confirmed = self.call("confirm", {"order": order}, plan.wait)["order"]
        order_id = confirmed["id"]
        self.say(f"   order {order_id} confirmed")
        if (booked := self.booked_ahead(order_id, start)) is not None:
            return booked
        self.call("update", update_message(order_id, "start-charging"), plan.wait)
        ended = self.call(  # charging ended now: an end still to come is refused
            "update",
            update_message(order_id, "end-charging", plan.delivered_kwh, dt.datetime.now(dt.UTC)),
            plan.wait,
        )["order"]
        self.print_quote(f"settled on {plan.delivered_kwh} kWh", ended["quote"])
        receipt = tag_values(ended.get("tags"), "receipt")
        summary = tag_values(ended.get("tags"), "offer-summary")
        self.print_receipt(receipt, summary)
        return Result(order_id, receipt, self.callbacks)

    def kept_offers(self, selected: dict[str, Any]) -> list[dict[str, str]]:
        """The offers on_select applied; one that does not apply is dropped, with why."""
        kept = []
        for offer in selected.get("offers", []):
            check = tag_values(offer.get("tags"), "offer-validation")
            if check.get("validated") == "false":
                self.say(f"   offer {offer['id']} does not apply: {check.get('reason')}")
                continue
            kept.append({"id": offer["id"]})
            self.say(f"   offer {offer['id']} applied: {offer['descriptor']['name']}")
        return kept

    def print_quote(self, label: str, quote: dict[str, Any]) -> None:
        self.say(f"   {label}:")
        for line in quote["breakup"]:
            self.say(f"     {line['title']:<48} {line['price']['value']:>10}")
        self.say(f"     {'Total':<48} {quote['price']['value']:>10} {quote['price']['currency']}")

    def print_receipt(self, receipt: dict[str, str], summary: dict[str, str]) -> None:
        self.say("   Receipt")
        for label, key in (
            ("Original price", "original-price"),
            ("  of which surge", "surge"),
            ("Discount", "discount"),
            ("Tax", "tax"),
            ("Total", "total"),
        ):
            self.say(f"     {label:<24} {receipt.get(key, '-'):>10}")
        if receipt.get("tax-included", "0.00") != "0.00":
            self.say(f"     {'(tax included in prices)':<24} {receipt['tax-included']:>10}")
        if summary.get("next-offer"):
            self.say(f"   Next offer: {summary['next-offer']}")


BILLING = {"name": "Sarah Johnson", "email": "sarah.johnson@email.com", "phone": "+91-9876543210"}
CUSTOMER = {"person": {"name": "Sarah Johnson"}, "contact": {"phone": "+91-9876543210"}}


def search_message(plan: Plan, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    circle = {
        "gps": plan.gps,
        "radius": {"type": "CONSTANT", "value": plan.radius_km, "unit": "km"},
    }
    span = {"start": format_timestamp(start), "end": format_timestamp(end)}
    stop = {"type": "START", "location": {"circle": circle}, "time": {"range": span}}
    return {"intent": {"fulfillment": {"type": "CHARGING", "stops": [stop]}}}


def trade_terms(provider: dict[str, Any], offer_id: str | None) -> dict[str, Any] | None:
    """The EnergyTradeOffer object the catalog publishes for the offer, if it is a trade."""
    for offer in provider.get("offers", []):
        if offer.get("id") == offer_id:
            text = tag_values(offer.get("tags"), "energy-trade-offer").get("EnergyTradeOffer")
            return json.loads(text) if text else None
    return None


def describe_terms(terms: dict[str, Any]) -> str:
    """One line: pricing model, rates by time of day, wheeling, quantities, settlement."""
    parts = [str(terms.get("pricingModel"))]
    for r in terms.get("timeOfDayRates", []):
        span = r.get("timeRange", {})
        parts.append(
            f"{span.get('start')}-{span.get('end')} at {r.get('rate')} {r.get('currency')}/kWh"
        )
    wheeling = terms.get("wheelingCharges")
    if wheeling:
        what = f" ({wheeling['description']})" if wheeling.get("description") else ""
        parts.append(f"wheeling {wheeling.get('amount')} {wheeling.get('currency')}{what}")
    low, high = terms.get("minimumQuantity"), terms.get("maximumQuantity")
    if low is not None or high is not None:
        parts.append(f"{low if low is not None else 0}-{high if high is not None else '…'} kWh")
    if terms.get("settlementType"):
        parts.append(f"settled {terms['settlementType']}")
    window = terms.get("validityWindow") or {}
    if window:
        parts.append(f"valid {window.get('start', '…')} to {window.get('end', '…')}")
    return "; ".join(parts)


def choose(catalog: dict[str, Any], wanted: str | None) -> tuple[dict, dict, str | None]:
    """The first item with an offer, else the first item. A wanted offer is found wherever
    the catalog has it: under an item (the offers that apply there now) or among its
    provider's offers (every offer in the catalog: one for another day, such as a weekend
    offer, or a trade), at an item it names or at one of its locations."""
    first = None
    for provider in catalog.get("providers", []):
        items = provider.get("items", [])
        for item in items:
            first = first or (provider, item)
            ids = [o["id"] for o in item.get("offers", [])]
            if (wanted and wanted in ids) or (not wanted and ids):
                return provider, item, wanted or ids[0]
        for offer in provider.get("offers", []) if wanted else ():
            if offer.get("id") == wanted and (item := _item_of(offer, items)) is not None:
                return provider, item, wanted
    if first is None:
        raise JourneyFailed("the catalog has no chargers in that circle")
    if wanted:
        raise JourneyFailed(f"no charger in the catalog offers {wanted!r}")
    return first[0], first[1], None


def _item_of(offer: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first item the offer covers: one it names, else one at its locations and in its
    categories (none listed: every item of the provider)."""
    named = set(offer.get("item_ids") or ())
    for item in items:
        if named and item.get("id") not in named:
            continue
        if not named and any(
            offer.get(key) and not set(offer[key]) & set(item.get(key) or ())
            for key in ("location_ids", "category_ids")
        ):
            continue
        return item
    return None


def order_message(
    provider_id: str,
    item_id: str,
    amount: str,
    start: dt.datetime,
    end: dt.datetime,
    offer_id: str | None,
) -> dict[str, Any]:
    measure = {"type": "CONSTANT", "value": amount, "unit": "INR"}
    order: dict[str, Any] = {
        "provider": {"id": provider_id},
        "items": [{"id": item_id, "quantity": {"selected": {"measure": measure}}}],
        "fulfillments": [
            {
                "id": "1",
                "stops": [
                    {"type": "START", "time": {"timestamp": format_timestamp(start)}},
                    {"type": "STOP", "time": {"timestamp": format_timestamp(end)}},
                ],
                "vehicle": {"make": "Tata", "model": "Nexon EV"},
            }
        ],
    }
    if offer_id:
        order["offers"] = [{"id": offer_id}]
    return order


def payment(order: dict[str, Any]) -> dict[str, Any]:
    price = order["quote"]["price"]
    return {
        "collected_by": "BPP",
        "params": {
            "amount": price["value"],
            "currency": price["currency"],
            "transaction_id": "sim-pay-1",
        },
        "status": "PAID",
        "type": "PRE-FULFILLMENT",
    }


def update_message(
    order_id: str, code: str, kwh: str | None = None, end: dt.datetime | None = None
) -> dict[str, Any]:
    fulfillment: dict[str, Any] = {"id": "1", "state": {"descriptor": {"code": code}}}
    order: dict[str, Any] = {"id": order_id, "fulfillments": [fulfillment]}
    if kwh is not None:
        measure = {"type": "CONSTANT", "value": str(Decimal(kwh)), "unit": "kWh"}
        order["items"] = [{"quantity": {"allocated": {"measure": measure}}}]
    if end is not None:
        fulfillment["stops"] = [{"type": "END", "time": {"timestamp": format_timestamp(end)}}]
    return {"update_target": "order.fulfillments[0].state", "order": order}
