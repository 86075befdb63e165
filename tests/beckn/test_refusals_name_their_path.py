"""A refusal says what is wrong and where: a rating request that rates nothing, or a
rating without its category, is refused as required at its own path, and a session the
quote refuses names the quantity asked."""

from __future__ import annotations

import pytest

from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2

pytestmark = pytest.mark.django_db


def _error(body) -> dict:
    return body["error"] if "error" in body else body["message"]["error"]


def test_a_rating_without_its_category_is_refused_as_required(network, bap, run):
    _, body = run(bap, "rating", {"ratings": [{}]})
    assert _error(body) == {
        "code": "30000",
        "message": "rating_category is required",
        "paths": "$.message.ratings[0].rating_category",
    }


@pytest.mark.parametrize(
    "rating, missing",
    [
        ({"rating_category": "Order", "value": "4"}, "id"),
        ({"rating_category": "Order", "id": "", "value": "4"}, "id"),
        ({"rating_category": "Order", "id": "order-1"}, "value"),
    ],
)
def test_a_rating_without_its_id_or_value_is_refused_as_required(
    network, bap, run, rating, missing
):
    _, body = run(bap, "rating", {"ratings": [rating]})
    assert _error(body) == {
        "code": "30000",
        "message": f"{missing} is required",
        "paths": f"$.message.ratings[0].{missing}",
    }


def test_a_rating_request_that_rates_nothing_is_refused(network, bap, run):
    _, body = run(bap, "rating", {"ratings": []})
    assert _error(body) == {
        "code": "30000",
        "message": "ratings is required: at least one rating",
        "paths": "$.message.ratings",
    }


@pytest.mark.parametrize("action", ["select", "init"])
def test_a_zero_kwh_quantity_is_refused_at_its_path(deg, bap, run, action):
    message = getattr(msgs, action)(deg.op_a.code, deg.charger_a.code)
    measure = message["order"]["items"][0]["quantity"]["selected"]["measure"]
    measure.update(value="0", unit="kWh")
    _, body = run(bap, action, message)
    assert _error(body)["paths"] == "$.message.order.items[0].quantity.selected.measure.value"


def test_a_zero_kwh_quantity_is_refused_at_its_path_in_2_0(deg, bap_v2, run_v2):
    _, body = run_v2(bap_v2, "select", v2.contract(deg.charger_a.code, kwh=0))
    assert body["error"]["errorCode"] == "30000"
    path = "$.message.contract.commitments[0].resources[0].quantity.unitQuantity"
    assert body["error"]["paths"] == path
