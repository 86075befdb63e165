"""The core-schema check on the ACK path, about three times faster.

`beckn.protocol.schema` validates through `$ref`s resolved at every use (referencing's
registry), which costs ~1 ms for a select. Here each action's request schema is inlined
once (every `$ref` replaced by its target; the core 1.1.0 document has no recursive
reference, and one would be left as a `$ref` into the same registry), so a valid message
costs ~0.4 ms. Only the yes/no answer comes from here: an invalid message is validated
again by `validate_message`, which says where and why. Both read the same vendored
document, and a test holds them to the same verdict.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from beckn.protocol.schema import (
    CHECKED_FORMATS,
    SCHEMA_URI,
    SchemaIssue,
    load_document,
    validate_message,
    validator_for,
)


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def inline(document: Any, node: Any, seen: tuple[str, ...] = ()) -> Any:
    """`node` with every local `$ref` replaced by its (inlined) target."""
    if isinstance(node, list):
        return [inline(document, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        if ref in seen:  # a cycle: keep it as a reference the registry resolves
            return {"$ref": SCHEMA_URI + ref}
        target = inline(document, _resolve(document, ref), (*seen, ref))
        rest = {k: inline(document, v, seen) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target, rest]} if rest else target
    return {k: inline(document, v, seen) for k, v in node.items() if k not in ("description",)}


@cache
def fast_validator(action: str) -> Draft7Validator:
    validator_for(action)  # the same UnknownActionError for an unknown action
    document = load_document()
    pointer = f"#/paths/~1{action}/post/requestBody/content/application~1json/schema"
    registry = Registry().with_resource(
        SCHEMA_URI, Resource.from_contents(document, default_specification=DRAFT7)
    )
    return Draft7Validator(
        inline(document, {"$ref": pointer}),
        registry=registry,
        format_checker=FormatChecker(formats=CHECKED_FORMATS),
    )


def issues(action: str, body: Any) -> list[SchemaIssue]:
    """Every schema issue, as validate_message gives them; fast when there are none."""
    if fast_validator(action).is_valid(body):
        return []
    return validate_message(action, body)
