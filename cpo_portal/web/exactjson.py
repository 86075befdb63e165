"""JSON whose numbers keep their digits: what `jsonlimits.loads(decimals=True)` reads,
ExactJSONEncoder writes back digit for digit, a Decimal as the number it is
(12.3456789012345678, 232.210), where the standard library cannot write a Decimal and
Django's and DRF's encoders write it as a string or through a float. ExactJSONDecoder reads
it back as a Decimal. A JSONField given both keeps a document's numbers as they were
written (the CDR as received: roaming.models.ReceivedCdr.data; PostgreSQL's jsonb keeps a
number's digits, SQLite's text column the text).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any


class ExactJSONEncoder(json.JSONEncoder):
    """json.dumps's encoder, but a Decimal is written as a number with its own digits.
    The rest as json.dumps writes it (indent, separators, ensure_ascii, sort_keys,
    allow_nan, default); circular references are not looked for (parsed JSON has none)."""

    def encode(self, o: Any) -> str:
        return "".join(self.iterencode(o))

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:
        return self._chunks(o, 0)

    def _chunks(self, o: Any, level: int) -> Iterator[str]:
        if isinstance(o, str):
            yield self._string(o)
        elif o is None or isinstance(o, bool):
            yield {None: "null", True: "true", False: "false"}[o]
        elif isinstance(o, int):
            yield int.__repr__(o)
        elif isinstance(o, float | Decimal):
            yield self._number(o)
        elif isinstance(o, dict):
            yield from self._object(o, level)
        elif isinstance(o, list | tuple):
            yield from self._array(o, level)
        else:
            yield from self._chunks(self.default(o), level)

    def _string(self, text: str) -> str:
        if self.ensure_ascii:
            return json.encoder.encode_basestring_ascii(text)
        return json.encoder.encode_basestring(text)

    def _number(self, number: float | Decimal) -> str:
        if isinstance(number, Decimal):
            if number.is_finite():
                return str(number)  # a JSON number, as written: 232.210, 1E+3, -0
            nan = number.is_nan()
        else:
            if math.isfinite(number):
                return float.__repr__(number)
            nan = math.isnan(number)
        written = "NaN" if nan else "Infinity" if number > 0 else "-Infinity"
        if not self.allow_nan:
            raise ValueError(f"Out of range float values are not JSON compliant: {written}")
        return written

    def _newline(self, level: int) -> str:
        if self.indent is None:
            return ""
        step = " " * self.indent if isinstance(self.indent, int) else str(self.indent)
        return "\n" + step * level

    def _object(self, o: dict, level: int) -> Iterator[str]:
        if not o:
            yield "{}"
            return
        items = sorted(o.items()) if self.sort_keys else o.items()
        inside = self._newline(level + 1)
        yield "{"
        for n, (key, value) in enumerate(items):
            yield (self.item_separator if n else "") + inside
            yield self._string(key if isinstance(key, str) else json.dumps(key))
            yield self.key_separator
            yield from self._chunks(value, level + 1)
        yield self._newline(level) + "}"

    def _array(self, items: list | tuple, level: int) -> Iterator[str]:
        if not items:
            yield "[]"
            return
        inside = self._newline(level + 1)
        yield "["
        for n, item in enumerate(items):
            yield (self.item_separator if n else "") + inside
            yield from self._chunks(item, level + 1)
        yield self._newline(level) + "]"


class ExactJSONDecoder(json.JSONDecoder):
    """Reads what ExactJSONEncoder wrote: every non-integer number a Decimal."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(**kwargs)
