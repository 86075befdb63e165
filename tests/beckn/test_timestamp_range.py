"""Every timestamp in a message is within one accepted range, refused at intake otherwise."""

from __future__ import annotations

import pytest

from beckn.messages import Failure
from beckn.models import InboundMessage
from beckn.protocol.context import TIMESTAMP_RANGE, check_timestamps
from beckn.wire import request_parsing
from tests.beckn import bap as msgs

pytestmark = pytest.mark.django_db

YEAR_ONE = "0001-01-01T00:00:00Z"


def nack(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["message"]["ack"]["status"] == "NACK"
    return body["error"]


def test_a_search_window_from_year_one_is_refused_at_intake(client, bap, network, no_queue):
    body = bap.body("search", msgs.search())
    body["message"]["intent"]["fulfillment"]["stops"][0]["time"]["range"]["start"] = YEAR_ONE
    error = nack(bap.post(client, "search", body))
    path = "$.message.intent.fulfillment.stops[0].time.range.start"
    assert error["code"] == "30000"
    assert error["paths"] == path
    assert path in error["message"] and "outside the accepted range" in error["message"]
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("stamp", [YEAR_ONE, "9999-12-31T23:59:59Z", "1999-12-31T23:59:59Z"])
def test_a_select_starting_out_of_range_is_refused_at_intake(client, bap, network, no_queue, stamp):
    body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
    body["message"]["order"]["fulfillments"][0]["stops"][0]["time"]["timestamp"] = stamp
    error = nack(bap.post(client, "select", body))
    assert error["paths"] == "$.message.order.fulfillments[0].stops[0].time.timestamp"
    assert not InboundMessage.objects.exists()


def test_the_range_covers_lists_of_times_and_leaves_other_strings_alone():
    body = {
        "message": {
            "holidays": ["2026-01-26", "0100-01-01T00:00:00Z"],
            "time": {"range": {"start": "2026-05-01T00:00:00Z", "end": "2200-01-01T00:00:00Z"}},
            "name": YEAR_ONE,
            "start": YEAR_ONE,  # only a range's start is a timestamp
        }
    }
    assert [i.path for i in check_timestamps(body)] == [
        "$.message.holidays[1]",
        "$.message.time.range.end",
    ]


def test_a_stored_message_read_later_meets_the_same_rule():
    first, last = TIMESTAMP_RANGE
    assert request_parsing.timestamp(first.isoformat(), "$.t") == first
    with pytest.raises(Failure, match="outside the accepted range"):
        request_parsing.timestamp(last.isoformat(), "$.t")
