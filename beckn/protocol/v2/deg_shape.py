"""DEG's 2.0 example shapes read into the 2.0.0 OpenAPI's, before validation.

DEG's EV-charging examples for 2.0 (examples/ev-charging/v2) are written against core v2's
`beckn:Order` (`message.order` with `beckn:`-prefixed keys), a flat `discover` message
(`filters` / `spatial` beside `intent`), `rating` with `ratings`, and a `support` object of
their own; the 2.0.0 OpenAPI we validate against has `message.contract` (a Contract with
commitments and consideration), `message.intent`, `rate` with `ratingInputs`, and a
`Support` of `orderId` / `descriptor` / `channels`. Each difference is listed in
docs/beckn.md ("Where DEG's 2.0 examples and the 2.0.0 schema disagree"). A BAP that sends
the OpenAPI's shapes is read as sent; one that sends DEG's is read through `openapi_shape`,
then validated like any other: the schema is still the judge. An error about it names
where the message it sent has the thing (`sent_path`): `$.message.contract.commitments[1]`
is `$.message.order.beckn:orderItems[1]` in the order it sent.

Pure: dicts in, dicts out; nothing here knows our data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from beckn.protocol.context import ContextIssue
from beckn.protocol.json_text import obj, seq
from beckn.protocol.schema import SchemaIssue
from beckn.protocol.v2 import context as v2_context
from beckn.protocol.v2.schema import CONTEXTS

CORE = CONTEXTS["core"]
# core v2 beckn:orderStatus -> Contract.status.code
CONTRACT_STATUS = {
    "CREATED": "DRAFT",
    "PENDING": "DRAFT",
    "CONFIRMED": "ACTIVE",
    "INPROGRESS": "ACTIVE",
    "PARTIALLYFULFILLED": "ACTIVE",
    "COMPLETED": "COMPLETE",
    "CANCELLED": "CANCELLED",
}


def shape_of(action: str, message: Any) -> str | None:
    """Which of DEG's shapes `message` of a 2.0 request to /<action> is in (`discover`,
    `order`, `rating`, `support`); None: the OpenAPI's, or none (the schema judges)."""
    if not isinstance(message, dict):
        return None
    if action == "discover" and "intent" not in message:
        return "discover"
    if "order" in message and "contract" not in message and isinstance(message["order"], dict):
        return "order"
    if action == "rate" and "ratings" in message and "ratingInputs" not in message:
        return "rating"
    if action == "support" and ("refId" in message or _is_deg_support(message.get("support"))):
        return "support"
    return None


def openapi_shape(action: str, message: Any) -> Any:
    """`message` of a 2.0 request to /<action> in the OpenAPI's shape: DEG's shapes are
    translated, anything else is returned as it is (for the schema to judge)."""
    shape = shape_of(action, message)
    if shape == "discover":
        return _discover(message)
    if shape == "order":
        return {"contract": contract_from_order(message["order"])}
    if shape == "rating":
        return {"ratingInputs": [_rating(r) for r in seq(message["ratings"])]}
    if shape == "support":
        return {"support": _support(message)}
    return message


_LINE = r"contract\.commitments\[(\d+)\]"
_ITEM = r"order.beckn:orderItems[\1]"
# Where each part of the OpenAPI's message read from DEG's is in DEG's (under `$.message.`),
# the most precise first; a group `(.*)` is the rest of a path inside a part copied as it
# was sent (the same keys in both), anything else ends at the part that holds it.
_SENT_AT: dict[str, list[tuple[str, str]]] = {
    "order": [
        (r"contract\.id", "order.beckn:id"),
        (rf"{_LINE}\.resources\[0\]\.quantity(.*)", rf"{_ITEM}.beckn:quantity\2"),
        (rf"{_LINE}\.resources.*", rf"{_ITEM}.beckn:orderedItem"),
        (rf"{_LINE}\.offer\.id", rf"{_ITEM}.beckn:acceptedOffer.beckn:id"),
        (rf"{_LINE}\.offer\.resourceIds.*", rf"{_ITEM}.beckn:acceptedOffer.beckn:items"),
        (rf"{_LINE}\.offer\.provider.*", rf"{_ITEM}.beckn:acceptedOffer.beckn:provider"),
        (rf"{_LINE}\.offer\.descriptor.*", rf"{_ITEM}.beckn:acceptedOffer.beckn:descriptor"),
        (
            rf"{_LINE}\.offer\.offerAttributes(.*)",
            rf"{_ITEM}.beckn:acceptedOffer.beckn:offerAttributes\2",
        ),
        (rf"{_LINE}\.offer.*", rf"{_ITEM}.beckn:acceptedOffer"),
        (rf"{_LINE}.*", _ITEM),
        (r"contract\.commitments", "order.beckn:orderItems"),
        (r"contract\.status.*", "order.beckn:orderStatus"),
        (r"contract\.participants\[0\]\.participantAttributes(.*)", r"order.beckn:buyer\1"),
        (r"contract\.participants\[0\]\.descriptor.*", "order.beckn:buyer.beckn:displayName"),
        (r"contract\.participants\[0\]\.id", "order.beckn:buyer.beckn:id"),
        (r"contract\.participants.*", "order.beckn:buyer"),
        (r"contract\.consideration\[0\]\.considerationAttributes(.*)", r"order.beckn:orderValue\1"),
        (r"contract\.consideration.*", "order.beckn:orderValue"),
        (
            r"contract\.performance\[0\]\.performanceAttributes(.*)",
            r"order.beckn:fulfillment.beckn:deliveryAttributes\1",
        ),
        (r"contract\.performance.*", "order.beckn:fulfillment"),
        (r"contract\.settlements\[0\]\.settlementAttributes(.*)", r"order.beckn:payment\1"),
        (r"contract\.settlements.*", "order.beckn:payment"),
        (r"contract\.contractAttributes(.*)", r"order.beckn:orderAttributes\1"),
        (r"contract.*", "order"),
    ],
    "discover": [
        (r"intent\.(filters|spatial|textSearch)(.*)", r"\1\2"),
        (r"intent.*", ""),
    ],
    "rating": [
        (r"ratingInputs(\[\d+\])\.target\.id", r"ratings\1.id"),
        (r"ratingInputs(\[\d+\])\.target\.descriptor.*", r"ratings\1.category"),
        (r"ratingInputs(\[\d+\])\.range(.*)", r"ratings\1\2"),
        (r"ratingInputs(\[\d+\])\.feedbackFormSubmission.*", r"ratings\1.feedback"),
        (r"ratingInputs(.*)", r"ratings\1"),
    ],
    "support": [
        (r"support\.orderId", "refId"),
        (r"support\.descriptor.*", "support.name"),
        (r"support\.channels(\[\d+\])?.*", r"support.channels\1"),  # DEG's are strings
        (r"support(.*)", r"support\1"),
    ],
}
_SENT_PATTERNS = {
    shape: [(re.compile(rf"\$\.message\.{read}"), sent) for read, sent in rules]
    for shape, rules in _SENT_AT.items()
}


def as_sent(action: str, body: dict[str, Any]) -> Callable[[str], str]:
    """Where a 2.0 request's body as sent has what a path of it as read names (the context
    in camelCase, the message in the OpenAPI's shape): the context's keys as it spelled
    them, its message's parts where DEG's shapes put them (sent_path)."""
    sent, shape = body.get("context") or {}, shape_of(action, body.get("message"))
    return lambda path: sent_path(shape, v2_context.sent_path(sent, path))


Issue = TypeVar("Issue", SchemaIssue, ContextIssue)


def placed(issues: list[Issue], where: Callable[[str], str]) -> list[Issue]:
    """The schema's or the context's issues with their paths where `where` says."""
    return [replace(issue, path=where(issue.path)) for issue in issues]


def sent_path(shape: str | None, path: str) -> str:
    """Where a message sent in DEG's `shape` (shape_of) has what `path` names in the
    OpenAPI's message read from it; `path` itself for a message sent in the OpenAPI's
    shape, or a path outside the message."""
    for pattern, sent in _SENT_PATTERNS.get(shape or "", ()):
        match = pattern.fullmatch(path)
        if match is not None:
            return f"$.message.{match.expand(sent)}".rstrip(".")
    return path


def _discover(message: dict[str, Any]) -> dict[str, Any]:
    intent: dict[str, Any] = {}
    text = message.get("textSearch", message.get("text_search"))
    if text is not None:
        intent["textSearch"] = text
    if "filters" in message:
        intent["filters"] = message["filters"]
    if "spatial" in message:
        intent["spatial"] = [_spatial(s) for s in seq(message["spatial"])]
    rest = {k: v for k, v in message.items() if k not in ("filters", "spatial", "text_search")}
    return {**rest, "intent": intent}


def _spatial(constraint: Any) -> Any:
    """DEG writes CQL2 operators in lower case (`s_dwithin`); the schema's enum is upper."""
    if isinstance(constraint, dict) and isinstance(constraint.get("op"), str):
        return {**constraint, "op": constraint["op"].upper()}
    return constraint


def _offer(line: dict[str, Any], item_id: Any) -> dict[str, Any]:
    accepted = obj(line.get("beckn:acceptedOffer"))
    offer: dict[str, Any] = {
        "id": str(accepted.get("beckn:id") or "list-price"),
        "resourceIds": [str(i) for i in seq(accepted.get("beckn:items"))] or [str(item_id)],
    }
    provider = accepted.get("beckn:provider")
    if isinstance(provider, str):
        offer["provider"] = {"id": provider, "descriptor": {"name": provider}}
    attributes = accepted.get("beckn:offerAttributes")
    if isinstance(attributes, dict):
        offer["offerAttributes"] = attributes
    return offer


def contract_from_order(order: dict[str, Any]) -> dict[str, Any]:
    """A core v2 `beckn:Order` as the OpenAPI's Contract: each order item a commitment
    (its item a resource, its accepted offer the commitment's offer), the buyer a
    participant, the order value the monetary consideration, the fulfillment a
    performance, the payment a settlement, the order attributes the contract's."""
    contract: dict[str, Any] = {}
    if isinstance(order.get("beckn:id"), str):
        contract["id"] = order["beckn:id"]
    commitments = []
    for index, raw in enumerate(seq(order.get("beckn:orderItems"))):
        line = obj(raw)
        item_id = line.get("beckn:orderedItem")
        resource: dict[str, Any] = {"id": str(item_id)}
        # as sent, for the schema to judge (core v2's Quantity): nothing in it dropped
        quantity = line.get("beckn:quantity")
        resource["quantity"] = quantity if quantity is not None else {}
        commitments.append(
            {
                "id": str(line.get("beckn:lineId") or f"line-{index + 1}"),
                "status": {"descriptor": {"code": "DRAFT"}},
                "resources": [resource],
                "offer": _offer(line, item_id),
            }
        )
    contract["commitments"] = commitments
    status = CONTRACT_STATUS.get(str(order.get("beckn:orderStatus")))
    if status:
        contract["status"] = {"code": status}
    buyer = obj(order.get("beckn:buyer"))
    if buyer:
        participant: dict[str, Any] = {"id": str(buyer.get("beckn:id", "buyer"))}
        name = buyer.get("beckn:displayName")
        if isinstance(name, str):
            participant["descriptor"] = {"name": name}
        participant["participantAttributes"] = {
            "@context": buyer.get("@context", CORE),
            "@type": buyer.get("@type", "beckn:Buyer"),
            **{k: v for k, v in buyer.items() if k not in ("@context", "@type")},
        }
        contract["participants"] = [participant]
    value = obj(order.get("beckn:orderValue"))
    if value:
        contract["consideration"] = [
            {
                "id": "order-value",
                "status": {"code": "QUOTED"},
                "considerationAttributes": {
                    "@context": CORE,
                    "@type": "beckn:PriceSpecification",
                    **value,
                },
            }
        ]
    fulfillment = obj(order.get("beckn:fulfillment"))
    if fulfillment:
        performance: dict[str, Any] = {"id": str(fulfillment.get("beckn:id", "1"))}
        attributes = fulfillment.get("beckn:deliveryAttributes")
        if isinstance(attributes, dict):
            performance["performanceAttributes"] = attributes
        contract["performance"] = [performance]
    payment = obj(order.get("beckn:payment"))
    if payment:
        contract["settlements"] = [
            {
                "id": str(payment.get("beckn:id", "payment")),
                "considerationId": "order-value",
                "status": "COMPLETE" if payment.get("beckn:paymentStatus") in _PAID else "DRAFT",
                "settlementAttributes": {
                    "@context": payment.get("@context", CORE),
                    "@type": payment.get("@type", "beckn:Payment"),
                    **{k: v for k, v in payment.items() if k not in ("@context", "@type")},
                },
            }
        ]
    attributes = order.get("beckn:orderAttributes")
    if isinstance(attributes, dict):
        contract["contractAttributes"] = attributes
    return contract


_PAID = {"CAPTURED", "COMPLETED", "SETTLED"}


def _rating(raw: Any) -> Any:
    rating = obj(raw)
    if not rating:
        return raw
    target: dict[str, Any] = {"id": str(rating.get("id", ""))}
    category = rating.get("category")
    if isinstance(category, str):
        target["descriptor"] = {"code": category}
    scale = {k: rating[k] for k in ("ratingValue", "bestRating", "worstRating") if k in rating}
    out: dict[str, Any] = {"target": target, "range": scale}
    feedback = obj(rating.get("feedback"))
    if isinstance(feedback.get("comments"), str):
        out["feedbackFormSubmission"] = {"data": {"comments": feedback["comments"]}}
    return out


def _is_deg_support(support: Any) -> bool:
    return isinstance(support, dict) and any(
        k in support for k in ("@type", "name", "phone", "email", "hours")
    )


def _support(message: dict[str, Any]) -> dict[str, Any]:
    support = obj(message.get("support"))
    out: dict[str, Any] = {}
    if isinstance(message.get("refId"), str):
        out["orderId"] = message["refId"]
    name = support.get("name")
    if isinstance(name, str):
        out["descriptor"] = {"name": name}
    channels = [
        {"@context": CORE, "@type": "beckn:SupportChannel", "channel": c}
        for c in seq(support.get("channels"))
        if isinstance(c, str)
    ]
    if channels:
        out["channels"] = channels
    return out
