"""A JSON Schema error reads the same to every sender (cpo_portal.web.schema_errors): the
value as JSON writes it, the rule in plain words with its bound, one rule family at a
time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from cpo_portal.web.schema_errors import Problem, problems, shown


def _problems(schema: dict[str, Any], value: Any) -> list[Problem]:
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found = [p for error in validator.iter_errors(value) for p in problems(error)]
    return list(dict.fromkeys(found))


def _text(schema: dict[str, Any], value: Any) -> str:
    (problem,) = _problems(schema, value)
    return problem.text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("-447.22"), "-447.22"),
        (Decimal("1E+3"), "1000"),  # a Decimal as its plain digits, never Decimal('...')
        (-447.22, "-447.22"),
        (5, "5"),
        ("x", '"x"'),
        ('say "hi"', '"say \\"hi\\""'),
        (True, "true"),
        (None, "null"),
        ({"a": [Decimal("2.50"), None]}, '{"a": [2.50, null]}'),
        ("€", '"€"'),
    ],
)
def test_a_value_is_shown_as_json_writes_it(value, written):
    assert shown(value) == written


def test_a_long_value_is_shortened():
    assert shown("x" * 500) == '"' + "x" * 56 + "..."
    assert len(shown(list(range(10_000)))) == 60
    assert shown({"k": "v" * 100}).endswith("...") and len(shown({"k": "v" * 100})) == 60


def test_a_missing_property_is_one_problem_each_at_its_own_path():
    schema = {"type": "object", "required": ["a", "b", "c"]}
    assert _problems(schema, {"b": 1}) == [
        Problem(("a",), "is required", "required"),
        Problem(("c",), "is required", "required"),
    ]


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("number", "10", '"10" is not a number'),
        ("integer", 2.5, "2.5 is not an integer"),
        ("object", [1], "[1] is not an object"),
        (["string", "null"], 4, "4 is not a string or null"),
    ],
)
def test_a_wrong_type_names_the_type_wanted(kind, value, text):
    assert _text({"type": kind}, value) == text


def test_an_enum_and_a_const_list_what_is_allowed():
    assert _text({"enum": ["A", "B"]}, "C") == '"C" is not one of "A", "B"'
    assert _text({"enum": ["init"]}, "select") == '"select" is not "init"'
    assert _text({"const": 2}, 3) == "3 is not 2"
    long = _text({"enum": [f"CHOICE_{n:03}" for n in range(100)]}, "X")
    assert long.startswith('"X" is not one of "CHOICE_000", ') and long.endswith("...")


def test_a_pattern_and_a_format_are_named():
    assert _text({"pattern": "^[A-Z]{3}$"}, "E/S") == '"E/S" does not match the pattern ^[A-Z]{3}$'
    assert _text({"format": "uuid"}, "not-a-uuid") == '"not-a-uuid" is not a valid uuid'


@pytest.mark.parametrize(
    ("rule", "bound", "value", "text"),
    [
        ("minimum", 0, Decimal("-447.22"), "-447.22 is less than the minimum of 0"),
        ("maximum", 1000, 1_000_000, "1000000 is greater than the maximum of 1000"),
        ("exclusiveMinimum", 0, 0, "0 is not greater than 0"),
        ("exclusiveMaximum", 1, 1.0, "1.0 is not less than 1"),
        ("multipleOf", Decimal("0.5"), Decimal("0.3"), "0.3 is not a multiple of 0.5"),
    ],
)
def test_a_number_out_of_bounds_names_its_bound(rule, bound, value, text):
    assert _text({rule: bound}, value) == text


@pytest.mark.parametrize(
    ("rule", "bound", "value", "text"),
    [
        ("minLength", 1, "", '"" is shorter than 1 character'),
        ("maxLength", 3, "ABCD", '"ABCD" is longer than 3 characters'),
        ("minItems", 1, [], "[] has fewer than 1 item"),
        ("maxItems", 2, [1, 2, 3], "[1, 2, 3] has more than 2 items"),
        ("minProperties", 1, {}, "{} has fewer than 1 key"),
    ],
)
def test_a_length_out_of_bounds_names_its_bound(rule, bound, value, text):
    assert _text({rule: bound}, value) == text


def test_an_unexpected_key_is_named():
    schema = {
        "type": "object",
        "properties": {"unitQuantity": {}},
        "patternProperties": {"^x-": {}},
        "additionalProperties": False,
    }
    assert _text(schema, {"unitQuantity": 1, "x-note": 1, "count": 5}) == (
        'has an unexpected key "count"'
    )
    assert _text(schema, {"count": 5, "beckn:count": 5}) == (
        'has unexpected keys "count", "beckn:count"'
    )


def test_any_of_and_one_of_are_read_through_their_branches():
    schema = {
        "type": "object",
        "properties": {"price": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]}},
        "oneOf": [{"required": ["resources"]}, {"required": ["offers"]}],
    }
    assert _problems(schema, {"price": -1}) == [
        Problem(("price",), "-1 is less than the minimum of 0", "minimum"),
        Problem(("price",), "-1 is not null", "type"),
        Problem(("resources",), "is required", "required"),
        Problem(("offers",), "is required", "required"),
    ]
    both = {"oneOf": [{"type": "number"}, {"minimum": 0}]}
    assert _text(both, 1) == "1 fits more than one of the shapes allowed here"


def test_other_rules_still_read_in_the_same_words():
    assert _text({"uniqueItems": True}, [1, 1]) == "[1, 1] has repeated items"
    assert _text({"not": {"type": "string"}}, "x") == '"x" is not allowed here'
    assert _text({"properties": {"a": False}}, {"a": 1}) == "1 is not allowed here"
    assert _text({"contains": {"type": "string"}}, [1]) == (
        '[1] breaks the rule contains: {"type": "string"}'
    )
