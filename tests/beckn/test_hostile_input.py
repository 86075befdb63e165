"""No input of any shape produces a 500: every refusal is a NACK with a BECKN-005 code."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beckn.protocol.errors import ALL_ERRORS
from beckn.protocol.schema import REQUEST_ACTIONS

pytestmark = pytest.mark.django_db
CODES = {e.code for e in ALL_ERRORS}


def check_nack(response, status: int | None = None) -> dict:
    assert response.status_code < 500, response.content
    if status is not None:
        assert response.status_code == status, response.content
    body = response.json()
    assert body["message"]["ack"]["status"] == "NACK"
    assert body["error"]["code"] in CODES
    return body["error"]


def post(client, bap, raw: bytes, action: str = "select"):
    return bap.post(client, action, None, raw=raw)


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"\xff\xfe{not utf-8", "not UTF-8"),
        (b"", "empty"),
        (b"   ", "empty"),
        (b"{", "the body is not JSON: a name in double quotes was expected at line 1"),
        (b"[]", "must be a JSON object"),
        (b'"context"', "must be a JSON object"),
        (b"{}", "context is required"),
        (b'{"context": []}', "context is required"),
        (b'{"context": {}, "message": {"a": NaN}}', "written with NaN, which is not a JSON"),
        (b'{"context": {"x": 1' + b"0" * 5000 + b"}}", "written with a number of 5,001 char"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested more than"),
    ],
)
def test_hostile_bodies(client, bap, no_queue, raw, words):
    error = check_nack(post(client, bap, raw), 400)
    assert words in error["message"]


def test_huge_body_is_refused_before_reading(client, bap, no_queue, settings):
    settings.BECKN_MAX_BODY_BYTES = 1000
    raw = b'{"context": {}, "pad": "' + b"x" * 5000 + b'"}'
    error = check_nack(post(client, bap, raw), 413)
    assert "limit of 1000 bytes" in error["message"]


def test_wrong_types_everywhere(client, bap, no_queue, network):
    body = {
        "context": {"action": 1, "bap_id": bap.subscriber_id, "timestamp": {}, "ttl": 15},
        "message": {"order": "not an order"},
    }
    error = check_nack(post(client, bap, json.dumps(body).encode()), 400)
    assert error["code"] == "30000"
    assert "$.message.order" in error["paths"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    action=st.sampled_from(REQUEST_ACTIONS),
    context=json_values,
    message=json_values,
    keep_context=st.booleans(),
)
def test_fuzzed_messages_never_500(client, bap, no_queue, action, context, message, keep_context):
    body = bap.body(action, {})
    if keep_context and isinstance(context, dict):
        body["context"].update(context)
    else:
        body["context"] = context
    body["message"] = message
    response = post(client, bap, json.dumps(body).encode(), action)
    assert response.status_code < 500
    answer = response.json()
    if answer["message"]["ack"]["status"] == "NACK":
        assert answer["error"]["code"] in CODES
