"""Beckn 2.0: a session's metered time (ChargingSession.meteredDurationMinutes) in the
contract we send, from when charging started to when it ended or, while it runs, to now."""

from __future__ import annotations

import datetime as dt

import pytest

from beckn.protocol.timefmt import parse_timestamp
from tests.beckn import bap_v2 as v2
from tests.beckn.bap import SESSION_END, SESSION_START

pytestmark = pytest.mark.django_db


def session_of(reply: dict) -> dict:
    return reply["message"]["contract"]["contractAttributes"]


def test_the_metered_time_runs_from_the_start_of_charging_to_its_end(
    deg, bap_v2, run_v2, confirmed_v2, clock
):
    charger, order_id = deg.charger_a.code, confirmed_v2.order_id
    _, status = run_v2(bap_v2, "status", v2.by_id(order_id, charger))
    assert "meteredDurationMinutes" not in session_of(status)  # not started

    clock(SESSION_START)
    run_v2(bap_v2, "update", v2.session_update(order_id, charger, "ACTIVE"))
    clock(parse_timestamp(SESSION_START) + dt.timedelta(minutes=28))
    _, status = run_v2(bap_v2, "status", v2.by_id(order_id, charger))
    assert session_of(status)["meteredDurationMinutes"] == pytest.approx(28, abs=0.1)

    clock(SESSION_END)
    _, done = run_v2(bap_v2, "update", v2.session_update(order_id, charger, "COMPLETED", kwh=5.2))
    assert session_of(done)["meteredDurationMinutes"] == pytest.approx(60, abs=0.1)
    clock(parse_timestamp(SESSION_END) + dt.timedelta(hours=2))  # stays as metered
    _, status = run_v2(bap_v2, "status", v2.by_id(order_id, charger))
    assert (
        session_of(status)["meteredDurationMinutes"] == session_of(done)["meteredDurationMinutes"]
    )
