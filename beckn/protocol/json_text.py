"""The JSON text of what we send: one encoder for the callbacks the outbox writes and for
the byte sizes a catalog is cut into parts by; and the digest a catalog's pieces are
compared by (the change record's, a CDS's copies); and `obj` / `seq`, a received value
read as the object or list it should be (empty when it is not)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson


def encoded(body: dict[str, Any]) -> bytes:
    """A callback's JSON text, compact, as UTF-8 bytes: what `json.dumps(body,
    separators=(",", ":"), ensure_ascii=False)` writes for the JSON we build, encoded, in a
    fraction of its CPU (bench/callback_encode.py, bench/results/on_search.md)."""
    return _dumps(body)


def size(value: Any) -> int:
    """Bytes of `value` as encoded() writes it."""
    return len(_dumps(value))


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)  # keys other than strings slow every dict: not asked
    except orjson.JSONEncodeError:
        # an integer past 64 bits (a BAP's 1e308 as PostgreSQL's jsonb gives it back,
        # echoed in a refusal), a key that is not a string: the same text, by the slower
        # encoder that writes any int and any such key
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return text.encode()


def digest(value: Any) -> str:
    """What `value` holds, as a short hex digest that does not depend on the order of its
    keys: the same for equal values, whatever process made them (the change record keeps
    them in the database, so their text never changes)."""
    return hashlib.sha256(canonical(value)).hexdigest()[:32]


def canonical(value: Any) -> bytes:
    """`value` as JSON with its keys sorted, no whitespace, in UTF-8: the same bytes for
    equal values (what a digest of a value is taken over)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
