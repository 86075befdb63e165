"""The inlined fast validator gives the protocol validator's verdict, every time."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beckn.protocol.context import normalise_inbound
from beckn.protocol.schema import ALL_ACTIONS, validator_for
from beckn.services import fastschema
from tests.beckn.protocol.examples import adapt, example_files, load

EXAMPLES = [adapt(load(path)) for path in example_files()]


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_action_compiles_without_references_left(action):
    schema = fastschema.fast_validator(action).schema
    assert "$ref" not in json.dumps(schema)  # core 1.1.0 has no cycles


@pytest.mark.parametrize("body", EXAMPLES, ids=lambda b: b["context"]["action"])
def test_same_verdict_on_the_deg_examples(body):
    body = normalise_inbound(body)
    action = body["context"]["action"]
    assert fastschema.fast_validator(action).is_valid(body) == validator_for(action).is_valid(body)


leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just([]) | st.just({})


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXAMPLES), st.randoms(use_true_random=False), leaves)
def test_same_verdict_on_mutated_examples(body, rng, leaf):
    body = copy.deepcopy(normalise_inbound(body))
    action = body["context"]["action"]
    node, path = body, []
    while isinstance(node, dict | list) and node and rng.random() < 0.85:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        path.append(key)
        node = node[key]
    target = body
    for key in path[:-1]:
        target = target[key]
    if path:
        target[path[-1]] = leaf
    expected = validator_for(action).is_valid(body)
    assert fastschema.fast_validator(action).is_valid(body) == expected
    assert (fastschema.issues(action, body) == []) == expected
