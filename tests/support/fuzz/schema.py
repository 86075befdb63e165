"""Schemathesis cases for the fuzz bench and tests: the core 1.1.0 OpenAPI's positive and
negative cases for the ten request endpoints, as Shots (tests/support/fuzz/cases.py)."""

from __future__ import annotations

import json
import uuid

from hypothesis import strategies as st

from tests.support.fuzz.cases import Shot, World, context, encode


def core_schema():
    import schemathesis

    from beckn.protocol.schema import SCHEMA_FILE

    return schemathesis.openapi.from_path(SCHEMA_FILE)


def schema_shots(world: World, schema=None) -> st.SearchStrategy[Shot]:
    """Schemathesis' positive and negative cases for the ten request endpoints; the context
    is either left as generated, laid over a valid one, or replaced by a valid one."""
    from schemathesis import GenerationMode
    from schemathesis.core import NOT_SET

    schema = schema or core_schema()
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if not result.ok().path.startswith("/on_")
    ]
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    cases = st.sampled_from([(op, mode) for op in operations for mode in modes]).flatmap(
        lambda pair: (
            pair[0]
            .as_strategy(generation_mode=pair[1])
            .map(lambda case, mode=pair[1]: (case, mode))
        )
    )

    @st.composite
    def build(draw: st.DrawFn) -> Shot:
        case, mode = draw(cases)
        action = case.path.strip("/")
        body = case.body
        family = f"schema-{mode.value}"
        if body is NOT_SET or body is None:
            return Shot(family, action, b"", "valid")
        overlay = draw(
            st.sampled_from(("as-generated", "over-valid", "valid-context", "valid-context"))
        )
        message_id = None
        if isinstance(body, dict) and overlay != "as-generated":
            message_id = str(uuid.uuid4())
            valid = context(world, action, draw(st.sampled_from(world.transactions)), message_id)
            generated = body.get("context")
            if overlay == "over-valid" and isinstance(generated, dict):
                valid.update(generated)
                message_id = None
            body = {**body, "context": valid}
        try:
            raw = encode(body)
        except (TypeError, ValueError):
            raw = json.dumps(body, default=str).encode("utf-8", "backslashreplace")
        return Shot(f"{family}-{overlay}", action, raw, "valid", message_id)

    return build()
