"""Validate Beckn message bodies against the vendored core 1.1.0 OpenAPI document.

OpenAPI 3.0 schema objects are close enough to JSON Schema Draft 7 for our purpose: the
only 3.0-specific keyword that changes meaning is `nullable`, which is rewritten into a
`type` list when the document is loaded (the 1.1.0 document has none today). Each path's
request-body schema is validated through a `$ref` into the whole document, so the
`#/components/...` and `#/paths/...` references inside it resolve with `referencing`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from cpo_portal.web.schema_errors import problems

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "core-1.1.0-transaction.yaml"
SCHEMA_URI = "urn:beckn:core:1.1.0:transaction"

REQUEST_ACTIONS: tuple[str, ...] = (
    "search",
    "select",
    "init",
    "confirm",
    "status",
    "track",
    "update",
    "cancel",
    "rating",
    "support",
)
CALLBACK_ACTIONS: tuple[str, ...] = tuple(f"on_{action}" for action in REQUEST_ACTIONS)
ALL_ACTIONS: tuple[str, ...] = REQUEST_ACTIONS + CALLBACK_ACTIONS

# Formats we enforce. "phone" (Support) is not a JSON Schema format and is ignored.
CHECKED_FORMATS: tuple[str, ...] = ("date-time", "date", "uuid", "uri", "email")


class UnknownActionError(ValueError):
    """The action has no path in the core transaction API."""


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One schema violation: where (`$.message.order.items[0].id`), what, and which rule."""

    path: str
    message: str
    rule: str


@lru_cache(maxsize=1)
def load_document() -> Mapping[str, Any]:
    """The parsed OpenAPI document, read once per process (by libyaml's safe loader when
    PyYAML has it: the same document, much faster than the pure-Python one;
    bench/results/beckn_ack.md)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SCHEMA_FILE.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)
    return _rewrite_nullable(document)


def _rewrite_nullable(node: Any) -> Any:
    """Turn OpenAPI's `nullable: true` into a JSON Schema type list, recursively."""
    if isinstance(node, list):
        return [_rewrite_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _rewrite_nullable(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resource = Resource.from_contents(load_document(), default_specification=DRAFT7)
    return Registry().with_resource(SCHEMA_URI, resource)


@cache
def validator_for(action: str) -> Draft7Validator:
    """The compiled validator for `/<action>`'s request body (cached per action)."""
    if action not in ALL_ACTIONS or f"/{action}" not in load_document()["paths"]:
        raise UnknownActionError(f"no Beckn path for action {action!r}")
    pointer = f"#/paths/~1{action}/post/requestBody/content/application~1json/schema"
    return Draft7Validator(
        {"$ref": SCHEMA_URI + pointer},
        registry=_registry(),
        format_checker=FormatChecker(formats=CHECKED_FORMATS),
    )


def validate_message(action: str, body: Any) -> list[SchemaIssue]:
    """Every schema issue in `body` for `action`, sorted by path; empty when valid."""
    validator = validator_for(action)
    if validator.is_valid(body):
        return []
    issues: dict[tuple[str, str], SchemaIssue] = {}
    for error in validator.iter_errors(body):
        for issue in _issues_from(error):
            issues.setdefault((issue.path, issue.message), issue)
    return sorted(issues.values(), key=lambda issue: (issue.path, issue.message))


def _issues_from(error: ValidationError) -> Iterable[SchemaIssue]:
    """The error in the product's words (cpo_portal.web.schema_errors), at its JSON path."""
    for problem in problems(error):
        yield SchemaIssue(json_path(problem.path), problem.text, problem.rule)


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(parts: Iterable[str | int]) -> str:
    """`$.message.order.items[0].id` from ['message', 'order', 'items', 0, 'id']."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}"
        else:
            out += "[" + repr(part) + "]"
    return out
