"""Hostile Beckn requests, as hypothesis strategies, for bench/fuzz.py and tests/fuzz.

A `Shot` is one request: the action in the path, the exact body bytes, how to sign them,
and the family it came from (for the counts). The families:

- deg: a DEG example request (tests/fixtures) with our ids, then 0-3 mutations: a value
  replaced by a wrong type or a wrong value, a key removed, a list blown up;
- context: the same with the context's fields made wrong, missing or of the wrong type;
- huge: long strings, many values, deep nesting, bodies near and over the size limit;
- bytes: non-UTF-8 and otherwise broken bytes around a valid body;
- schema: schemathesis cases from the core 1.1.0 OpenAPI (tests/support/fuzz/schema.py).

Most shots are signed with a registered test BAP's key, so they get past the signature
check and reach the later stages; a few are unsigned or signed wrongly on purpose.
Values the JSON encoder cannot write (a 5,000-digit number, 1e999) go in as RAW markers
that `encode` swaps for the raw text.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "tests" / "fixtures" / "beckn" / "deg-v1-examples"
ACTIONS = ("search", "select", "init", "confirm", "status", "update", "cancel", "rating", "support")
ODD_PATHS = ("track", "on_search", "SEARCH", "x" * 40, "search/", "select/../init", "%00", "")
ORDER = "__ORDER__"  # replaced by the runner with an order id it has seen, if any
RAW_TEXT = {
    "__RAW_BIGINT__": "9" * 5000,
    "__RAW_HUGE_EXP__": "1e999999",
    "__RAW_NEG_ZERO__": "-0.0",
    "__RAW_TINY__": "1e-400",
}
SIGNINGS = ("valid",) * 17 + ("none", "garbage", "other-key", "other-bap", "expired")


@dataclass(frozen=True)
class World:
    """What the fuzzer knows of the BPP under test."""

    bap_id: str
    bap_uri: str
    bpp_id: str
    bpp_uri: str
    providers: tuple[str, ...]
    items: tuple[str, ...]
    offers: tuple[str, ...]
    gps: str = "28.345345,77.389754"
    transactions: tuple[str, ...] = field(
        default_factory=lambda: tuple(str(uuid.UUID(int=n + 1)) for n in range(6))
    )


@dataclass(frozen=True)
class Shot:
    family: str
    action: str
    raw: bytes
    signing: str = "valid"
    message_id: str | None = None  # when the context carries a fresh one we chose
    replay: str = ""  # "", "same" (send an earlier ACKed request again) or "reuse-id"
    version: str = "1.1"  # "2.0": posted to /beckn/v2/<action> (tests/support/fuzz/cases_v2.py)


# -- DEG example messages with our ids ------------------------------------------------


def _example_files() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for action in ACTIONS:
        found[action] = sorted((EXAMPLES / action).glob(f"{action}-request*.json"))
    return found


def deg_messages(world: World) -> dict[str, list[dict[str, Any]]]:
    """The `message` of every DEG example request, pointed at our providers and chargers."""
    out: dict[str, list[dict[str, Any]]] = {}
    for action, paths in _example_files().items():
        for path in paths:
            text = path.read_text(encoding="utf-8")
            text = text.replace("chargezone.in", world.providers[0])
            text = text.replace("pe-charging-01", world.items[0])
            text = text.replace("12.423423,77.325647", world.gps)
            text = text.replace('"6743e9e2-4fb5-487c-92b7"', f'"{ORDER}"')
            out.setdefault(action, []).append(json.loads(text)["message"])
    return out


def context(world: World, action: str, transaction_id: str, message_id: str) -> dict[str, Any]:
    from django.utils import timezone

    from beckn.protocol.timefmt import format_timestamp

    ctx = {
        "domain": "deg:ev-charging",
        "action": action,
        "location": {"country": {"code": "IND"}, "city": {"code": "std:011"}},
        "version": "1.1.0",
        "bap_id": world.bap_id,
        "bap_uri": world.bap_uri,
        "bpp_id": world.bpp_id,
        "bpp_uri": world.bpp_uri,
        "transaction_id": transaction_id,
        "message_id": message_id,
        "timestamp": format_timestamp(timezone.now()),
        "ttl": "PT30S",
    }
    return ctx


# -- Hostile values --------------------------------------------------------------------

NASTY_STRINGS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: valid JSON escape, not encodable as UTF-8
    "\udfff\ud800",
    "\ufeff",
    "\u202e\u0041",
    "😀" * 50,
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "1e400",
    "1E-400",
    "0.0000000001",
    "-100",
    "1_000",
    "\uff11\uff10\uff10",  # fullwidth 100: Decimal() accepts it
    "٣",  # an Arabic-Indic digit
    "1" + "0" * 100,
    "9" * 5000,
    "2025:09:24:10:00:00",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "2025-13-45T25:61:61Z",
    "2025-02-29T10:00:00+05:30",
    "P99999999Y",
    "PT-5S",
    "PT0S",
    "15S",
    "1e9S",
    "P1Y2M3DT4H5M6.5S",
    "00000000-0000-0000-0000-000000000000",
    "http://169.254.169.254/latest/meta-data/",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "../../../../etc/passwd",
    "%00%ff",
    "x" * 70,
    "x" * 300,
    "order.fulfillments[0].state",
    "order.fulfillments[999999].state",
    "end-charging",
    "start-charging",
    "CCS2",
    "-91,-181",
    "91.0,181.0",
    "NaN,NaN",
    "1e308,1e308",
    "28.345345,77.389754,",
    *RAW_TEXT,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(NASTY_STRINGS),
)
hostile = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indexes) into a JSON value, the root excluded."""
    out: list[tuple] = []
    if isinstance(value, dict):
        for key, child in value.items():
            out.append((*prefix, key))
            out += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.append((*prefix, index))
            out += paths_of(child, (*prefix, index))
    return out


def _parent(body: Any, path: tuple) -> tuple[Any, Any]:
    node = body
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


@st.composite
def mutated(draw: st.DrawFn, body: dict[str, Any], max_mutations: int = 3) -> dict[str, Any]:
    """The body with up to `max_mutations` changes at random places."""
    body = copy.deepcopy(body)
    for _ in range(draw(st.integers(0, max_mutations))):
        paths = paths_of(body)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(body, path)
        how = draw(st.sampled_from(("replace",) * 5 + ("delete", "wrap", "repeat", "stringify")))
        if how == "replace":
            parent[key] = draw(hostile)
        elif how == "delete":
            del parent[key]
        elif how == "wrap":
            parent[key] = [parent[key]]
        elif how == "repeat":
            parent[key] = [copy.deepcopy(parent[key]) for _ in range(draw(st.integers(2, 60)))]
        else:
            parent[key] = json.dumps(parent[key])
    return body


# -- Families -----------------------------------------------------------------------------


def encode(body: Any, *, ascii_only: bool = False, raw: dict[str, str] | None = None) -> bytes:
    text = json.dumps(body, ensure_ascii=ascii_only)
    for marker, raw_text in {**RAW_TEXT, **(raw or {})}.items():
        text = text.replace(f'"{marker}"', raw_text)
    return _utf8(text, ascii_only)


def _utf8(text: str, ascii_only: bool) -> bytes:
    # a lone surrogate cannot be UTF-8 encoded; the escaped form is what a peer would send
    return text.encode("utf-8", "backslashreplace") if not ascii_only else text.encode()


@st.composite
def deg_shots(draw: st.DrawFn, world: World, messages: dict[str, list[dict]]) -> Shot:
    action = draw(st.sampled_from(ACTIONS))
    message = copy.deepcopy(draw(st.sampled_from(messages[action])))
    if action in ("select", "init", "confirm") and draw(st.booleans()):
        order = message.setdefault("order", {})
        order["offers"] = [{"id": draw(st.sampled_from(world.offers))}]
    message_id = str(uuid.uuid4())
    tx = draw(st.sampled_from(world.transactions))
    body = {"context": context(world, action, tx, message_id), "message": message}
    if draw(st.integers(0, 9)) < 8:  # most mutations go to the message, past the context
        body["message"] = draw(mutated(body["message"]))
    else:
        body = draw(mutated(body))
    path_action = draw(st.sampled_from((action,) * 30 + ODD_PATHS))
    replay = draw(st.sampled_from(("",) * 18 + ("same", "reuse-id")))
    return Shot(
        "deg",
        path_action,
        encode(body, ascii_only=draw(st.booleans())),
        draw(st.sampled_from(SIGNINGS)),
        message_id,
        replay,
    )


CONTEXT_FIELDS = (
    "domain", "action", "location", "version", "bap_id", "bap_uri", "bpp_id", "bpp_uri",
    "transaction_id", "message_id", "timestamp", "ttl", "key", "city", "country",
)  # fmt: skip


@st.composite
def context_shots(draw: st.DrawFn, world: World, messages: dict[str, list[dict]]) -> Shot:
    action = draw(st.sampled_from(ACTIONS))
    message = copy.deepcopy(draw(st.sampled_from(messages[action])))
    ctx: Any = context(world, action, draw(st.sampled_from(world.transactions)), "")
    ctx["message_id"] = str(uuid.uuid4())
    how = draw(st.sampled_from(("fields", "fields", "fields", "drop", "type", "extra")))
    if how == "fields":
        for name in draw(st.lists(st.sampled_from(CONTEXT_FIELDS), min_size=1, max_size=4)):
            if draw(st.booleans()):
                ctx[name] = draw(hostile)
            else:
                ctx.pop(name, None)
    elif how == "type":
        ctx = draw(hostile)
    elif how == "extra":
        ctx.update(draw(st.dictionaries(st.text(max_size=12), hostile, min_size=1, max_size=5)))
    body: dict[str, Any] = {"message": message}
    if how != "drop":
        body["context"] = ctx
    signing = draw(st.sampled_from(SIGNINGS))
    return Shot("context", action, encode(body), signing)


@st.composite
def huge_shots(draw: st.DrawFn, world: World, messages: dict[str, list[dict]]) -> Shot:
    from beckn import conf

    action = draw(st.sampled_from(ACTIONS))
    body = {
        "context": context(world, action, world.transactions[0], str(uuid.uuid4())),
        "message": copy.deepcopy(messages[action][0]),
    }
    limit = int(conf.get("BECKN_MAX_BODY_BYTES"))
    kind = draw(st.sampled_from(("deep", "deep", "wide", "long", "near-limit", "over-limit")))
    raw: dict[str, str] = {}
    if kind == "deep":  # as text: json.dumps itself stops at about 1,000 levels
        depth = draw(st.integers(10, 3000))
        opened = ["[" if level % 2 else '{"a":' for level in range(depth)]
        closed = ["]" if level % 2 else "}" for level in reversed(range(depth))]
        raw["__RAW_DEEP__"] = "".join(opened) + json.dumps(draw(scalars)) + "".join(closed)
        body["message"]["deep"] = "__RAW_DEEP__"
    elif kind == "wide":
        count = draw(st.integers(100, 30_000))
        body["message"]["wide"] = (
            list(range(count)) if draw(st.booleans()) else {str(n): n for n in range(count)}
        )
    elif kind == "long":
        body["message"]["long"] = draw(st.sampled_from("x€😀\x00")) * draw(
            st.integers(1000, 60_000)
        )
    else:
        size = len(encode(body))
        pad = limit - size - 20 + (draw(st.integers(30, 10_000)) if kind == "over-limit" else 0)
        body["message"]["pad"] = "p" * max(pad, 0)
    return Shot(f"huge-{kind}", action, encode(body, raw=raw), "valid")


BROKEN = (
    b"\xff", b"\xfe\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80",
    b"\xe2\x82", b"\x00", b"\xef\xbb\xbf",
)  # fmt: skip


@st.composite
def byte_shots(draw: st.DrawFn, world: World, messages: dict[str, list[dict]]) -> Shot:
    action = draw(st.sampled_from(ACTIONS))
    body = {
        "context": context(world, action, world.transactions[0], str(uuid.uuid4())),
        "message": copy.deepcopy(messages[action][0]),
    }
    raw = encode(body)
    kind = draw(st.sampled_from(("insert", "latin-1", "utf-16", "random", "truncate", "bom")))
    if kind == "insert":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(BROKEN)) + raw[at:]
    elif kind == "latin-1":
        body["message"]["note"] = "café ₹ ü"
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8").replace("é".encode(), b"\xe9")
    elif kind == "utf-16":
        raw = json.dumps(body).encode("utf-16")
    elif kind == "random":
        raw = draw(st.binary(min_size=0, max_size=2000))
    elif kind == "truncate":
        raw = raw[: draw(st.integers(0, max(len(raw) - 1, 0)))]
    else:
        raw = b"\xef\xbb\xbf" + raw
    return Shot(f"bytes-{kind}", action, raw, "valid")


def beckn_shots(world: World) -> st.SearchStrategy[Shot]:
    messages = deg_messages(world)
    return st.one_of(
        deg_shots(world, messages),
        deg_shots(world, messages),
        deg_shots(world, messages),
        context_shots(world, messages),
        huge_shots(world, messages),
        byte_shots(world, messages),
    )
