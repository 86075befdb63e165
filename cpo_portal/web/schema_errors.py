"""A JSON Schema error as the sender reads it: one wording for every surface that refuses a
body by its schema (Beckn 1.1 and 2.0 messages, OCPI CDRs).

`problems` turns a `jsonschema` ValidationError into what is wrong, where, in plain words:

- a value is shown as JSON writes it (`shown`): a string in double quotes, a number as
  digits (a Decimal read from JSON as its plain digits, -447.22, never `Decimal('-447.22')`),
  `true`, `null`, an object or array as JSON; anything longer than MAX_SHOWN characters
  is cut with "...";
- each rule says what it asks of the value, with its bound: `-447.22 is less than the
  minimum of 0`, `"CARD" is not one of "APP_USER", "RFID"`, `"" is shorter than 1
  character`, `has an unexpected key "colour"`;
- a required property missing is one problem per property, at the property's own path
  ("is required");
- an anyOf / oneOf that no branch fits is read through its branches' own errors, which
  say more than "is not valid under any of the given schemas".

Each surface keeps its own framing: how it writes a path (`$.message.order.items[0]`,
`total_cost.excl_vat`), its error codes, and which errors it reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jsonschema import ValidationError

MAX_SHOWN = 60  # characters of a value in a message
MAX_CHOICES = 200  # characters of an enum's choices in a message

_ARTICLE = {"array": "an", "integer": "an", "object": "an", "null": ""}
_BOUNDS = {
    "minimum": "is less than the minimum of",
    "maximum": "is greater than the maximum of",
    "exclusiveMinimum": "is not greater than",
    "exclusiveMaximum": "is not less than",
    "multipleOf": "is not a multiple of",
}
# rule -> (the verb, what is counted) of a value too short or too long
_SIZES = {
    "minLength": ("is shorter than", "character"),
    "maxLength": ("is longer than", "character"),
    "minItems": ("has fewer than", "item"),
    "maxItems": ("has more than", "item"),
    "minProperties": ("has fewer than", "key"),
    "maxProperties": ("has more than", "key"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a body breaks its schema: where (the keys and indexes from the body's root
    to the value), what is wrong in plain words, and the schema keyword broken."""

    path: tuple[str | int, ...]
    text: str
    rule: str


def problems(error: ValidationError) -> Iterator[Problem]:
    """What `error` says is wrong, in plain words; an anyOf / oneOf read through its
    branches, a `required` as one problem per missing property."""
    if error.context:  # anyOf / oneOf: the branches' own errors say more
        for sub in error.context:
            yield from problems(sub)
        return
    rule, path = str(error.validator), tuple(error.absolute_path)
    if rule == "required" and isinstance(error.instance, dict):
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        for name in wanted:
            if name not in error.instance:
                yield Problem((*path, name), "is required", rule)
        return
    yield Problem(path, describe(error), rule)


def describe(error: ValidationError) -> str:
    """The rule `error` reports, in plain words, about its value (no path)."""
    rule, expected, value = str(error.validator), error.validator_value, error.instance
    if rule == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"{shown(value)} is not {' or '.join(_a(str(kind)) for kind in kinds)}"
    if rule == "enum":
        return f"{shown(value)} {_not_one_of(expected)}"
    if rule == "const":
        return f"{shown(value)} is not {shown(expected)}"
    if rule == "pattern":
        return f"{shown(value)} does not match the pattern {expected}"
    if rule == "format":
        return f"{shown(value)} is not a valid {expected}"
    if rule in _BOUNDS:
        return f"{shown(value)} {_BOUNDS[rule]} {shown(expected)}"
    if rule in _SIZES:
        verb, unit = _SIZES[rule]
        return f"{shown(value)} {verb} {expected} {unit}{'' if expected == 1 else 's'}"
    if rule == "additionalProperties":
        extra = [shown(key) for key in unexpected_keys(error.instance, error.schema)]
        if len(extra) == 1:
            return f"has an unexpected key {extra[0]}"
        return f"has unexpected keys {', '.join(extra)}" if extra else "has unexpected keys"
    if rule == "uniqueItems":
        return f"{shown(value)} has repeated items"
    if rule == "oneOf":  # no branch error: it fits more than one
        return f"{shown(value)} fits more than one of the shapes allowed here"
    if rule in ("not", "None"):  # `not`, or the schema `false`
        return f"{shown(value)} is not allowed here"
    return f"{shown(value)} breaks the rule {rule}: {shown(expected)}"


def unexpected_keys(instance: Any, schema: Any) -> list[str]:
    """The keys of `instance` its object schema neither names nor matches by pattern."""
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return []
    named = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [
        key
        for key in instance
        if key not in named and not any(re.search(pattern, key) for pattern in patterns)
    ]


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """`value` as JSON writes it (a Decimal as its plain digits), cut at `limit`."""
    return _cut("".join(_pieces(value, limit)), limit)


def _a(kind: str) -> str:
    article = _ARTICLE.get(kind, "a")
    return f"{article} {kind}" if article else kind


def _not_one_of(choices: Any) -> str:
    options = list(choices) if isinstance(choices, Iterable) else [choices]
    if len(options) == 1:
        return f"is not {shown(options[0])}"
    return "is not one of " + _cut(", ".join(shown(o) for o in options), MAX_CHOICES)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _pieces(value: Any, budget: int) -> Iterator[str]:
    """The JSON text of `value` in pieces, stopping once `budget` characters are out (a
    large body is never written out whole to be cut)."""
    if isinstance(value, dict | list | tuple):
        is_object = isinstance(value, dict)
        yield "{" if is_object else "["
        used = 1
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for n, (key, item) in enumerate(items):
            if used > budget:
                return
            parts = [", "] if n else []
            if is_object:
                parts.append(_scalar(str(key), budget) + ": ")
            parts.extend(_pieces(item, budget - used))
            text = "".join(parts)
            used += len(text)
            yield text
        yield "}" if is_object else "]"
        return
    yield _scalar(value, budget)


def _scalar(value: Any, budget: int) -> str:
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, str):
        value = value[: budget + 1]  # the rest would be cut
    elif value is not None and not isinstance(value, bool | int | float):
        value = str(value)
    return json.dumps(value, ensure_ascii=False)
