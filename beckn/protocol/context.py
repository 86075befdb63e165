"""Inbound normalisation and our domain rules for a Beckn `context`.

Order of use in a view: verify the signature over the raw bytes, `normalise_inbound` the
parsed body, `validate_message` it against the core schema, then `check_context`.

Domain: we accept only `deg:ev-charging`, the code the DEG offer and surge pages use. The
v1 example files say `dent:ev-charging:0.1.0`; that is an older, versioned alias nobody
should be sending to a 1.1.0 BPP, and accepting two spellings would split our data.

bpp_id: `search` may arrive without one (it can come through a gateway); every other
request is addressed to one BPP and must name us.

Every timestamp anywhere in a message must lie in TIMESTAMP_RANGE (`check_timestamps`, at
intake; `in_range`, for whoever reads one later): a charging session, a search window or an
order's times are never before 2000 nor after 2099, and values near year 1 or 9999 would
overflow the date arithmetic of pricing (a day before, a session's length after).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from jsonschema import FormatChecker

from beckn.protocol import errors
from beckn.protocol.timefmt import (
    format_duration,
    format_timestamp,
    parse_duration,
    parse_timestamp,
)
from cpo_portal.db import years
from cpo_portal.web.schema_errors import shown

__all__ = [
    "DEFAULT_TTL",
    "DOMAIN",
    "TIMESTAMP_RANGE",
    "VERSION",
    "ContextIssue",
    "ContextRule",
    "check_context",
    "check_time",
    "check_timestamps",
    "format_duration",
    "format_timestamp",
    "in_range",
    "normalise_inbound",
    "normalise_timestamp",
    "parse_duration",
    "parse_timestamp",
]

DOMAIN = "deg:ev-charging"
VERSION = "1.1.0"
# Beckn leaves a missing ttl to network policy; ONDC's default is PT30S and DEG sends 15S.
DEFAULT_TTL = timedelta(seconds=30)

# Keys whose string values are date-times in the core schema; `start` / `end` only count
# under a `range` (Time.range), `time` only when it is a string (Cancellation.time).
_TIMESTAMP_KEYS = frozenset(
    {"timestamp", "time", "created_at", "updated_at", "valid_from", "valid_to", "exp"}
)
_TIMESTAMP_LIST_KEYS = frozenset({"holidays", "times"})
_RANGE_KEYS = frozenset({"start", "end"})
_RFC3339 = FormatChecker(formats=["date-time"])
# The accepted range of any timestamp in a message: [first, last), the product's own.
TIMESTAMP_RANGE = (years.FIRST, years.END)


class ContextRule(StrEnum):
    CONTEXT = "context"
    DOMAIN = "domain"
    VERSION = "version"
    ACTION = "action"
    BPP_ID = "bpp_id"
    BAP_ID = "bap_id"
    BAP_URI = "bap_uri"
    MESSAGE_ID = "message_id"
    TRANSACTION_ID = "transaction_id"
    TIMESTAMP = "timestamp"
    FUTURE = "future"
    STALE = "stale"
    TTL = "ttl"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class ContextIssue:
    rule: ContextRule
    path: str
    message: str

    @property
    def error(self) -> errors.BecknError:
        return errors.STALE_REQUEST if self.rule is ContextRule.STALE else errors.INVALID_REQUEST


def normalise_timestamp(value: str) -> str:
    """RFC 3339 values pass unchanged; DEG or offset-less ones become UTC RFC 3339."""
    if _RFC3339.conforms(value, "date-time"):
        return value
    try:
        return format_timestamp(parse_timestamp(value))
    except ValueError:
        return value  # leave it for schema validation to report


def normalise_inbound(body: Any, *, in_place: bool = False) -> Any:
    """`body` with every known date-time field in RFC 3339 (see module doc): a copy, or
    `body` itself changed where needed when `in_place` (the ACK path, which owns the body
    it has just parsed and so saves rebuilding every object of it)."""
    if not in_place:
        body = copy.deepcopy(body)
    stack: list[tuple[Any, str | None]] = [(body, None)]
    while stack:
        node, own_key = stack.pop()
        if type(node) is dict:
            for key, value in node.items():
                kind = type(value)
                if kind is str:
                    if key in _TIMESTAMP_KEYS or (key in _RANGE_KEYS and own_key == "range"):
                        node[key] = normalise_timestamp(value)  # a value, never a new key
                elif kind is list and key in _TIMESTAMP_LIST_KEYS:
                    value[:] = [normalise_timestamp(v) if type(v) is str else v for v in value]
                elif kind is dict or kind is list:
                    stack.append((value, key))
        else:  # a list: its items have no key of their own
            stack.extend((item, None) for item in node if type(item) is dict or type(item) is list)
    return body


def in_range(moment: datetime) -> str | None:
    """Why `moment` is outside TIMESTAMP_RANGE, or None when it is inside."""
    first, last = TIMESTAMP_RANGE
    if first <= moment < last:
        return None
    return (
        f"{format_timestamp(moment)} is outside the accepted range "
        f"{first.year}-01-01 to {last.year - 1}-12-31"
    )


def check_timestamps(body: Any) -> list[ContextIssue]:
    """Every timestamp in `body` (the keys `normalise_inbound` reads) outside
    TIMESTAMP_RANGE, with its path; values that are not timestamps are the schema's."""
    issues: list[ContextIssue] = []
    stack: list[tuple[Any, str, str | None]] = [(body, "$", None)]
    while stack:
        node, path, own_key = stack.pop()
        in_dict = type(node) is dict
        for key, value in node.items() if in_dict else enumerate(node):
            where = f"{path}.{key}" if in_dict else f"{path}[{key}]"
            if type(value) is dict or type(value) is list:
                stack.append((value, where, str(key) if in_dict else None))
            elif type(value) is str and (
                key in _TIMESTAMP_KEYS or (key in _RANGE_KEYS and own_key == "range")
                if in_dict
                else own_key in _TIMESTAMP_LIST_KEYS
            ):
                try:
                    why = in_range(parse_timestamp(value))
                except ValueError:
                    continue
                if why is not None:
                    issues.append(ContextIssue(ContextRule.RANGE, where, why))
    return sorted(issues, key=lambda issue: issue.path)


def check_context(
    ctx: Any,
    *,
    action: str,
    bpp_id: str,
    now: datetime,
    max_clock_skew: timedelta = timedelta(minutes=5),
) -> list[ContextIssue]:
    """Every way `ctx` breaks our rules for a request to `/<action>`; empty when fine."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not isinstance(ctx, Mapping):
        return [ContextIssue(ContextRule.CONTEXT, "$.context", "must be an object")]
    issues: list[ContextIssue] = []

    def issue(rule: ContextRule, field: str, message: str) -> None:
        issues.append(ContextIssue(rule, f"$.context.{field}", message))

    expected = {"domain": DOMAIN, "version": VERSION, "action": action}
    for field, want in expected.items():
        if ctx.get(field) != want:
            got = ctx.get(field)
            issue(ContextRule(field), field, f"must be {shown(want)}, got {shown(got)}")
    theirs = ctx.get("bpp_id")
    if theirs is None and action != "search":
        issue(ContextRule.BPP_ID, "bpp_id", f"is required for {action}")
    elif theirs is not None and theirs != bpp_id:
        issue(
            ContextRule.BPP_ID, "bpp_id", f"must be {shown(bpp_id)} (this BPP), got {shown(theirs)}"
        )
    for field in ("bap_id", "bap_uri", "message_id", "transaction_id"):
        value = ctx.get(field)
        if not isinstance(value, str) or not value.strip():
            issue(ContextRule(field), field, "is required")
    issues.extend(check_time(ctx, now, max_clock_skew))
    return issues


def check_time(ctx: Mapping[str, Any], now: datetime, skew: timedelta) -> list[ContextIssue]:
    """The context's ttl and timestamp (either version's keys are the same): a ttl that is
    no duration, a timestamp missing, unreadable, ahead of our clock beyond `skew`, or
    older than its ttl (DEFAULT_TTL when it has none)."""
    raw_ttl = ctx.get("ttl")
    ttl = DEFAULT_TTL
    out: list[ContextIssue] = []
    if raw_ttl is not None:
        try:
            ttl = parse_duration(raw_ttl)
        except ValueError as exc:
            out.append(ContextIssue(ContextRule.TTL, "$.context.ttl", str(exc)))
    raw = ctx.get("timestamp")
    path = "$.context.timestamp"
    if raw is None:
        return [*out, ContextIssue(ContextRule.TIMESTAMP, path, "is required")]
    try:
        sent = parse_timestamp(raw)
    except ValueError:
        return [*out, ContextIssue(ContextRule.TIMESTAMP, path, f"{shown(raw)} is not a timestamp")]
    if sent > now + skew:
        ahead = format_duration(sent - now)
        message = f"is {ahead} ahead of our clock (allowed skew {format_duration(skew)})"
        out.append(ContextIssue(ContextRule.FUTURE, path, message))
    elif sent + ttl < now:
        message = (
            f"message expired at {format_timestamp(sent + ttl)} "
            f"(timestamp + ttl {format_duration(ttl)}); now {format_timestamp(now)}"
        )
        out.append(ContextIssue(ContextRule.STALE, path, message))
    return out
