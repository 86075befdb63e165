"""A test BAP: its keys, its registry row, signed requests, and DEG-shaped messages."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from beckn.models import Subscriber
from beckn.protocol.signing import generate_keypair, sign_request
from beckn.protocol.timefmt import format_timestamp
from cpo_portal.demo import NATIONAL_HOLIDAYS

BPP_ID = "bpp.test.example"


def ahead(weekday: int) -> dt.date:
    """The first `weekday` (0: Monday) at least two weeks from today, clear of the national
    holidays and their eves: a day the booking window takes, whose prices the tests know."""
    day = dt.date.today() + dt.timedelta(days=14)
    while day.weekday() != weekday or any(
        abs((day - dt.date(day.year, month, date)).days) <= 1
        for (month, date), _ in NATIONAL_HOLIDAYS
    ):
        day += dt.timedelta(days=1)
    return day


SATURDAY, MONDAY = ahead(5), ahead(0)
SESSION_START = f"{SATURDAY}T10:00:00+05:30"  # a Saturday morning, outside the surge
SESSION_END = f"{SATURDAY}T11:00:00+05:30"


@dataclass
class Bap:
    subscriber_id: str = "bap.test.example"
    key_id: str = "bap-key-1"
    url: str = "https://bap.test.example/beckn"
    private: str = ""
    public: str = ""
    transaction_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        if not self.private:
            self.private, self.public = generate_keypair()

    def register(self, **extra: Any) -> Subscriber:
        return Subscriber.objects.create(
            subscriber_id=self.subscriber_id,
            type="BAP",
            url=self.url,
            key_id=self.key_id,
            signing_public_key=self.public,
            **extra,
        )

    def context(self, action: str, **over: Any) -> dict[str, Any]:
        ctx = {
            "domain": "deg:ev-charging",
            "action": action,
            "location": {"country": {"code": "IND"}, "city": {"code": "std:011"}},
            "version": "1.1.0",
            "bap_id": self.subscriber_id,
            "bap_uri": self.url,
            "bpp_id": BPP_ID,
            "bpp_uri": "https://bpp.test.example/beckn",
            "transaction_id": self.transaction_id,
            "message_id": str(uuid.uuid4()),
            "timestamp": format_timestamp(timezone.now()),
            "ttl": "PT30S",
        }
        ctx.update(over)
        return {k: v for k, v in ctx.items() if v is not None}

    def body(self, action: str, message: dict[str, Any], **over: Any) -> dict[str, Any]:
        return {"context": self.context(action, **over), "message": copy.deepcopy(message)}

    def sign(self, raw: bytes, **kw: Any) -> str:
        kw.setdefault("created", int(timezone.now().timestamp()))  # the clock the BPP reads
        return sign_request(
            raw,
            subscriber_id=kw.pop("subscriber_id", self.subscriber_id),
            key_id=kw.pop("key_id", self.key_id),
            private_key_b64=kw.pop("private", self.private),
            **kw,
        )

    def signed(self, action: str, message: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """A new message's raw body and its Authorization header, as intake.accept takes
        them."""
        raw = json.dumps(self.body(action, message)).encode()
        return raw, {"Authorization": self.sign(raw)}

    def post(self, client, action: str, body: Any, *, raw: bytes | None = None, **sign_kw: Any):
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {"HTTP_AUTHORIZATION": self.sign(data, **sign_kw)}
        return client.post(
            f"/beckn/{action}", data=data, content_type="application/json", **headers
        )


# -- DEG-shaped messages ----------------------------------------------------------------


def search(gps: str = "28.345345,77.389754", radius: str = "5", connector: str | None = "CCS2"):
    stop = {
        "location": {"circle": {"gps": gps, "radius": {"value": radius, "unit": "km"}}},
        "type": "START-CHARGING",
        "time": {"range": {"start": SESSION_START, "end": SESSION_END}},
    }
    fulfillment: dict[str, Any] = {"type": "CHARGING", "stops": [stop]}
    if connector:
        fulfillment["tags"] = [
            {"list": [{"descriptor": {"code": "connector-type"}, "value": connector}]}
        ]
    return {
        "intent": {
            "descriptor": {"name": "EV charger"},
            "item": {"descriptor": {"code": "CHARGER"}},
            "fulfillment": fulfillment,
        }
    }


def order(provider: str, item: str, *, amount: str = "100", offers=("weekend-discount-25",)):
    out: dict[str, Any] = {
        "provider": {"id": provider},
        "items": [
            {
                "id": item,
                "quantity": {
                    "selected": {"measure": {"type": "CONSTANT", "value": amount, "unit": "INR"}}
                },
            }
        ],
        "fulfillments": [
            {
                "id": "1",
                "stops": [
                    {"type": "START", "time": {"timestamp": SESSION_START}},
                    {"type": "STOP", "time": {"timestamp": SESSION_END}},
                ],
                "vehicle": {"make": "Tata", "model": "Nexon EV"},
            }
        ],
    }
    if offers:
        out["offers"] = [{"id": offer_id} for offer_id in offers]
    return out


BILLING = {
    "name": "Sarah Johnson",
    "address": "123 MG Road, Bangalore, Karnataka, 560001, India",
    "email": "sarah.johnson@email.com",
    "phone": "+91-9876543210",
}


def select(provider: str, item: str, **kw: Any) -> dict[str, Any]:
    return {"order": order(provider, item, **kw)}


def init(provider: str, item: str, **kw: Any) -> dict[str, Any]:
    out = order(provider, item, **kw)
    out["billing"] = BILLING
    out["fulfillments"][0]["customer"] = {
        "person": {"name": "Sarah Johnson"},
        "contact": {"phone": "+91-9876543210"},
    }
    return {"order": out}


def confirm(provider: str, item: str, total: str | None = None, **kw: Any) -> dict[str, Any]:
    out = init(provider, item, **kw)
    out["order"]["payments"] = [
        {
            "collected_by": "BPP",
            "params": {"amount": total or "0", "currency": "INR", "transaction_id": "txn-001"},
            "status": "PAID",
            "type": "PRE-FULFILLMENT",
        }
    ]
    if total:
        out["order"]["quote"] = {"price": {"value": total, "currency": "INR"}}
    return out


def update_start(order_id: str) -> dict[str, Any]:
    return {
        "update_target": "order.fulfillments[0].state",
        "order": {
            "id": order_id,
            "fulfillments": [
                {"id": "1", "type": "CHARGING", "state": {"descriptor": {"code": "start-charging"}}}
            ],
        },
    }


def update_end(order_id: str, kwh: str = "5.2", end: str = SESSION_END) -> dict[str, Any]:
    return {
        "update_target": "order.fulfillments[0].state",
        "order": {
            "id": order_id,
            "items": [
                {
                    "quantity": {
                        "allocated": {"measure": {"type": "CONSTANT", "value": kwh, "unit": "kWh"}}
                    }
                }
            ],
            "fulfillments": [
                {
                    "id": "1",
                    "state": {"descriptor": {"code": "end-charging"}},
                    "stops": [{"type": "END", "time": {"timestamp": end}}],
                }
            ],
        },
    }
