"""A test BAP speaking Beckn 2.0: camelCase contexts, OpenAPI-shaped messages, posted to
/beckn/v2/<action>; and the 2.0 shapes of the journeys tests/beckn/bap.py builds in 1.1."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from beckn.protocol.timefmt import format_timestamp
from beckn.protocol.v2.schema import CONTEXTS
from tests.beckn.bap import BILLING, BPP_ID, SESSION_END, SESSION_START, Bap

DOMAIN = "beckn.one:deg:ev-charging:*"


@dataclass
class BapV2(Bap):
    def context(self, action: str, **over: Any) -> dict[str, Any]:
        ctx = {
            "domain": DOMAIN,
            "action": action,
            "version": "2.0.0",
            "bapId": self.subscriber_id,
            "bapUri": self.url,
            "bppId": BPP_ID,
            "bppUri": "https://bpp.test.example/beckn/v2",
            "transactionId": self.transaction_id,
            "messageId": str(uuid.uuid4()),
            "timestamp": format_timestamp(timezone.now()),
            "ttl": "PT30S",
        }
        ctx.update(over)
        return {k: v for k, v in ctx.items() if v is not None}

    def body(self, action: str, message: dict[str, Any], **over: Any) -> dict[str, Any]:
        return {"context": self.context(action, **over), "message": copy.deepcopy(message)}

    def post(self, client, action: str, body: Any, *, raw: bytes | None = None, **sign_kw: Any):
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {"HTTP_AUTHORIZATION": self.sign(data, **sign_kw)}
        return client.post(
            f"/beckn/v2/{action}", data=data, content_type="application/json", **headers
        )


GEO = "$['resourceAttributes']['chargingStation']['serviceLocation']['geo']"


def discover(lat: float = 28.345345, lon: float = 77.389754, metres: int = 5000) -> dict:
    return {
        "intent": {
            "spatial": [
                {
                    "op": "S_DWITHIN",
                    "targets": GEO,
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "distanceMeters": metres,
                }
            ]
        }
    }


def contract(
    item: str,
    *,
    offer: str | None = None,
    provider: str | None = None,
    kwh: float | None = None,
    inr: float | None = 100,
    start: str = SESSION_START,
    end: str = SESSION_END,
    order_id: str | None = None,
    buyer: bool = False,
    total: float | None = None,
) -> dict[str, Any]:
    resource: dict[str, Any] = {"id": item, "quantity": {}}
    if kwh is not None:
        resource["quantity"] = {"unitCode": "KWH", "unitQuantity": kwh}
    elif inr is not None:
        resource["quantity"] = {"unitCode": "INR", "unitQuantity": inr}
    chosen: dict[str, Any] = {"id": offer or f"list-price:{item}", "resourceIds": [item]}
    if provider:
        chosen["provider"] = {"id": provider, "descriptor": {"name": provider}}
    out: dict[str, Any] = {
        "commitments": [
            {"status": {"descriptor": {"code": "DRAFT"}}, "resources": [resource], "offer": chosen}
        ],
        "contractAttributes": {
            "@context": CONTEXTS["ChargingSession"],
            "@type": "ChargingSession",
            "preferences": {"startTime": start, "endTime": end},
            "vehicleMake": "Tata",
            "vehicleModel": "Nexon EV",
        },
    }
    if order_id:
        out["id"] = order_id
    if buyer:
        out["participants"] = [
            {
                "id": "buyer-1",
                "descriptor": {"name": BILLING["name"]},
                "participantAttributes": {
                    "@context": CONTEXTS["core"],
                    "@type": "beckn:Buyer",
                    "beckn:displayName": BILLING["name"],
                    "beckn:telephone": BILLING["phone"],
                    "beckn:email": BILLING["email"],
                },
            }
        ]
    if total is not None:
        out["consideration"] = [
            {
                "id": "order-value",
                "status": {"code": "AGREED"},
                "considerationAttributes": {
                    "@context": CONTEXTS["core"],
                    "@type": "beckn:PriceSpecification",
                    "currency": "INR",
                    "value": total,
                },
            }
        ]
    return {"contract": out}


def by_id(order_id: str, item: str) -> dict[str, Any]:
    """A status / cancel message: the contract id (and the commitment the schema wants)."""
    return contract(item, order_id=order_id, inr=None)


def session_update(order_id: str, item: str, status: str, kwh: float | None = None) -> dict:
    out = contract(item, order_id=order_id, inr=None)
    attributes: dict[str, Any] = {
        "@context": CONTEXTS["ChargingSession"],
        "@type": "ChargingSession",
        "sessionStatus": status,
    }
    if kwh is not None:
        attributes["meteredEnergyKWh"] = kwh
        attributes["lastUpdated"] = SESSION_END
    out["contract"]["performance"] = [{"id": "1", "performanceAttributes": attributes}]
    return out


def with_add_ons(message: dict, charger: str, *add_on_ids: str) -> dict:
    """The contract with a commitment per add-on at `charger`, under its offer."""
    message["contract"]["commitments"].extend(
        {
            "status": {"descriptor": {"code": "DRAFT"}},
            "resources": [{"id": charger, "quantity": {"unitQuantity": 1}}],
            "offer": {"id": f"add-on:{a}", "resourceIds": [charger]},
        }
        for a in add_on_ids
    )
    return message
