"""The JSON text of what we send: one encoder for the callbacks the outbox writes and for
the byte sizes a catalog is cut into parts by."""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def encode(body: dict[str, Any]) -> str:
    """A callback's JSON text, compact and in UTF-8: what `json.dumps(body, separators=(",",
    ":"), ensure_ascii=False)` writes for the JSON we build, in a fraction of its CPU
    (bench/callback_encode.py, bench/results/on_search.md)."""
    return orjson.dumps(body, option=_OPTIONS).decode()


def size(value: Any) -> int:
    """Bytes of `value` as encode() writes it."""
    return len(orjson.dumps(value, option=_OPTIONS))
