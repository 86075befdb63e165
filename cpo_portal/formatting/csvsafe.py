"""CSV that a spreadsheet opens as data, never as formulas: every CSV the product writes
goes through `writer()` (tests/cpo_portal/test_csvsafe.py checks that no module calls
`csv.writer` itself).

A cell whose text starts with = + - @, a tab or a carriage return is a formula (or the start
of one) to Excel, LibreOffice and Google Sheets. Such text is prefixed with a single quote,
as OWASP advises: the spreadsheet shows the text as written. A number stays a number: a
Decimal, int or float cell, and text that is exactly a plain decimal number ("-3.50",
"+12", "-1.5e3"), are written as they are, so negative amounts still add up.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """The value as it is safe to write in a CSV cell."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float | Decimal) and math.isfinite(value):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` whose rows pass through `cell()`."""

    def __init__(self, out, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell(value) for value in row])


def writer(out, **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, **kwargs)
