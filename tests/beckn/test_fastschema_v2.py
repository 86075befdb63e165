"""Beckn 2.0's schema check is compiled as 1.1's is (beckn.services.fastschema): each
path's schema and each pack compiled once, jsonschema-rs's verdict the reference's."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beckn.protocol.v2 import context, deg_shape
from beckn.protocol.v2 import schema as v2_schema
from beckn.services import fastschema
from tests.beckn import bap_v2 as v2
from tests.beckn.mutation import leaves, mutate

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "beckn" / "deg-v2-examples"
ORDER_ID = str(uuid.UUID(int=7))


def _shaped(path: Path) -> tuple[str, dict]:
    """An example as intake reads it (context in camelCase, message in the OpenAPI's
    shape), its order id a UUID as the schema wants."""
    body = json.loads(path.read_text())
    ctx = context.camel_case(body["context"])
    action = ctx["action"]
    action = "on_rate" if action == "on_rating" else action
    message = deg_shape.openapi_shape(action, body["message"])
    contract = message.get("contract") if isinstance(message, dict) else None
    if isinstance(contract, dict) and "id" in contract:
        contract["id"] = ORDER_ID
    return action, {"context": ctx, "message": message}


EXAMPLES = [_shaped(p) for p in sorted(EXAMPLES_DIR.glob("*/*.json"))]


def _reference(action: str, body: dict) -> bool:
    return v2_schema.issues(action, body) == []


@pytest.mark.parametrize(("action", "body"), EXAMPLES, ids=[a for a, _ in EXAMPLES])
def test_same_verdict_on_the_deg_2_0_examples(action, body):
    assert fastschema.is_valid_v2(action, body) == _reference(action, body)


def test_the_examples_hold_both_verdicts():
    verdicts = {_reference(a, b) for a, b in EXAMPLES}
    assert verdicts == {True, False}  # the comparison above is not of one kind only


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(EXAMPLES), st.randoms(use_true_random=False), leaves)
def test_same_verdict_on_mutated_2_0_examples(example, rng, leaf):
    action, body = example
    body = copy.deepcopy(body)
    mutate(body, rng, leaf)
    expected = _reference(action, body)
    assert fastschema.is_valid_v2(action, body) == expected
    assert (fastschema.issues_v2(action, body) == []) == expected


@pytest.fixture
def compiles(monkeypatch):
    """Every jsonschema-rs 2020-12 compilation, by the $ref compiled, from a cold cache."""
    seen: list[str] = []
    real = jsonschema_rs.Draft202012Validator

    def counting(schema, **kw):
        seen.append(schema["$ref"])
        return real(schema, **kw)

    fastschema.fast_validator_v2.cache_clear()
    monkeypatch.setattr(jsonschema_rs, "Draft202012Validator", counting)
    yield seen
    fastschema.fast_validator_v2.cache_clear()


def test_each_path_and_pack_is_compiled_once(compiles):
    body = {"context": {"action": "select"}, "message": v2.contract("charger-1")}
    parts = [ref for _, ref, _ in v2_schema.judged(body)]
    assert sorted(parts) == sorted([v2_schema.QUANTITY, v2_schema.PACK_TYPES["ChargingSession"]])
    for _ in range(3):
        fastschema.issues_v2("select", body)
    assert sorted(compiles) == sorted([v2_schema.path_ref("select"), *parts])
    fastschema.issues_v2("on_select", {"context": {}, "message": {}})
    fastschema.issues_v2("on_select", {"context": {}, "message": {}})
    assert compiles.count(v2_schema.path_ref("on_select")) == 1


def test_a_valid_body_is_never_judged_by_the_reference(monkeypatch):
    def refuse(*args, **kw):
        raise AssertionError("the reference validator was asked about a valid body")

    monkeypatch.setattr(v2_schema, "issues", refuse)
    for action, body in EXAMPLES:
        if fastschema.is_valid_v2(action, body):
            assert fastschema.issues_v2(action, body) == []


def test_an_invalid_body_gets_the_references_issues():
    body = {"context": {"action": "select"}, "message": {"order": {}}}
    assert fastschema.issues_v2("select", body) == v2_schema.issues("select", body)
    assert fastschema.issues_v2("select", body)


@pytest.mark.django_db
def test_the_ack_path_checks_2_0_with_the_compiled_validator(
    network, bap_v2, client, our_key, no_queue, monkeypatch
):
    asked = []
    monkeypatch.setattr(v2_schema, "issues", lambda *a: asked.append(a) or [])
    response = bap_v2.post(client, "select", bap_v2.body("select", v2.contract("charger-1")))
    assert response.json()["status"] == "ACK"
    assert asked == []  # valid: the compiled verdict alone
