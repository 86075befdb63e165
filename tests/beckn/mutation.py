"""Mutations of valid messages for the validators' same-verdict properties: one node,
reached by a random walk from the root, replaced by a leaf."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st

leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just([]) | st.just({})


def mutate(body: Any, rng: random.Random, leaf: Any) -> Any:
    """`body` (changed in place) with one node replaced by `leaf`."""
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
    return body
