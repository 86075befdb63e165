"""The same journey in Beckn 2.0: discover, select (with an offer), init, confirm, charging
started, charging stopped with the energy delivered; each order value printed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beckn.protocol.timefmt import format_timestamp
from beckn.protocol.v2.schema import CONTEXTS
from beckn.simulator.journey import (
    BILLING,
    Journey,
    JourneyFailed,
    Plan,
    Result,
    booked_start,
    describe_terms,
)


class JourneyV2(Journey):
    def run(self, plan: Plan) -> Result:
        start = booked_start(plan, dt.datetime.now(dt.UTC))
        end = start + dt.timedelta(hours=1)
        catalogs = self.call("discover", discover_message(plan), plan.wait)["catalogs"]
        provider, charger, offer = choose(catalogs, plan.offer_id)
        offer_id = offer["id"] if offer else None
        self.say(f"   chose {charger} of {provider}; offer {offer_id or '(list price)'}")
        for notice in surge_notices(catalogs, charger):
            self.say(f"   surge: {notice}")
        terms = (offer or {}).get("offerAttributes", {})
        if terms.get("@type") == "EnergyTradeOffer":
            self.say(f"   energy trade terms: {describe_terms(terms)}")
        contract = contract_message(provider, charger, plan.amount, start, end, offer_id)
        selected = self.call("select", {"contract": contract}, plan.wait)["contract"]
        self.print_value("on_select order value", selected)
        contract["commitments"][0]["offer"] = self.kept_offer(selected, offer_id)
        contract["participants"] = [BUYER]
        initialized = self.call("init", {"contract": contract}, plan.wait)["contract"]
        self.print_value("on_init order value", initialized)
        contract["consideration"] = initialized["consideration"]
        confirmed = self.call("confirm", {"contract": contract}, plan.wait)["contract"]
        order_id = confirmed["id"]
        self.say(f"   order {order_id} confirmed")
        if (booked := self.booked_ahead(order_id, start)) is not None:
            return booked
        self.call("update", session_message(order_id, contract, "ACTIVE"), plan.wait)
        ended = self.call(  # charging ended now: an end still to come is refused
            "update",
            session_message(
                order_id, contract, "COMPLETED", float(plan.delivered_kwh), dt.datetime.now(dt.UTC)
            ),
            plan.wait,
        )["contract"]
        self.print_value(f"settled on {plan.delivered_kwh} kWh", ended)
        value = value_of(ended)
        receipt = {"total": f"{value.get('value', 0):.2f}"}
        return Result(order_id, receipt, self.callbacks)

    def kept_offer(self, selected: dict[str, Any], chosen: str | None) -> dict[str, Any]:
        """The offer on_select quoted (the chosen one, or the list price when it does not
        apply to this session: said, as 1.1's journey drops an offer that does not apply)."""
        quoted = selected["commitments"][0]["offer"]
        if chosen and quoted["id"] != chosen:
            self.say(f"   offer {chosen} does not apply; on_select quoted {quoted['id']}")
        return {k: quoted[k] for k in ("id", "resourceIds", "provider") if k in quoted}

    def print_value(self, label: str, contract: dict[str, Any]) -> None:
        value = value_of(contract)
        self.say(f"   {label}:")
        for c in value.get("components", []):
            self.say(f"     {c['type']:<10} {c['description'][:60]:<60} {c['value']:>10.2f}")
        self.say(f"     {'Total':<71} {value.get('value', 0):>10.2f} {value.get('currency', '')}")


BUYER = {
    "id": "sim-buyer",
    "descriptor": {"name": BILLING["name"]},
    "participantAttributes": {
        "@context": CONTEXTS["core"],
        "@type": "beckn:Buyer",
        "beckn:displayName": BILLING["name"],
        "beckn:telephone": BILLING["phone"],
        "beckn:email": BILLING["email"],
    },
}


def value_of(contract: dict[str, Any]) -> dict[str, Any]:
    for consideration in contract.get("consideration", []):
        return consideration.get("considerationAttributes", {})
    return {}


GEO = "$['resourceAttributes']['chargingStation']['serviceLocation']['geo']"


def discover_message(plan: Plan) -> dict[str, Any]:
    lat, lon = (float(part) for part in plan.gps.split(","))
    return {
        "intent": {
            "spatial": [
                {
                    "op": "S_DWITHIN",
                    "targets": GEO,
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "distanceMeters": float(plan.radius_km) * 1000,
                }
            ]
        }
    }


def choose(
    catalogs: list[dict[str, Any]], wanted: str | None
) -> tuple[str, str, dict[str, Any] | None]:
    """(provider, charger, offer): the first charger with a promotional offer (the wanted
    one, when named, at the first charger of its catalog when it names none: an offer at
    every charger, or a trade), else the first charger at its list price."""
    first = None
    for catalog in catalogs:
        provider = catalog["provider"]["id"]
        for offer in catalog.get("offers", []):
            if offer["id"].startswith("list-price:"):
                first = first or (provider, offer["resourceIds"][0], None)
                continue
            if wanted in (None, offer["id"]) and offer.get("resourceIds"):
                return provider, offer["resourceIds"][0], offer
            if wanted == offer["id"] and catalog.get("resources"):
                return provider, catalog["resources"][0]["id"], offer
        for resource in catalog.get("resources", []):
            first = first or (provider, resource["id"], None)
    if wanted:
        raise JourneyFailed(f"no charger in the catalogs offers {wanted!r}")
    if first is None:
        raise JourneyFailed("the catalogs have no chargers in that circle")
    return first


def surge_notices(catalogs: list[dict[str, Any]], charger: str) -> list[str]:
    for catalog in catalogs:
        for offer in catalog.get("offers", []):
            if offer["id"] == f"list-price:{charger}" and offer["descriptor"].get("longDesc"):
                return [offer["descriptor"]["longDesc"]]
    return []


def contract_message(
    provider: str,
    charger: str,
    amount: str,
    start: dt.datetime,
    end: dt.datetime,
    offer_id: str | None,
) -> dict[str, Any]:
    offer = {
        "id": offer_id or f"list-price:{charger}",
        "resourceIds": [charger],
        "provider": {"id": provider, "descriptor": {"name": provider}},
    }
    return {
        "commitments": [
            {
                "status": {"descriptor": {"code": "DRAFT"}},
                "resources": [
                    {"id": charger, "quantity": {"unitCode": "INR", "unitQuantity": float(amount)}}
                ],
                "offer": offer,
            }
        ],
        "contractAttributes": {
            "@context": CONTEXTS["ChargingSession"],
            "@type": "ChargingSession",
            "preferences": {"startTime": format_timestamp(start), "endTime": format_timestamp(end)},
            "vehicleMake": "Tata",
            "vehicleModel": "Nexon EV",
        },
    }


def session_message(
    order_id: str,
    contract: dict[str, Any],
    status: str,
    kwh: float | None = None,
    end: dt.datetime | None = None,
) -> dict[str, Any]:
    session: dict[str, Any] = {
        "@context": CONTEXTS["ChargingSession"],
        "@type": "ChargingSession",
        "sessionStatus": status,
    }
    if kwh is not None:
        session["meteredEnergyKWh"] = kwh
    if end is not None:
        session["lastUpdated"] = format_timestamp(end)
    return {
        "contract": {
            "id": order_id,
            "commitments": contract["commitments"],
            "performance": [{"id": "1", "performanceAttributes": session}],
        }
    }
