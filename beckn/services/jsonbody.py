"""Parse an untrusted request body: strict UTF-8, strict JSON, bounded size and shape.

Python's json module is safe against deep nesting (it raises RecursionError rather than
crash), but a body a few hundred levels deep or with a hundred thousand tiny nodes still
costs every later stage (schema validation, normalisation) time it should not; the
limits stop those at the door with a message that says which limit was hit.
"""

from __future__ import annotations

import json
import math
from typing import Any


class BodyError(ValueError):
    """The body is not acceptable JSON; `message` says why, for the NACK."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def _no_constants(name: str) -> Any:
    raise BodyError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    """1e999 is valid JSON that Python reads as infinity, which no JSON can hold again
    (PostgreSQL refuses to store it)."""
    value = float(text)
    if not math.isfinite(value):
        raise BodyError(f"the number {text[:30]} is out of range")
    return value


def parse(raw: bytes, *, max_bytes: int, max_depth: int, max_nodes: int) -> Any:
    if len(raw) > max_bytes:
        raise BodyError(f"the body is {len(raw)} bytes; the limit is {max_bytes}", too_large=True)
    if not raw.strip():
        raise BodyError("the body is empty; send a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=_finite)
    except RecursionError:
        raise BodyError(f"the JSON is nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, int too long, BodyError from constants
        if isinstance(exc, BodyError):
            raise
        raise BodyError(f"the body is not valid JSON: {exc}") from None
    if not _within_limits_by_count(raw, max_depth=max_depth, max_nodes=max_nodes):
        check_shape(value, max_depth=max_depth, max_nodes=max_nodes)
    if "\\u" in text:  # only an escape can carry NUL or an unpaired surrogate
        check_strings(value)
    return value


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_strings(value: Any) -> None:
    """No key or string holds NUL or an unpaired surrogate (\\u0000, \\ud800): valid JSON,
    but no UTF-8 text can hold them, and PostgreSQL refuses them in jsonb and text."""
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            items = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            items = node
        else:
            items = [node]
        for item in items:
            if isinstance(item, str):
                if not _storable(item):
                    raise BodyError(
                        f"the JSON has a string with NUL or an unpaired surrogate: {item[:40]!r}"
                    )
            elif isinstance(item, dict | list):
                stack.append(item)


def _within_limits_by_count(raw: bytes, *, max_depth: int, max_nodes: int) -> bool:
    """True when counting characters proves the shape limits hold, so the walk can be
    skipped: every object or array opens with `{` or `[`, so no chain of them is longer
    than their number; and a container of n values holds n - 1 commas, so there are no
    more values than commas plus containers. Characters inside strings only raise the
    counts, so the answer errs towards walking, never past a limit."""
    opens = raw.count(b"{") + raw.count(b"[")
    return opens <= max_depth and opens + raw.count(b",") <= max_nodes


def check_shape(value: Any, *, max_depth: int, max_nodes: int) -> None:
    """Depth and node count, iteratively (no recursion on attacker-chosen depth)."""
    if not isinstance(value, dict | list):
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > max_depth:
            raise BodyError(f"the JSON is nested deeper than {max_depth} levels")
        nodes += len(children)
        if nodes > max_nodes:
            raise BodyError(f"the JSON has more than {max_nodes} values")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
