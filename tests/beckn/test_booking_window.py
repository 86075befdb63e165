"""A session is booked to start from a quarter of an hour before now to sixty days ahead:
select, init and confirm refuse any other start, in 1.1 and 2.0, naming the window. (A
session booked in 2001 or in 2035 was confirmed and started, and then could be neither
settled nor cancelled: both price from the booked start.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from beckn.models import Order, OrderState
from beckn.protocol.timefmt import format_timestamp
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(network):
    price_as_deg(network.op_a)
    return network


def at(delta: dt.timedelta) -> str:
    return format_timestamp(timezone.now() + delta)


def booked(message: dict, start: str, end: str) -> dict:
    stops = message["order"]["fulfillments"][0]["stops"]
    stops[0]["time"]["timestamp"], stops[1]["time"]["timestamp"] = start, end
    return message


def select_error(run, bap, network, start: str, end: str) -> dict | None:
    message = booked(msgs.select(network.op_a.code, network.charger_a.code), start, end)
    _, body = run(bap, "select", message)
    return body.get("error")


@pytest.mark.parametrize(
    "start",
    [dt.timedelta(minutes=-16), dt.timedelta(days=-400), dt.timedelta(days=61)],
    ids=["a quarter of an hour ago", "last year", "past the horizon"],
)
def test_a_select_outside_the_window_is_refused_naming_it(network, bap, run, our_key, start):
    error = select_error(run, bap, network, at(start), at(start + dt.timedelta(hours=1)))
    assert error is not None and error["code"] == "30000"
    assert "a session is booked to start from" in error["message"]
    assert error["paths"] == "$.message.order.fulfillments[0].stops"


@pytest.mark.parametrize(
    "start",
    [dt.timedelta(minutes=-10), dt.timedelta(0), dt.timedelta(days=59)],
    ids=["ten minutes ago (clocks differ)", "now", "within the horizon"],
)
def test_a_select_inside_the_window_is_quoted(network, bap, run, our_key, start):
    assert select_error(run, bap, network, at(start), at(start + dt.timedelta(hours=1))) is None


def test_the_window_is_a_setting(network, bap, run, our_key, settings):
    settings.BECKN_BOOKING_HORIZON_DAYS = 400
    far = dt.timedelta(days=300)
    assert select_error(run, bap, network, at(far), at(far + dt.timedelta(hours=1))) is None
    settings.BECKN_BOOKING_GRACE_MINUTES = 0
    error = select_error(run, bap, network, at(-dt.timedelta(minutes=1)), at(dt.timedelta(0)))
    assert error is not None and "a session is booked to start from" in error["message"]


def test_confirm_refuses_a_start_moved_out_of_the_window(network, bap, run, our_key):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    year = dt.timedelta(days=-365)
    confirm = booked(msgs.confirm(op, charger), at(year), at(year + dt.timedelta(hours=1)))
    _, body = run(bap, "confirm", confirm)
    assert "a session is booked to start from" in body["error"]["message"]
    assert Order.objects.get().state == OrderState.INITIALIZED  # not confirmed


def test_a_2_0_select_outside_the_window_is_refused(network, bap_v2, run_v2, our_key):
    past = dt.timedelta(days=-30)
    contract = v2.contract(
        network.charger_a.code, start=at(past), end=at(past + dt.timedelta(hours=1))
    )
    _, body = run_v2(bap_v2, "select", contract)
    assert body["error"]["errorCode"] == "30000"
    assert "a session is booked to start from" in body["error"]["errorMessage"]
    assert body["error"]["paths"] == "$.message.contract.contractAttributes.preferences"


def test_the_start_held_since_select_is_not_checked_again(network, bap, run, our_key, settings):
    """A BAP that sends the selected start again at init and confirm, minutes later, books
    what it was quoted: the window is checked on the start it asks for, once."""
    op, charger = network.op_a.code, network.charger_a.code
    start, end = at(-dt.timedelta(minutes=10)), at(dt.timedelta(minutes=50))
    run(bap, "select", booked(msgs.select(op, charger), start, end))
    settings.BECKN_BOOKING_GRACE_MINUTES = 5  # as if a few minutes had passed
    _, body = run(bap, "init", booked(msgs.init(op, charger), start, end))
    assert "error" not in body, body["error"]
    _, body = run(bap, "confirm", booked(msgs.confirm(op, charger), start, end))
    assert "error" not in body, body["error"]
    assert Order.objects.get().state == OrderState.CONFIRMED
