"""Hostile Beckn 2.0 requests (POST /beckn/v2/<action>), as hypothesis strategies: the
2.0 family beside the 1.1 ones of tests/support/fuzz/cases.py.

Seeds: the 2.0 shapes of the journeys (tests/beckn/bap_v2.py) at the fuzz world's
chargers, with its offers, a list price or none, and the message of every DEG 2.0
example request with its charger and provider ids ours. Then 0-3 mutations
(`cases.mutated`), now and then a `context.try` preview. Transactions are drawn from a
small pool, so that a select is followed by an init and a confirm of the same
transaction (an init made of a held quote, a confirm of an initialised order: these two
mostly restate the list price, as a BAP that chose at select does), and the order actions
name an order the runner saw confirmed (`cases.ORDER`)."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from hypothesis import strategies as st

from beckn.protocol.v2.context import PREVIEW_ACTIONS
from tests.support.fuzz.cases import (
    ORDER,
    ROOT,
    SIGNINGS,
    Shot,
    World,
    encode,
    mutated,
)

EXAMPLES = ROOT / "tests" / "fixtures" / "beckn" / "deg-v2-examples"
ACTIONS = ("discover", "select", "init", "confirm", "status", "track", "update", "cancel",
           "rate", "support")  # fmt: skip
ODD_PATHS = ("search", "on_select", "rating", "x" * 40, "")
# the journey's steps drawn more often, so that orders are made and then followed
JOURNEY = (*ACTIONS, *("select", "init", "confirm") * 3)


def deg_messages(world: World) -> dict[str, list[dict[str, Any]]]:
    """The `message` of every DEG 2.0 example request (`rating` read as `rate`), with the
    example's ids ours: its first charger and provider, any order id the marker."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(EXAMPLES.glob("*/*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        action = {"rating": "rate"}.get(body["context"]["action"], body["context"]["action"])
        if action not in ACTIONS:
            continue
        text = json.dumps(body["message"])
        for charger in _values(body["message"], ("beckn:orderedItem", "beckn:items")):
            text = text.replace(f'"{charger}"', f'"{world.items[0]}"')
        for provider in _values(body["message"], ("beckn:seller", "beckn:provider")):
            text = text.replace(f'"{provider}"', f'"{world.providers[0]}"')
        for order_id in [*_values(body["message"], ("refId",)), "order-ev-charging-001"]:
            text = text.replace(f'"{order_id}"', f'"{ORDER}"')
        out.setdefault(action, []).append(json.loads(text))
    return out


def _values(value: Any, keys: tuple[str, ...]) -> list[str]:
    """Every string (or string in a list) held under one of `keys`, anywhere in `value`."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key in keys:
                found += (
                    [child]
                    if isinstance(child, str)
                    else [
                        c for c in (child if isinstance(child, list) else []) if isinstance(c, str)
                    ]
                )
            found += _values(child, keys)
    elif isinstance(value, list):
        for child in value:
            found += _values(child, keys)
    return found


@st.composite
def journey_message(draw: st.DrawFn, world: World, action: str, item: str) -> dict[str, Any]:
    """The 2.0 message a BAP on the journey sends for `action`, at our charger `item`."""
    from tests.beckn import bap_v2 as v2

    if action == "track":
        contract = v2.by_id(ORDER, item)["contract"]
        return {"tracking": {"contract": contract, "url": f"{world.bap_uri}/t", "status": "ACTIVE"}}
    if action == "discover":
        lat, lon = (float(part) for part in world.gps.split(","))
        return v2.discover(lat, lon, draw(st.sampled_from((10, 5000, 50_000))))
    if action in ("status", "cancel"):
        return v2.by_id(ORDER, item)
    if action == "update":
        status = draw(st.sampled_from(("ACTIVE", "COMPLETED")))
        return v2.session_update(ORDER, item, status, draw(st.sampled_from((None, 4.2, 60.0))))
    offers: tuple[str | None, ...] = (None, None, None, f"list-price:{item}", *world.offers)
    if action in ("init", "confirm"):  # mostly none
        offers = (None,) * 8 + offers
    return v2.contract(
        item,
        offer=draw(st.sampled_from(offers)),
        kwh=draw(st.sampled_from((None, 0.5, 5.2))),
        inr=draw(st.sampled_from((30, 100, 5000))),
        buyer=action in ("init", "confirm") or draw(st.booleans()),
        total=draw(st.sampled_from((None, None, None, 91.45))) if action == "confirm" else None,
    )


@st.composite
def v2_shots(draw: st.DrawFn, world: World, messages: dict[str, list[dict]]) -> Shot:
    from tests.beckn.bap_v2 import DOMAIN

    action = draw(st.sampled_from(JOURNEY))
    n = draw(st.integers(0, 2))  # a transaction, and the charger its journey is at
    transaction, item = world.transactions[n], world.items[n % len(world.items)]
    if action in ("rate", "support") or (action in messages and draw(st.integers(0, 3)) == 0):
        message = copy.deepcopy(draw(st.sampled_from(messages[action])))
    else:
        message = draw(journey_message(world, action, item))
    message_id = str(uuid.uuid4())
    context: dict[str, Any] = {
        "domain": DOMAIN,
        "action": action,
        "version": "2.0.0",
        "bapId": world.bap_id,
        "bapUri": world.bap_uri,
        "bppId": world.bpp_id,
        "bppUri": f"{world.bpp_uri}/v2",
        "transactionId": transaction,
        "messageId": message_id,
        "timestamp": _now(),
        "ttl": "PT30S",
    }
    if action in PREVIEW_ACTIONS and draw(st.integers(0, 4)) == 0:
        context["try"] = True
    body = {"context": context, "message": message}
    how = draw(st.integers(0, 9))
    if how < 4:  # most mutations go to the message, past the context
        body["message"] = draw(mutated(body["message"]))
    elif how < 5:
        body = draw(mutated(body))
    path_action = draw(st.sampled_from((action,) * 30 + ODD_PATHS))
    replay = draw(st.sampled_from(("",) * 18 + ("same", "reuse-id")))
    return Shot(
        "v2",
        path_action,
        encode(body, ascii_only=draw(st.booleans())),
        draw(st.sampled_from(SIGNINGS)),
        message_id,
        replay,
        version="2.0",
    )


def _now() -> str:
    from django.utils import timezone

    from beckn.protocol.timefmt import format_timestamp

    return format_timestamp(timezone.now())


def beckn_v2_shots(world: World) -> st.SearchStrategy[Shot]:
    return v2_shots(world, deg_messages(world))
