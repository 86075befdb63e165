"""The messages of bench/beckn_ack.py: valid signed selects from the bench BAP."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

BAP_ID = "bench-bap.example"


def select_body(message_id: str) -> dict:
    from beckn import conf
    from beckn.protocol.timefmt import format_timestamp

    now = format_timestamp(dt.datetime.now(dt.UTC))
    measure = {"type": "CONSTANT", "value": "100", "unit": "INR"}
    return {
        "context": {
            "domain": "deg:ev-charging", "action": "select", "version": "1.1.0",
            "location": {"country": {"code": "IND"}, "city": {"code": "std:080"}},
            "bap_id": BAP_ID, "bap_uri": "https://bench-bap.example/beckn",
            "bpp_id": conf.bpp_id(), "bpp_uri": conf.bpp_uri(),
            "transaction_id": message_id, "message_id": message_id, "timestamp": now,
            "ttl": "PT15M",
        },
        "message": {"order": {
            "provider": {"id": "cpo1.com"},
            "items": [{"id": "pe-charging-01", "quantity": {"selected": {"measure": measure}}}],
            "fulfillments": [{"id": "1", "stops": [
                {"type": "START", "time": {"timestamp": now}},
            ], "vehicle": {"make": "Tata", "model": "Nexon EV"}}],
            "offers": [{"id": "weekend-discount-25"}],
        }},
    }  # fmt: skip


def search_body(message_id: str) -> dict:
    """A search 5 km around the demo's flagship charger, for a session an hour from now."""
    from beckn.protocol.timefmt import format_timestamp
    from beckn.simulator.journey import Plan, search_message

    body = select_body(message_id)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    body["context"]["action"] = "search"
    body["message"] = search_message(Plan(), start, start + dt.timedelta(hours=1))
    body["context"]["timestamp"] = format_timestamp(dt.datetime.now(dt.UTC))
    return body


def write_requests(path: Path, count: int, private: str) -> None:
    import uuid

    from beckn.protocol.signing import sign_request

    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            raw = json.dumps(select_body(str(uuid.uuid4())), separators=(",", ":"))
            header = sign_request(
                raw.encode(), subscriber_id=BAP_ID, key_id="bench-1", private_key_b64=private,
                validity=dt.timedelta(minutes=15),
            )  # fmt: skip
            out.write(f"{header}\t{raw}\n")
