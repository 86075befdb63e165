"""A handler's Reply as the 2.0 callback's message.

The handlers answer in 1.1's message shape (they are the same for both versions); the
reply to a 2.0 request is rendered again here from what the reply is about: the order (a
Contract: beckn.wire.v2.contract), the offerings a discover found (Catalogs:
beckn.wire.v2.catalogs), a session's tracking, the support contacts, the ratings taken.
An error reply keeps its code and message in 2.0's error shape, its paths naming where
the request has what they name (beckn.wire.v2.reading: the handlers' paths are 1.1's),
beside a message the callback's schema accepts: the order as it stands when there is
one, else the contract the BAP sent (the tracking it asked for, inactive), else an empty
list of catalogs or ratings.
"""

from __future__ import annotations

from typing import Any

from beckn.messages import Reply
from beckn.protocol.tags import tag_value
from beckn.protocol.v2 import deg_shape
from beckn.protocol.v2.ack import as_v2_error
from beckn.protocol.v2.context import V2_ACTION
from beckn.protocol.v2.schema import CONTEXTS
from beckn.wire.v2 import catalogs, contract, reading

ORDER_ACTIONS = frozenset({"select", "init", "confirm", "status", "update", "cancel"})
TRACKING_STATUS = {"active": "ACTIVE", "inactive": "INACTIVE"}


def _note(message: dict[str, Any] | None) -> str:
    """What 1.1's reply said about offers asked for that did not apply."""
    order = (message or {}).get("order")
    notes = []
    for offer in order.get("offers", []) if isinstance(order, dict) else []:
        if not isinstance(offer, dict):
            continue
        reason = tag_value(offer.get("tags"), None, "reason")
        if reason:
            notes.append(f"offer {offer.get('id')} not applied: {reason}")
    return "; ".join(notes)


def _support(message: dict[str, Any] | None) -> dict[str, Any]:
    support = (message or {}).get("support")
    support = support if isinstance(support, dict) else {}
    out: dict[str, Any] = {"descriptor": {"name": "Charging support"}}
    if isinstance(support.get("ref_id"), str):
        out["orderId"] = support["ref_id"]
    channels = [
        {
            "@context": CONTEXTS["core"],
            "@type": "beckn:SupportChannel",
            "channel": kind,
            "value": support[key],
        }
        for key, kind in (("phone", "PHONE"), ("email", "EMAIL"), ("url", "WEB"))
        if isinstance(support.get(key), str) and support[key]
    ]
    if channels:
        out["channels"] = channels
    return out


def _tracking(reply: Reply) -> dict[str, Any]:
    """on_track: 1.1's tracking (its address and status) about the order as a Contract,
    the session as it stands (ChargingSession) as the tracking's attributes."""
    assert reply.order is not None
    shown = (reply.message or {}).get("tracking", {})
    body = contract.contract(reply.order)
    return {
        "contract": body,
        "url": shown.get("url", ""),
        "status": TRACKING_STATUS.get(shown.get("status", ""), "INACTIVE"),
        "trackingAttributes": body["contractAttributes"],
    }


def message_for(
    action: str,
    request: dict[str, Any],
    reply: Reply,
    *,
    bpp_id: str,
    bpp_uri: str,
) -> dict[str, Any]:
    """The 2.0 callback message of the reply to a request to /<internal action>;
    `request`: the 2.0 request's message (the OpenAPI's shape)."""
    if action == "search" and reply.error is None:
        return {"catalogs": catalogs.catalogs(reply.offerings, bpp_id=bpp_id, bpp_uri=bpp_uri)}
    if action == "support":
        return {"support": _support(reply.message)}
    if action == "track" and reply.order is not None and reply.error is None:
        return {"tracking": _tracking(reply)}
    # The contract is the order's: a saved one, or the draft a select quotes. A refusal
    # of an order not saved (init's draft made of a held quote: services.select_quotes)
    # answers with the contract sent, as when there is no order.
    order = reply.order
    if order is not None and action in ORDER_ACTIONS and (reply.error is None or order.pk):
        return {"contract": contract.contract(order, _note(reply.message))}
    return fallback(action, request)


def fallback(action: str, request: dict[str, Any]) -> dict[str, Any]:
    """A schema-valid message for an error callback with nothing of ours to show."""
    if action == "search":
        return {"catalogs": []}
    if action == "rating":
        return {"ratings": []}
    if action == "support":
        return {"support": {"descriptor": {"name": "Charging support"}}}
    if action == "track":  # the tracking asked for, not active
        asked = request.get("tracking") if isinstance(request, dict) else None
        asked = asked if isinstance(asked, dict) else {}
        return {"tracking": {**asked, "status": "INACTIVE"}}
    sent = request.get("contract") if isinstance(request, dict) else None
    if isinstance(sent, dict):
        return {"contract": sent}
    return {"contract": {"commitments": []}}


def render(
    action: str,
    request: dict[str, Any],
    reply: Reply,
    *,
    bpp_id: str,
    bpp_uri: str,
    sent_shape: str | None = None,
) -> Reply:
    """The Reply with its message and error in 2.0's shapes (one callback: a 2.0
    on_discover is not cut into parts); `sent_shape`: the DEG shape the request was sent
    in (beckn.protocol.v2.deg_shape), which the error's paths name."""
    message = message_for(action, request, reply, bpp_id=bpp_id, bpp_uri=bpp_uri)
    error = None
    if reply.error is not None:
        error = as_v2_error(_located(action, request, reply.error, sent_shape))
    return Reply(message=message, error=error, order=reply.order)


def _located(
    action: str, request: dict[str, Any], error: dict[str, Any], sent_shape: str | None
) -> dict[str, Any]:
    """A handler's error (about the message it read: 1.1's paths) with its paths where the
    2.0 request to /<internal action> has what they name: in the request as kept (the
    OpenAPI's shape: beckn.wire.v2.reading), then as sent."""
    paths = error.get("paths")
    if not isinstance(paths, str) or not paths:
        return error
    read = reading.read(V2_ACTION.get(action, action), request)
    found = (deg_shape.sent_path(sent_shape, read.request_path(p)) for p in paths.split(", "))
    return {**error, "paths": ", ".join(found)}
