"""The schema check on the ACK path and of every reply, Beckn 1.1 and 2.0: a compiled
validator, jsonschema as the judge.

`beckn.protocol.schema` validates with `jsonschema` through `$ref`s resolved at every use.
Here each action's request schema is inlined once (every `$ref` replaced by its target; the
core 1.1.0 document has no recursive reference) and compiled by `jsonschema-rs` (Rust),
which answers yes/no for a select in a small part of the time (bench/results/beckn_ack.md).

`jsonschema` stays the reference: the formats we enforce are checked by the very same
`FormatChecker` callables (passed to jsonschema-rs, which then calls them), and a body the
compiled validator refuses (or cannot take) is validated again by `validate_message`,
which says where and why, and whose verdict is the one that counts. So where the two
could differ in the direction of jsonschema-rs being stricter (its regex `\\d` is ASCII,
Python's is Unicode), the reference still accepts; a test holds the two to the same
verdict on the DEG examples and on hypothesis-mutated ones.

Beckn 2.0 goes the same way (`issues_v2`): each 2.0.0 path's request schema, each
attribute pack's and core v2's Quantity (a committed resource's), compiled once by
jsonschema-rs (Draft 2020-12) against a registry of the vendored documents (the OpenAPI
document, core v2 and the packs: its recursive references, GeoJSON geometries in a
GeometryCollection, cannot be inlined, and need not be; nothing is fetched); a body it
refuses is judged again by `beckn.protocol.v2.schema.issues`.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from typing import Any

import jsonschema_rs
from jsonschema import FormatChecker

from beckn.protocol.schema import (
    CHECKED_FORMATS,
    SCHEMA_URI,
    SchemaIssue,
    load_document,
    validate_message,
    validator_for,
)
from beckn.protocol.v2 import schema as v2_schema

log = logging.getLogger(__name__)


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
        if ref in seen:  # a cycle: keep it as a reference (compiling then fails loudly)
            return {"$ref": SCHEMA_URI + ref}
        target = inline(document, _resolve(document, ref), (*seen, ref))
        rest = {k: inline(document, v, seen) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target, rest]} if rest else target
    return {k: inline(document, v, seen) for k, v in node.items() if k not in ("description",)}


@cache
def inlined_schema(action: str) -> dict[str, Any]:
    validator_for(action)  # the same UnknownActionError for an unknown action
    pointer = f"#/paths/~1{action}/post/requestBody/content/application~1json/schema"
    return inline(load_document(), {"$ref": pointer})


REMEMBERED_CHARS = 64  # format verdicts kept for texts this long at most (a timestamp is 24)


def _format_check(checker: FormatChecker, name: str) -> Any:
    """`checker.conforms(value, name)` without building the FormatError it catches: the
    same function and the same exceptions decide (a format it lacks conforms, as there)."""
    if name not in checker.checkers:
        return lambda value: True
    check, raises = checker.checkers[name]

    def judged(value: Any) -> bool:
        try:
            return bool(check(value))
        except raises:
            return False

    # Speed only: a verdict depends on the text alone (nothing to invalidate), and a
    # catalog repeats its search's times at every station (bench/results/on_search.md,
    # "a search's moments written once"). Short texts only, so what a sender's long
    # values can make a process keep stays small.
    remembered = lru_cache(maxsize=4096)(judged)

    def conforms(value: Any) -> bool:
        if isinstance(value, str) and len(value) <= REMEMBERED_CHARS:
            return remembered(value)
        return judged(value)

    return conforms


def _formats() -> dict[str, Any]:
    """Our formats judged by jsonschema's checker; other formats ("phone") are ignored,
    as jsonschema ignores them."""
    checker = FormatChecker(formats=CHECKED_FORMATS)
    return {name: _format_check(checker, name) for name in CHECKED_FORMATS}


def _no_fetch(uri: str) -> Any:
    raise ValueError(f"{uri} is not a vendored schema; nothing is fetched")


@cache
def fast_validator(action: str) -> jsonschema_rs.Draft7Validator:
    """1.1: jsonschema-rs over `/<action>`'s inlined schema (compiled once per action)."""
    return jsonschema_rs.Draft7Validator(
        inlined_schema(action),
        formats=_formats(),
        validate_formats=True,
        ignore_unknown_formats=True,
    )


@cache
def _v2_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(list(v2_schema.documents()), draft=jsonschema_rs.Draft202012)


@cache
def fast_validator_v2(ref: str) -> jsonschema_rs.Draft202012Validator:
    """2.0: jsonschema-rs over the schema at `ref` (a path's request schema, a pack's
    type), compiled once per ref against the vendored documents."""
    return jsonschema_rs.Draft202012Validator(
        {"$ref": ref},
        formats=_formats(),
        validate_formats=True,
        ignore_unknown_formats=True,
        registry=_v2_registry(),
        retriever=_no_fetch,
    )


def _compiled_verdict(validator: Any, body: Any, what: str) -> bool:
    """The compiled verdict; False (ask jsonschema) when it cannot take the body."""
    try:
        return bool(validator.is_valid(body))
    except Exception:  # a body jsonschema-rs cannot convert: let jsonschema judge
        log.debug("jsonschema-rs could not validate a %s body", what, exc_info=True)
        return False


def is_valid_v2(path: str, body: Any) -> bool:
    """`body` against the 2.0.0 schema of `path`, and every part of it the OpenAPI
    leaves to a pack or core v2 (beckn.protocol.v2.schema.judged) against that, compiled."""
    if not _compiled_verdict(fast_validator_v2(v2_schema.path_ref(path)), body, path):
        return False
    return all(
        _compiled_verdict(fast_validator_v2(ref), part, ref)
        for _, ref, part in v2_schema.judged(body)
    )


def issues(action: str, body: Any) -> list[SchemaIssue]:
    """Every 1.1 schema issue, as validate_message gives them; fast when there are none."""
    if _compiled_verdict(fast_validator(action), body, action):
        return []
    return validate_message(action, body)


def issues_v2(path: str, body: Any) -> list[SchemaIssue]:
    """Every 2.0 schema and pack issue, as beckn.protocol.v2.schema.issues gives them;
    fast when there are none."""
    if is_valid_v2(path, body):
        return []
    return v2_schema.issues(path, body)
