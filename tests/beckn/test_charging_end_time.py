"""The end of charging a BAP sends is when charging ended: one still to come, by more than
the clock difference a message's timestamp is allowed (BECKN_CONTEXT_MAX_SKEW, 5 minutes),
is refused (30000, naming where the message gives the time), in 1.1 and 2.0, and nothing
is settled: the order stays charging and the end can be sent again. (A session was settled
on an end hours ahead.)

The world is operator A priced as DEG (`deg`: ₹18/kWh, ₹10 fee, 18% GST, 25% off the
energy), a session booked on the test world's Saturday, 10:00 to 11:00 IST, charging from
10:00; the clock is moved to 10:40."""

from __future__ import annotations

import datetime as dt

import pytest

from beckn.models import Order, OrderState
from beckn.protocol.timefmt import format_timestamp, parse_timestamp
from offers.models import Redemption
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2

pytestmark = pytest.mark.django_db
NOW = parse_timestamp(msgs.SESSION_START) + dt.timedelta(minutes=40)
AHEAD = NOW + dt.timedelta(minutes=6)  # a minute past the allowance
WITHIN = NOW + dt.timedelta(minutes=4)  # clocks differ: taken


def charging(order: Order) -> None:
    """The order as it was before the end was sent: charging, nothing settled."""
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE
    assert (order.ended_at, order.delivered_kwh) == (None, None)
    assert order.quote_total is not None and order.quote_total.to_eng_string() == "91.45"
    kinds = Redemption.objects.filter(order_ref=order.reference).values_list("kind", flat=True)
    assert sorted(kinds) == ["redeemed", "validated"]


@pytest.mark.parametrize(
    ("stop", "where"),
    [
        ({"type": "END", "time": {"timestamp": format_timestamp(AHEAD)}}, "time.timestamp"),
        ({"type": "END", "time": {"range": {"end": format_timestamp(AHEAD)}}}, "time.range.end"),
    ],
    ids=["timestamp", "range"],
)
def test_an_end_still_to_come_is_refused_and_nothing_is_settled(
    deg, bap, run, our_key, clock, stop, where
):
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    order = Order.objects.get()
    clock(msgs.SESSION_START)
    run(bap, "update", msgs.update_start(order.order_id))
    clock(NOW)
    ahead = msgs.update_end(order.order_id, kwh="5.2")
    ahead["order"]["fulfillments"][0]["stops"] = [stop]
    _, body = run(bap, "update", ahead)
    assert body["error"]["code"] == "30000"
    assert body["error"]["paths"] == f"$.message.order.fulfillments[0].stops[0].{where}"
    latest = format_timestamp(NOW + dt.timedelta(minutes=5))[:16]  # (the clock goes on)
    assert body["error"]["message"].startswith(
        f"charging ended at {format_timestamp(AHEAD)}, which is still to come: the end is "
        f"sent once charging ended (now, at most {latest}"
    )
    charging(order)
    _, ended = run(
        bap, "update", msgs.update_end(order.order_id, kwh="5.2", end=format_timestamp(WITHIN))
    )
    assert "error" not in ended, ended["error"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED and order.ended_at == WITHIN


def test_a_2_0_end_still_to_come_is_refused_naming_its_time(
    deg, bap_v2, run_v2, confirmed_v2, clock
):
    charger, order = deg.charger_a.code, confirmed_v2
    clock(msgs.SESSION_START)
    run_v2(bap_v2, "update", v2.session_update(order.order_id, charger, "ACTIVE"))
    clock(NOW)
    stop = v2.session_update(order.order_id, charger, "COMPLETED", kwh=5.2)
    attributes = stop["contract"]["performance"][0]["performanceAttributes"]
    attributes["lastUpdated"] = format_timestamp(AHEAD)
    _, body = run_v2(bap_v2, "update", stop)
    assert body["error"]["errorCode"] == "30000"
    assert body["error"]["errorMessage"].startswith(
        f"charging ended at {format_timestamp(AHEAD)}, which is still to come"
    )
    assert (
        body["error"]["paths"]
        == "$.message.contract.performance[0].performanceAttributes.lastUpdated"
    )
    assert body["message"]["contract"]["status"]["code"] == "ACTIVE"  # the order as it stands
    charging(order)
    attributes["lastUpdated"] = format_timestamp(WITHIN)
    _, ended = run_v2(bap_v2, "update", stop)
    assert "error" not in ended, ended["error"]
    assert ended["message"]["contract"]["status"]["code"] == "COMPLETE"


def test_a_refused_end_shows_the_order_still_charging(deg, bap_v2, run_v2, confirmed_v2, clock):
    """An end before the start the session is settled from is refused the same way: the
    error callback's contract is the order as it stands, charging (it said COMPLETE)."""
    charger, order = deg.charger_a.code, confirmed_v2
    clock(msgs.SESSION_START)
    run_v2(bap_v2, "update", v2.session_update(order.order_id, charger, "ACTIVE"))
    clock(NOW)
    stop = v2.session_update(order.order_id, charger, "COMPLETED", kwh=5.2)
    before = parse_timestamp(msgs.SESSION_START) - dt.timedelta(minutes=10)
    stop["contract"]["performance"][0]["performanceAttributes"]["lastUpdated"] = format_timestamp(
        before
    )
    _, body = run_v2(bap_v2, "update", stop)
    assert body["error"]["errorMessage"].startswith("charging cannot end")
    assert body["message"]["contract"]["status"]["code"] == "ACTIVE"
    assert body["message"]["contract"]["contractAttributes"]["sessionStatus"] == "ACTIVE"
    charging(order)
