from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from beckn.protocol.schema import validate_message
from beckn.protocol.tags import (
    find_group,
    ondc_tag_group,
    tag_group,
    tag_text,
    tag_value,
    tag_values,
)
from tests.beckn.protocol.examples import EXAMPLES, adapt, load


def offer_details():
    return tag_group(
        "offer-details",
        {
            "discount-type": "percent",
            "discount-value": Decimal("25"),
            "valid-from": datetime(2025, 9, 24, 10, tzinfo=UTC),
            "min-session-value": Decimal("50.00"),
            "max-discount": Decimal("1E+2"),
        },
        name="Offer details",
        names={"discount-type": "Discount type"},
        display=True,
    )


def test_beckn_tag_group_shape():
    group = offer_details()
    assert group["display"] is True
    assert group["descriptor"] == {"code": "offer-details", "name": "Offer details"}
    assert group["list"][0] == {
        "descriptor": {"code": "discount-type", "name": "Discount type"},
        "value": "percent",
    }
    assert [tag["value"] for tag in group["list"][1:]] == [
        "25",
        "2025-09-24T10:00:00.000Z",
        "50.00",
        "100",
    ]


def test_ondc_tag_group_shape():
    assert ondc_tag_group("surge", [("multiplier", Decimal("1.2")), ("active", True)]) == {
        "code": "surge",
        "list": [{"code": "multiplier", "value": "1.2"}, {"code": "active", "value": "true"}],
    }


def test_built_groups_pass_the_core_schema(example_select):
    example_select["message"]["order"]["tags"] = [offer_details()]
    assert validate_message("select", example_select) == []


@pytest.mark.parametrize(
    "build",
    [
        offer_details,
        lambda: ondc_tag_group(
            "offer-details", {"discount-type": "percent", "discount-value": "25"}
        ),
    ],
)
def test_tag_value_reads_either_shape(build):
    groups = [{"descriptor": {"code": "other"}, "list": []}, build()]
    assert tag_value(groups, "offer-details", "discount-type") == "percent"
    assert tag_value(groups, "offer-details", "discount-value") == "25"
    assert tag_value(groups, None, "discount-value") == "25"
    assert tag_value(groups, "offer-details", "missing") is None
    assert tag_value(groups, "missing", "discount-type") is None


def test_tag_values_and_find_group():
    groups = [ondc_tag_group("a", {"x": 1, "y": 2}), ondc_tag_group("a", {"x": 3})]
    assert find_group(groups, "a") is groups[0]
    assert tag_values(groups, "a") == {"x": "1", "y": "2"}
    assert tag_values(groups, "b") == {}


def test_readers_tolerate_junk():
    junk = [None, 5, "x", {"code": 7, "list": "no"}, {"descriptor": "x", "list": [None, {}]}]
    assert tag_value(junk, "a", "b") is None
    assert tag_value(junk, None, "b") is None
    assert tag_value(None, "a", "b") is None
    assert tag_values({"code": "a"}, "a") == {}


def test_reading_a_deg_catalog_whose_groups_have_only_names():
    body = adapt(load(EXAMPLES / "search" / "on_search-request.json"))
    tags = body["message"]["catalog"]["providers"][0]["fulfillments"][0]["tags"]
    assert tag_value(tags, None, "charger-type") == "AC"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (False, "false"),
        (Decimal("0.10"), "0.10"),
        (Decimal("2.5E+3"), "2500"),
        (12, "12"),
        (timedelta(minutes=15), "PT15M"),
        ("as is", "as is"),
    ],
)
def test_tag_text(value, text):
    assert tag_text(value) == text


def test_tag_text_refuses_floats():
    with pytest.raises(TypeError):
        tag_text(0.1)
