"""The compiled validator (jsonschema-rs) gives jsonschema's verdict, every time."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beckn.protocol.context import normalise_inbound
from beckn.protocol.schema import ALL_ACTIONS, validate_message, validator_for
from beckn.services import fastschema
from tests.beckn.mutation import leaves, mutate
from tests.beckn.protocol.examples import adapt, example_files, load

EXAMPLES = [adapt(load(path)) for path in example_files()]


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_action_compiles_without_references_left(action):
    schema = fastschema.inlined_schema(action)
    assert "$ref" not in json.dumps(schema)  # core 1.1.0 has no cycles
    assert fastschema.fast_validator(action).is_valid({}) is False  # context is required


@pytest.mark.parametrize("body", EXAMPLES, ids=lambda b: b["context"]["action"])
def test_same_verdict_on_the_deg_examples(body):
    body = normalise_inbound(body)
    action = body["context"]["action"]
    assert fastschema.fast_validator(action).is_valid(body) == validator_for(action).is_valid(body)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXAMPLES), st.randoms(use_true_random=False), leaves)
def test_same_verdict_on_mutated_examples(body, rng, leaf):
    body = copy.deepcopy(normalise_inbound(body))
    action = body["context"]["action"]
    mutate(body, rng, leaf)
    expected = validator_for(action).is_valid(body)
    assert fastschema.fast_validator(action).is_valid(body) == expected
    assert (fastschema.issues(action, body) == []) == expected


def _select() -> dict:
    select = next(b for b in EXAMPLES if b["context"]["action"] == "select")
    return copy.deepcopy(normalise_inbound(select))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timestamp", "2024-13-01T00:00:00Z"),  # date-time: jsonschema's checker decides
        ("timestamp", "yesterday"),
        ("bap_uri", "not a uri"),
        ("message_id", 12),
        ("ttl", None),
    ],
)
def test_a_bad_context_field_is_refused_by_both(field, value):
    body = _select()
    body["context"][field] = value
    assert not validator_for("select").is_valid(body)
    assert not fastschema.fast_validator("select").is_valid(body)
    assert fastschema.issues("select", body)


def test_a_remembered_format_verdict_is_the_verdict_of_that_text_only():
    """Format verdicts are remembered by text: a bad timestamp stays refused and a good
    one accepted, however often and in whatever order they come."""
    good, bad, long_bad = _select(), _select(), _select()
    bad["context"]["timestamp"] = "2024-02-30T00:00:00Z"
    long_bad["context"]["bap_uri"] = "not a uri " + "x" * fastschema.REMEMBERED_CHARS  # not kept
    cases = [(good, True), (bad, False), (long_bad, False)]
    for body, valid in cases + cases:
        assert fastschema.fast_validator("select").is_valid(body) is valid
        assert (fastschema.issues("select", body) == []) is valid


def test_where_the_compiled_regex_is_stricter_jsonschema_decides():
    """Python's \\d matches any Unicode digit, jsonschema-rs's only 0-9: the reference
    (jsonschema) accepts, so the message is accepted."""
    schema = {"type": "object", "properties": {"gps": {"type": "string", "pattern": "^\\d+$"}}}
    import jsonschema_rs
    from jsonschema import Draft7Validator

    body = {"gps": "\u0663"}
    assert Draft7Validator(schema).is_valid(body)
    assert not jsonschema_rs.Draft7Validator(schema).is_valid(body)
    gps = _select()
    stop = {"type": "START", "location": {"gps": "1\u0663.5, 77.5"}}
    gps["message"]["order"]["fulfillments"] = [{"id": "1", "stops": [stop]}]
    assert validator_for("select").is_valid(gps)
    assert not fastschema.fast_validator("select").is_valid(gps)
    assert fastschema.issues("select", gps) == []


def test_a_number_too_big_for_the_compiled_validator_gets_jsonschemas_verdict():
    body = _select()
    body["message"]["order"]["items"][0]["quantity"] = {"selected": {"count": 10**400}}
    assert fastschema.issues("select", body) == validate_message("select", body)
