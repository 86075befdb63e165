"""JSON bounded before it is parsed: size, nesting depth and number length, for every
parser of the product: uploads, form fields, the REST API (BoundedJSONParser, set in
REST_FRAMEWORK's DEFAULT_PARSER_CLASSES) and the OCPI API (roaming.api.base.OcpiJSONParser),
CDRs (roaming.services.cdr_schema), pricing documents (their YAML events are checked with
`check_depth`, `check_number` and `check_string`) and the Beckn body parser.

The standard library's parser recurses once per nesting level, so a few kilobytes of
`[[[[...` raise RecursionError deep inside it; this counts the depth first with one
regular-expression pass (strings skipped), which is linear and cannot recurse. Python
refuses to read an integer of more than 4,300 digits (ValueError); no figure we price
needs more than MAX_NUMBER_CHARS characters, so longer numbers are refused first, with a
message. BoundedJSONField is a JSONField whose form field and validator apply the same
limits, so the admin, the API and every `full_clean()` refuse the same documents.

Valid JSON can still hold what no UTF-8 text and no PostgreSQL column can: NUL (\\u0000)
and unpaired surrogates (\\ud800 alone; a pair written as two escapes is one character
to JSON, but a YAML reader keeps the two halves). `check_strings` refuses them in every
key and string, with a one-line message; `loads` applies it, and refuses NaN, Infinity
and numbers out of range (1e999, or a Decimal of more than MAX_NUMBER_CHARS digits written
out).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20
MAX_NUMBER_CHARS = 100
API_MAX_BYTES = 1_000_000  # a REST API request body
# A string (to its closing quote, or to the end when it has none) or a bracket. Every match
# is consumed once, so an unterminated string cannot make the scan quadratic.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


class JsonLimitError(ValueError):
    """The document is larger or deeper than allowed (the message says which)."""


# Python's JSON parser's messages, as people read them (the start of its message -> ours).
_WHAT_WENT_WRONG = {
    "Expecting value": "a value was expected",
    "Expecting property name enclosed in double quotes": "a name in double quotes was expected",
    "Expecting ',' delimiter": "a comma was expected",
    "Expecting ':' delimiter": "a colon was expected",
    "Unterminated string": "a text in quotes is not closed",
    "Invalid control character": "a text in quotes holds a line break or a control character",
    "Invalid \\escape": "a backslash starts no known escape",
    "Extra data": "more follows the end of the JSON",
}


def not_json(exc: ValueError) -> str:
    """Why a text is not JSON, in words, with where: 'not JSON: a comma was expected at
    line 3, column 7', never the parser's own message."""
    if isinstance(exc, json.JSONDecodeError):
        what = next(
            (ours for theirs, ours in _WHAT_WENT_WRONG.items() if exc.msg.startswith(theirs)),
            "it cannot be read",
        )
        return f"not JSON: {what} at line {exc.lineno}, column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not JSON: the file is not UTF-8 text"
    return "not JSON: it cannot be read"


def text_depth(text: str, stop: int | None = None) -> int:
    """The deepest nesting of arrays and objects in JSON text (0 for a scalar); counting
    ends as soon as it passes `stop`."""
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        part = match.group()
        if part[0] == '"':
            continue
        if part in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if stop is not None and deepest > stop:
                break
        else:
            depth -= 1
    return deepest


def value_depth(value: Any, stop: int | None = None) -> int:
    """The same for a parsed value, without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list | tuple):
            continue
        depth += 1
        deepest = max(deepest, depth)
        if stop is not None and deepest > stop:
            break
        stack.extend((child, depth) for child in item)
    return deepest


def check_text(text: str | bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> str:
    """The text, decoded, if it is within `max_bytes` and `max_depth`; else JsonLimitError."""
    if len(text) > max_bytes:
        raise JsonLimitError(f"larger than {max_bytes:,} bytes")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonLimitError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    # Each level opens with a bracket, so fewer brackets than the limit (those inside
    # strings count too) prove the depth without reading the tokens.
    shallow = text.count("{") + text.count("[") <= max_depth
    if not shallow and text_depth(text, stop=max_depth) > max_depth:
        raise JsonLimitError(f"nested more than {max_depth} levels deep")
    return text


def check_depth(depth: int, max_depth: int = MAX_DEPTH) -> None:
    """JsonLimitError when a parser that counts its own nesting has gone past `max_depth`."""
    if depth > max_depth:
        raise JsonLimitError(f"nested more than {max_depth} levels deep")


def check_number(text: str) -> str:
    """`text`, a number as written, if it is at most MAX_NUMBER_CHARS long."""
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonLimitError(
            f"written with a number of {len(text):,} characters ({text[:12]}...); "
            f"numbers are read up to {MAX_NUMBER_CHARS}"
        )
    return text


def check_string(text: str) -> str:
    """`text` if UTF-8 can hold it and it has no NUL; else JsonLimitError saying which and
    where."""
    if "\x00" in text:
        raise JsonLimitError(
            f"not storable text: a string holds NUL: {_up_to(text, text.index(chr(0)))}"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonLimitError(
            f"not storable text: a string holds an unpaired surrogate: {_up_to(text, exc.start)}"
        ) from None
    return text


def _up_to(text: str, at: int, most: int = 40) -> str:
    """`text` up to the character at `at` (which no column can store), at most `most`
    characters, as JSON writes it (schema_errors.shown) but in ASCII escapes, which the
    message can hold where `text` cannot: "0123\\u0000", ..."0123\\ud800"."""
    start = max(0, at + 1 - most)
    return ("..." if start else "") + json.dumps(text[start : at + 1])


def check_strings(value: Any) -> Any:
    """`value` (parsed JSON) if no key or string in it holds NUL or an unpaired surrogate;
    else JsonLimitError for the first one. Iterative: no depth recurses."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            check_string(node)
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return value


def _int(text: str) -> int:
    return int(check_number(text))


def _in_range(value: Any, fits: bool, text: str, what: str = "number") -> Any:
    if not fits:
        raise JsonLimitError(f"written with the {what} {text[:30]}, which is out of range")
    return value


def _float(text: str) -> float:
    value = float(check_number(text))
    return _in_range(value, math.isfinite(value), text)  # 1e999: JSON, but no float holds it


def _int64(text: str) -> int:
    value = _int(text)
    return _in_range(value, -(2**63) <= value < 2**64, text, "integer")


def _decimal(text: str) -> Decimal:
    value = Decimal(check_number(text))
    # 1e999999 is short, but not its digits
    return _in_range(value, abs(value.adjusted()) <= MAX_NUMBER_CHARS, text)


def _no_constant(name: str) -> Any:
    raise JsonLimitError(f"written with {name}, which is not a JSON number")


def loads(
    text: str | bytes,
    *,
    max_bytes: int,
    max_depth: int = MAX_DEPTH,
    decimals: bool = False,
    int64: bool = False,
) -> Any:
    """json.loads within the limits: no NaN or Infinity (no JSON holds them), no number out
    of range, no NUL or unpaired surrogate in a string (check_strings). `decimals`: every
    non-integer number a Decimal (money never passes a float). `int64`: no integer beyond
    64 bits either (a Beckn body: the JSON we send back, and most peers, cannot carry one).
    Raises JsonLimitError (the message completes "the document is ...") or ValueError (not
    JSON: `not_json` says why in words)."""
    checked = check_text(text, max_bytes=max_bytes, max_depth=max_depth)
    value = json.loads(
        checked,
        parse_int=_int64 if int64 else _int,
        parse_float=_decimal if decimals else _float,
        parse_constant=_no_constant,
    )
    # Only an escape writes NUL or a lone surrogate into valid JSON read from UTF-8.
    if "\\u" in checked or not isinstance(text, bytes):
        check_strings(value)
    return value


def _unbuilt(text: str) -> None:
    return None


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def is_json(text: str | bytes) -> bool:
    """Whether `text` is JSON text (RFC 8259: UTF-8, no NaN or Infinity) at all, whatever
    the limits above say of it: JSON with a number out of range, a NUL or too deep is
    JSON; NaN or a missing bracket is not. Numbers are not built (none is too long to
    look at); text nested deeper than the standard parser recurses is not read (False)."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        json.loads(text, parse_int=_unbuilt, parse_float=_unbuilt, parse_constant=_not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    return True


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser within the limits: a body over API_MAX_BYTES or MAX_DEPTH deep,
    a number too long or out of range, a NaN, a NUL or an unpaired surrogate is a 400 with
    the reason, never a RecursionError or a database error."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(API_MAX_BYTES + 1) if stream is not None else b""
        try:
            return loads(raw, max_bytes=API_MAX_BYTES)
        except JsonLimitError as exc:
            raise ParseError(f"JSON refused: the body is {exc}.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class BoundedJSONFormField(forms.JSONField):
    """`empty`: what an empty box (or `null`) is, for a model field that holds no null
    (Django's JSON form field gives None, which such a column refuses on save)."""

    def __init__(
        self, *, max_bytes: int, max_depth: int, empty: Callable[[], Any] | None = None, **kwargs
    ) -> None:
        self.max_bytes, self.max_depth, self.empty = max_bytes, max_depth, empty
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and not self.disabled:
            try:
                check_text(value, max_bytes=self.max_bytes, max_depth=self.max_depth)
            except JsonLimitError as exc:
                raise ValidationError(f"The JSON is {exc}.", code="json_limit") from None
        value = super().to_python(value)
        if value is None and self.empty is not None and not self.disabled:
            value = self.empty()
        try:
            return check_strings(value)
        except JsonLimitError as exc:
            raise ValidationError(f"The JSON is {exc}.", code="json_limit") from None

    def bound_data(self, data, initial):
        """The form shown again with its errors must not parse what to_python refused."""
        if isinstance(data, str) and not self.disabled:
            try:
                check_text(data, max_bytes=self.max_bytes, max_depth=self.max_depth)
            except JsonLimitError:
                return forms.fields.InvalidJSONInput(data)
        return super().bound_data(data, initial)


class BoundedJSONField(models.JSONField):
    """A JSONField that refuses documents over `max_bytes` (as JSON) or `max_depth`."""

    def __init__(self, *args, max_bytes: int = 64 * 1024, max_depth: int = MAX_DEPTH, **kwargs):
        self.max_bytes, self.max_depth = max_bytes, max_depth
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_bytes"], kwargs["max_depth"] = self.max_bytes, self.max_depth
        return name, path, args, kwargs

    def validate(self, value, model_instance) -> None:
        if value_depth(value, stop=self.max_depth) > self.max_depth:
            raise ValidationError(
                f"The JSON is nested more than {self.max_depth} levels deep.", code="json_limit"
            )
        try:
            check_strings(value)
        except JsonLimitError as exc:
            raise ValidationError(f"The JSON is {exc}.", code="json_limit") from None
        size = len(json.dumps(value, cls=self.encoder, default=str))
        if size > self.max_bytes:
            raise ValidationError(
                f"The JSON is larger than {self.max_bytes:,} bytes.", code="json_limit"
            )
        super().validate(value, model_instance)

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", BoundedJSONFormField)
        if kwargs["form_class"] is BoundedJSONFormField:
            kwargs.update(max_bytes=self.max_bytes, max_depth=self.max_depth)
            if not self.null:  # an emptied box is the default ([] or {}), never a null
                kwargs["empty"] = self.get_default
        return super().formfield(**kwargs)
