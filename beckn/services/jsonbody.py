"""Parse an untrusted request body: strict UTF-8, strict JSON, bounded size and shape.

Python's json module is safe against deep nesting (it raises RecursionError rather than
crash), but a body a few hundred levels deep or with a hundred thousand tiny nodes still
costs every later stage (schema validation, normalisation) time it should not; the
limits stop those at the door with a message that says which limit was hit.
"""

from __future__ import annotations

import json
from typing import Any


class BodyError(ValueError):
    """The body is not acceptable JSON; `message` says why, for the NACK."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def _no_constants(name: str) -> Any:
    raise BodyError(f"{name} is not valid JSON")


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
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise BodyError(f"the JSON is nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, int too long, BodyError from constants
        if isinstance(exc, BodyError):
            raise
        raise BodyError(f"the body is not valid JSON: {exc}") from None
    check_shape(value, max_depth=max_depth, max_nodes=max_nodes)
    return value


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
