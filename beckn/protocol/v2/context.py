"""The 2.0.0 context: its keys, our rules for it, and its translation to and from the
context the handlers read (1.1's snake_case keys).

The 2.0.0 OpenAPI names the context's keys in camelCase (`bapId`, `messageId`, ...). DEG's
2.0 examples send them in snake_case (`bap_id`, `message_id`, ...), as 1.1 did: we read
either (camelCase wins when both are sent) and always send camelCase.

Actions: the 2.0 paths are 1.1's with two renames, `discover` (1.1 `search`) and `rate`
(1.1 `rating`); DEG's examples still post `rating`, which we read as `rate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from beckn.protocol.context import (
    ContextIssue,
    ContextRule,
    check_time,
    format_duration,
    format_timestamp,
    in_range,
    parse_duration,
    parse_timestamp,
)
from beckn.protocol.v2 import VERSION
from cpo_portal.web.schema_errors import shown

# The domains a 2.0 request may name: DEG's 2.0 examples and guide use the first.
DOMAINS = ("beckn.one:deg:ev-charging:*", "beckn.one:deg:ev-charging", "deg:ev-charging")
DOMAIN = DOMAINS[0]

# 2.0 action -> the handler's (1.1) action
REQUEST_ACTIONS: dict[str, str] = {
    "discover": "search",
    "select": "select",
    "init": "init",
    "confirm": "confirm",
    "status": "status",
    "track": "track",
    "update": "update",
    "cancel": "cancel",
    "rate": "rating",
    "support": "support",
}
# The actions 2.0.0 gives the `context.try` preview ("test consequences without changing
# state"): answered as the request would be carried out, and nothing changed.
PREVIEW_ACTIONS = frozenset({"update", "cancel", "rate", "support"})
ALIASES = {"rating": "rate"}  # DEG's examples post `rating`
V2_ACTION = {internal: v2 for v2, internal in REQUEST_ACTIONS.items()}

# snake_case (DEG examples, 1.1) -> camelCase (2.0.0 OpenAPI)
CAMEL = {
    "bap_id": "bapId",
    "bap_uri": "bapUri",
    "bpp_id": "bppId",
    "bpp_uri": "bppUri",
    "transaction_id": "transactionId",
    "message_id": "messageId",
    "schema_context": "schemaContext",
    "network_id": "networkId",
}
SNAKE = {camel: snake for snake, camel in CAMEL.items()}


def sent_path(sent: Mapping[str, Any], path: str) -> str:
    """A path of the context (`$.context.<key>`, its key in either spelling) with the key
    as the request `sent` it: camelCase, or DEG's snake_case where it sent that alone."""
    if not path.startswith("$.context."):
        return path
    key = path.removeprefix("$.context.")
    camel = CAMEL.get(key, key)
    snake = SNAKE.get(camel)
    if snake is not None and snake in sent and camel not in sent:
        return f"$.context.{snake}"
    return f"$.context.{camel}"


def v2_action(action: str) -> str | None:
    """The 2.0 action a path names (`rating` read as `rate`), or None when it is none."""
    action = ALIASES.get(action, action)
    return action if action in REQUEST_ACTIONS else None


def camel_case(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """The context with DEG's snake_case keys in the OpenAPI's camelCase (a camelCase key
    already there wins); other keys unchanged."""
    out: dict[str, Any] = {}
    for key, value in ctx.items():
        camel = CAMEL.get(key)
        if camel is None:
            out[key] = value
        elif camel not in ctx:
            out[camel] = value
    action = out.get("action")
    if isinstance(action, str) and action in ALIASES:
        out["action"] = ALIASES[action]
    return out


def internal(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """The context the handlers and the order services read: 1.1's keys, the internal
    action, version "2.0.0" (what tells the rest of the BPP to answer in 2.0)."""
    out: dict[str, Any] = {}
    for key, value in ctx.items():
        out[SNAKE.get(key, key)] = value
    action = ctx.get("action")
    if isinstance(action, str) and action in REQUEST_ACTIONS:
        out["action"] = REQUEST_ACTIONS[action]
    out["version"] = VERSION
    return out


def is_v2(ctx: Mapping[str, Any]) -> bool:
    return ctx.get("version") == VERSION


def is_preview(ctx: Mapping[str, Any]) -> bool:
    """A 2.0 request with `try: true` (only the PREVIEW_ACTIONS are accepted with it)."""
    return is_v2(ctx) and ctx.get("try") is True


def check(
    ctx: Mapping[str, Any],
    *,
    action: str,
    bpp_id: str,
    now: datetime,
    max_clock_skew: timedelta,
) -> list[ContextIssue]:
    """Every way a (camelCase) 2.0 context breaks our rules for a request to /<action>."""
    issues: list[ContextIssue] = []

    def issue(rule: ContextRule, field: str, message: str) -> None:
        issues.append(ContextIssue(rule, f"$.context.{field}", message))

    if ctx.get("domain") not in DOMAINS:
        issue(
            ContextRule.DOMAIN,
            "domain",
            f"must be one of {list(DOMAINS)}, got {shown(ctx.get('domain'))}",
        )
    if ctx.get("version") != VERSION:
        issue(
            ContextRule.VERSION,
            "version",
            f"must be {shown(VERSION)} on this path, got {shown(ctx.get('version'))}",
        )
    if ctx.get("action") != action:
        issue(
            ContextRule.ACTION, "action", f"must be {shown(action)}, got {shown(ctx.get('action'))}"
        )
    if "try" in ctx and not isinstance(ctx["try"], bool):
        issue(ContextRule.CONTEXT, "try", f"must be true or false, got {shown(ctx['try'])}")
    elif ctx.get("try") is True and action not in PREVIEW_ACTIONS:
        # a preview the spec does not define must not be carried out as if it were one
        issue(
            ContextRule.CONTEXT,
            "try",
            f"try: true (a preview) is defined for {', '.join(sorted(PREVIEW_ACTIONS))} only; "
            f"send {action} without it",
        )
    theirs = ctx.get("bppId")
    if theirs is None and action != "discover":
        issue(ContextRule.BPP_ID, "bppId", f"is required for {action}")
    elif theirs is not None and theirs != bpp_id:
        issue(
            ContextRule.BPP_ID, "bppId", f"must be {shown(bpp_id)} (this BPP), got {shown(theirs)}"
        )
    for field, rule in (
        ("bapId", ContextRule.BAP_ID),
        ("bapUri", ContextRule.BAP_URI),
        ("messageId", ContextRule.MESSAGE_ID),
        ("transactionId", ContextRule.TRANSACTION_ID),
    ):
        value = ctx.get(field)
        if not isinstance(value, str) or not value.strip():
            issue(rule, field, "is required")
    issues.extend(check_time(ctx, now, max_clock_skew))
    return issues


# Keys whose values are date-times in the 2.0.0 schema and the packs we read.
TIMESTAMP_KEYS = frozenset(
    {"startTime", "endTime", "startDate", "endDate", "timestamp", "lastUpdated", "paidAt"}
)


def check_timestamps(message: Any, where: str = "$.message") -> list[ContextIssue]:
    """Every date-time in the message outside protocol.context.TIMESTAMP_RANGE (what 1.1
    checks too: the years the database and the quote engine take)."""
    issues: list[ContextIssue] = []
    if isinstance(message, Mapping):
        for key, value in message.items():
            path = f"{where}.{key}"
            if key in TIMESTAMP_KEYS and isinstance(value, str):
                try:
                    moment = parse_timestamp(value)
                except ValueError:
                    continue  # a time of day ("09:00:00"), or the schema's to judge
                why = in_range(moment)
                if why:
                    issues.append(ContextIssue(ContextRule.RANGE, path, why))
            else:
                issues.extend(check_timestamps(value, path))
    elif isinstance(message, list):
        for index, value in enumerate(message):
            issues.extend(check_timestamps(value, f"{where}[{index}]"))
    return issues


def is_place(longitude: Any, latitude: Any) -> bool:
    """A point on Earth in degrees: a longitude within ±180, a latitude within ±90 (as 1.1's
    `gps` pattern requires); the numbers are ints, floats or Decimals."""
    return -180 <= longitude <= 180 and -90 <= latitude <= 90


def check_points(message: Any) -> list[ContextIssue]:
    """A discover's points (`intent.spatial[].geometry`, GeoJSON `Point`): two numbers, a
    longitude within ±180 and a latitude within ±90, as 1.1's `gps` pattern requires."""
    intent = message.get("intent") if isinstance(message, Mapping) else None
    spatial = intent.get("spatial") if isinstance(intent, Mapping) else None
    issues: list[ContextIssue] = []
    for index, constraint in enumerate(spatial if isinstance(spatial, list) else []):
        geometry = constraint.get("geometry") if isinstance(constraint, Mapping) else None
        if not isinstance(geometry, Mapping) or geometry.get("type") != "Point":
            continue
        path = f"$.message.intent.spatial[{index}].geometry.coordinates"
        point = geometry.get("coordinates")
        if not isinstance(point, list):
            point = []
        numbers = len(point) in (2, 3) and all(
            isinstance(n, int | float) and not isinstance(n, bool) for n in point
        )
        if not numbers:
            why = "a Point's coordinates are [longitude, latitude], two numbers"
            issues.append(ContextIssue(ContextRule.RANGE, path, why))
        elif not is_place(point[0], point[1]):
            why = f"{point[:2]} is not a place: longitude within ±180, latitude within ±90"
            issues.append(ContextIssue(ContextRule.RANGE, path, why))
    return issues


def reply(
    request_ctx: Mapping[str, Any],
    action: str,
    now: datetime,
    *,
    bpp_id: str,
    bpp_uri: str,
    request_digest: str = "",
) -> dict[str, Any]:
    """A callback's 2.0 context from the stored (internal) request context: same
    transaction and message ids, `action` the 2.0 callback name (`on_discover`, ...)."""
    ctx: dict[str, Any] = {
        "domain": request_ctx.get("domain") if request_ctx.get("domain") in DOMAINS else DOMAIN,
        "action": action,
        "version": VERSION,
        "bapId": request_ctx["bap_id"],
        "bapUri": request_ctx["bap_uri"],
        "bppId": bpp_id,
        "bppUri": bpp_uri,
        "transactionId": request_ctx["transaction_id"],
        "messageId": request_ctx["message_id"],
        "timestamp": format_timestamp(now),
    }
    if isinstance(request_ctx.get("ttl"), str):
        ctx["ttl"] = format_duration(parse_duration(request_ctx["ttl"]))
    if isinstance(request_ctx.get("location"), dict):
        ctx["location"] = request_ctx["location"]
    if request_ctx.get("try") is True:  # the answer to a preview says it is one
        ctx["try"] = True
    if request_digest:  # ties the callback to the exact request bytes (RequestDigest)
        ctx["requestDigest"] = {"digest": request_digest}
    return ctx
