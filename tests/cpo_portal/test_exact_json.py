"""JSON whose numbers keep their digits (cpo_portal.web.exactjson): a Decimal is written as
the number it is and read back as one, digit for digit; anything else is written exactly
as json.dumps writes it, whatever the indent, separators, ensure_ascii or sort_keys."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpo_portal.web.exactjson import ExactJSONDecoder, ExactJSONEncoder

SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None)
OPTIONS = st.sampled_from([
    {}, {"indent": 1}, {"indent": 3}, {"indent": "\t"}, {"separators": (",", ":")},
    {"ensure_ascii": False}, {"sort_keys": True, "indent": 2},
])  # fmt: skip


def documents(leaves):
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=12,
    )


@given(documents(SCALARS | FLOATS), OPTIONS)
def test_without_decimals_it_writes_what_json_dumps_writes(document, options):
    assert json.dumps(document, cls=ExactJSONEncoder, **options) == json.dumps(document, **options)


def digits(value):
    """The document with each Decimal as its digits (one with no point and no exponent,
    such as 7, is an integer to JSON, so read back as one)."""
    if isinstance(value, dict):
        return {k: digits(v) for k, v in value.items()}
    if isinstance(value, list):
        return [digits(v) for v in value]
    if isinstance(value, Decimal):
        text = str(value)
        return int(text) if text.lstrip("-").isdigit() else text
    return value


@given(documents(SCALARS | DECIMALS), OPTIONS)
def test_a_decimal_is_read_back_digit_for_digit(document, options):
    text = json.dumps(document, cls=ExactJSONEncoder, **options)
    assert digits(json.loads(text, cls=ExactJSONDecoder)) == digits(document)


def test_numbers_no_float_holds():
    data = {"kwh": Decimal("12.3456789012345678"), "excl_vat": Decimal("232.210"),
            "e": Decimal("1E+3"), "zero": Decimal("-0")}  # fmt: skip
    text = json.dumps(data, cls=ExactJSONEncoder)
    assert text == '{"kwh": 12.3456789012345678, "excl_vat": 232.210, "e": 1E+3, "zero": -0}'
    assert json.loads(text, cls=ExactJSONDecoder)["excl_vat"].as_tuple().exponent == -3


def test_not_a_number_is_refused_when_asked():
    with pytest.raises(ValueError, match="not JSON compliant"):
        json.dumps([Decimal("NaN")], cls=ExactJSONEncoder, allow_nan=False)
    assert json.dumps([Decimal("-Infinity")], cls=ExactJSONEncoder) == "[-Infinity]"
