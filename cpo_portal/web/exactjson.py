"""JSON whose numbers keep their digits: what `jsonlimits.loads(decimals=True)` reads,
ExactJSONEncoder writes back digit for digit, a Decimal as the number it is
(12.3456789012345678, 232.210), where the standard library cannot write a Decimal and
Django's and DRF's encoders write it as a string or through a float. ExactJSONDecoder reads
it back as a Decimal. A JSONField given both keeps a document's numbers as they were
written (the CDR as received: roaming.models.ReceivedCdr.data; PostgreSQL's jsonb keeps a
number's digits, SQLite's text column the text).

The writing is simplejson's (`use_decimal`), behind the standard library's encoder class,
which is what Django's JSONField and DRF's renderer take.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import simplejson


class ExactJSONEncoder(json.JSONEncoder):
    """json.dumps's encoder with its options (indent, separators, ensure_ascii, sort_keys,
    allow_nan, default), but a Decimal is written as a number with its own digits."""

    def encode(self, o: Any) -> str:
        return simplejson.dumps(
            o,
            use_decimal=True,
            indent=self.indent,
            separators=(self.item_separator, self.key_separator),
            ensure_ascii=self.ensure_ascii,
            sort_keys=self.sort_keys,
            allow_nan=self.allow_nan,
            check_circular=self.check_circular,
            default=self.default,
        )

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:
        yield self.encode(o)


class ExactJSONDecoder(json.JSONDecoder):
    """Reads what ExactJSONEncoder wrote: every non-integer number a Decimal."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(**kwargs)
