import copy

import pytest
from jsonschema import Draft7Validator

from beckn.protocol import schema
from beckn.protocol.context import normalise_inbound
from beckn.protocol.errors import INVALID_REQUEST, ack, nack, summary
from beckn.protocol.schema import (
    ALL_ACTIONS,
    SchemaIssue,
    UnknownActionError,
    json_path,
    validate_message,
    validator_for,
)
from tests.beckn.protocol.examples import EXAMPLES, adapt, example_files, load

# The one DEG v1 example the core 1.1.0 schema rejects on its own terms (not because of
# timestamp formats, which normalise_inbound fixes): Rating.rating_category is an enum of
# Item / Order / Fulfillment / Provider / Agent / Support, and DEG sends "charger".
REJECTED = {
    "rating/rating-request.json": [
        SchemaIssue(
            "$.message.ratings[0].rating_category",
            '"charger" is not one of "Item", "Order", "Fulfillment", "Provider", "Agent", '
            '"Support"',
            "enum",
        )
    ]
}


def _name(path):
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", example_files(), ids=_name)
def test_every_deg_example_validates_against_its_paths_schema(path):
    body = normalise_inbound(adapt(load(path)))
    action = body["context"]["action"]
    # The file's folder names the request; on_* files are the callbacks of that request.
    assert action.removeprefix("on_") == path.parent.name
    assert validate_message(action, body) == REJECTED.get(_name(path), [])


def test_there_are_twenty_one_examples_covering_nine_requests_and_their_callbacks():
    files = example_files()
    actions = {load(path)["context"]["action"] for path in files}
    assert len(files) == 21
    assert actions == {a for a in ALL_ACTIONS if a.removeprefix("on_") != "track"}


def test_offset_less_timestamps_in_the_examples_fail_until_normalised():
    body = adapt(load(EXAMPLES / "init" / "on_init-request.json"))
    issues = validate_message("on_init", body)
    assert [issue.path for issue in issues] == [
        "$.message.order.fulfillments[0].stops[0].time.timestamp",
        "$.message.order.fulfillments[0].stops[1].time.timestamp",
    ]
    assert issues[0].message == '"2023-06-01T10:00:00" is not a valid date-time'
    assert validate_message("on_init", normalise_inbound(body)) == []


def test_missing_required_fields_are_reported_at_the_missing_path(example_select):
    del example_select["message"]["order"]
    del example_select["context"]["action"]
    issues = validate_message("select", example_select)
    assert issues == [
        SchemaIssue("$.context.action", "is required", "required"),
        SchemaIssue("$.message.order", "is required", "required"),
    ]


def test_wrong_types_formats_and_enums_carry_json_paths(example_select):
    order = example_select["message"]["order"]
    order["items"][0]["id"] = 42
    order["items"][0]["quantity"]["selected"]["measure"]["value"] = "four"
    order["status"] = "DONE"
    example_select["context"]["timestamp"] = "2025:09:24:10:00:00"  # not normalised on purpose
    example_select["context"]["message_id"] = "not-a-uuid"
    example_select["context"]["bap_uri"] = "not a uri"
    issues = {issue.path: issue for issue in validate_message("select", example_select)}
    assert issues["$.message.order.items[0].id"].message == "42 is not a string"
    assert issues["$.message.order.items[0].quantity.selected.measure.value"].rule == "pattern"
    assert issues["$.message.order.status"].rule == "enum"
    assert issues["$.context.timestamp"].message == (
        '"2025:09:24:10:00:00" is not a valid date-time'
    )
    assert issues["$.context.message_id"].message == '"not-a-uuid" is not a valid uuid'
    assert issues["$.context.bap_uri"].rule == "format"
    assert len(issues) == 6


def test_the_action_in_the_context_must_match_the_path(example_select):
    issues = validate_message("init", example_select)
    assert SchemaIssue("$.context.action", '"select" is not "init"', "enum") in issues


def test_a_body_that_is_not_an_object_is_one_issue_at_the_root():
    assert validate_message("search", []) == [SchemaIssue("$", "[] is not an object", "type")]


def test_long_values_are_shortened_in_messages(example_select):
    example_select["context"]["timestamp"] = "x" * 500
    (issue,) = validate_message("select", example_select)
    assert issue.path == "$.context.timestamp"
    assert len(issue.message) < 100 and issue.message.endswith("is not a valid date-time")


def test_unknown_actions_are_refused():
    with pytest.raises(UnknownActionError):
        validate_message("discover", {})
    with pytest.raises(UnknownActionError):
        validator_for("on_on_search")


def test_validators_are_compiled_once_per_action():
    assert validator_for("select") is validator_for("select")
    assert validator_for("select") is not validator_for("init")


def test_the_schema_is_compiled_once_per_action(example_select):
    """Each action's validator is built once and reused by every message (its speed is
    bench/results' business, not a test's)."""
    first = schema.validator_for("select")
    for _ in range(3):
        assert validate_message("select", example_select) == []
    assert schema.validator_for("select") is first
    assert schema.validator_for("init") is not first


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([], "$"),
        (["message", "order", "items", 0, "id"], "$.message.order.items[0].id"),
        (["location", "3dspace"], "$.location['3dspace']"),
        (["a b"], "$['a b']"),
    ],
)
def test_json_path(parts, expected):
    assert json_path(parts) == expected


def test_nullable_becomes_a_type_list():
    node = {"type": "object", "properties": {"a": {"type": "string", "nullable": True}}}
    assert schema._rewrite_nullable(node) == {
        "type": "object",
        "properties": {"a": {"type": ["string", "null"]}},
    }
    assert schema._rewrite_nullable({"enum": ["A"], "nullable": True}) == {"enum": ["A", None]}
    assert schema._rewrite_nullable({"type": "string", "nullable": False}) == {"type": "string"}


def test_our_ack_and_nacks_match_the_core_response_schema(example_select):
    pointer = "#/paths/~1init/post/responses/default/content/application~1json/schema"
    responses = Draft7Validator({"$ref": schema.SCHEMA_URI + pointer}, registry=schema._registry())
    broken = copy.deepcopy(example_select)
    del broken["message"]
    issues = validate_message("select", broken)
    for body in (
        ack(),
        nack("30006", "offer OFF-1 not found"),
        nack(INVALID_REQUEST, *summary(issues)),
    ):
        assert list(responses.iter_errors(body)) == []
