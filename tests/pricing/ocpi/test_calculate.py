"""Calculator behaviour beyond the spec's worked examples: local time, dates, inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from pricing.engine.ocpi import (
    ChargingPeriod,
    CostKind,
    OcpiSession,
    OcpiSessionError,
    Reservation,
    calculate,
    constant_power_session,
)
from tests.pricing.ocpi.helpers import BERLIN, D, element, local, minutes, pc, tariff


def test_night_rate_across_the_spring_dst_change_uses_real_elapsed_time():
    """Berlin, 31 March 2019: 00:00 CET to 08:00 CEST is 7 real hours. At 7 kW, 00:00-06:00
    local is 5 h = 35 kWh at 0.10 and 06:00-08:00 is 14 kWh at 0.30: 3.50 + 4.20."""
    t = tariff(
        element(pc("ENERGY", 0.10), start_time="00:00", end_time="06:00"),
        element(pc("ENERGY", 0.30)),
    )
    start, end = local(2019, 3, 31, 0), local(2019, 3, 31, 8)
    cost = calculate(t, constant_power_session(start, end, power_kw=D("7")), BERLIN)
    assert [(ln.volume, ln.excl_vat) for ln in cost.lines] == [(35, D("3.50")), (14, D("4.20"))]


def test_day_of_week_switches_at_local_midnight():
    """Saturday-only 0.10/kWh, otherwise 0.30: Saturday 23:00 to Sunday 01:00 at 10 kW."""
    t = tariff(element(pc("ENERGY", 0.10), day_of_week=["SATURDAY"]), element(pc("ENERGY", 0.30)))
    session = constant_power_session(local(2019, 6, 1, 23), local(2019, 6, 2, 1), power_kw=D("10"))
    cost = calculate(t, session, BERLIN)
    assert cost.total_excl_vat == D("4.00")
    assert [p.end for p in cost.periods] == [local(2019, 6, 2, 0), local(2019, 6, 2, 1)]


def test_start_and_end_date_are_local_dates_end_exclusive():
    t = tariff(
        element(pc("ENERGY", 0.10), start_date="2019-06-01", end_date="2019-06-02"),
        element(pc("ENERGY", 0.30)),
    )
    session = constant_power_session(local(2019, 6, 1, 23), local(2019, 6, 2, 1), power_kw=D("10"))
    assert calculate(t, session, BERLIN).total_excl_vat == D("4.00")


def test_restrictions_are_read_in_the_given_time_zone():
    """17:30 UTC is 19:30 in Berlin (summer): inside an 18:00-20:00 peak there, not in UTC."""
    t = tariff(
        element(pc("ENERGY", 0.50), start_time="18:00", end_time="20:00"),
        element(pc("ENERGY", 0.20)),
    )
    start = dt.datetime(2019, 6, 3, 17, 30, tzinfo=dt.UTC)
    session = constant_power_session(start, start + minutes(30), kwh=D("10"))
    assert calculate(t, session, BERLIN).total_excl_vat == D("5.00")
    assert calculate(t, session, "UTC").total_excl_vat == D("2.00")


def test_flat_fee_comes_from_the_element_active_at_the_start():
    """An evening start fee (from 18:00) does not apply to a session that began at 17:30."""
    t = tariff(
        element(pc("FLAT", 2.00), start_time="18:00"), element(pc("FLAT", 1.00), pc("ENERGY", 0))
    )
    session = constant_power_session(local(2019, 6, 3, 17, 30), local(2019, 6, 3, 19), kwh=D("10"))
    (flat,) = calculate(t, session, BERLIN).lines_of(CostKind.FLAT)
    assert (flat.element, flat.excl_vat) == (1, D("1.00"))


def test_max_price_without_incl_vat_keeps_the_session_vat_ratio():
    """Bound 10.00 excl. VAT only: 20.00 + 10 % -> capped at 10.00 / 11.00."""
    t = tariff(element(pc("ENERGY", 0.5, 1, 10.0)), max_price={"excl_vat": 10})
    session = constant_power_session(local(2019, 6, 3, 10), local(2019, 6, 3, 12), kwh=D("40"))
    cost = calculate(t, session, BERLIN)
    assert (cost.total_excl_vat, cost.total_incl_vat) == (D("10.00"), D("11.00"))
    assert (cost.unrounded_excl_vat, cost.unrounded_incl_vat) == (D("10"), D("11.0"))


def test_current_restriction_needs_a_current():
    t = tariff(element(pc("TIME", 1.0, 60), max_current=32), element(pc("TIME", 2.0, 60)))
    session = constant_power_session(local(2019, 6, 3, 10), local(2019, 6, 3, 11), kwh=D("10"))
    with pytest.raises(OcpiSessionError, match="current_a"):
        calculate(t, session, BERLIN)


def test_tariff_not_yet_valid_is_refused():
    t = tariff(element(pc("ENERGY", 0.25)), start_date_time="2019-07-01T00:00:00Z")
    session = constant_power_session(local(2019, 6, 3, 10), local(2019, 6, 3, 11), kwh=D("10"))
    with pytest.raises(OcpiSessionError, match="valid from"):
        calculate(t, session, BERLIN)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: OcpiSession(dt.datetime(2019, 6, 3), (ChargingPeriod(minutes(5)),)), "aware"),
        (lambda: OcpiSession(local(2019, 6, 3), ()), "at least one"),
        (lambda: OcpiSession(local(2019, 6, 3), (ChargingPeriod(minutes(0)),)), "positive"),
        (
            lambda: OcpiSession(local(2019, 6, 3), (ChargingPeriod(minutes(5), D("-1")),)),
            "negative",
        ),
        (
            lambda: OcpiSession(
                local(2019, 6, 3), (ChargingPeriod(minutes(5), D("1"), parking=True),)
            ),
            "no energy",
        ),
        (
            lambda: OcpiSession(
                local(2019, 6, 3),
                (ChargingPeriod(minutes(5)),),
                Reservation(minutes(5), expired=True),
            ),
            "expired",
        ),
        (
            lambda: constant_power_session(local(2019, 6, 3, 10), local(2019, 6, 3, 10)),
            "after start",
        ),
        (
            lambda: constant_power_session(local(2019, 6, 3, 10), local(2019, 6, 3, 11)),
            "kwh or power",
        ),
    ],
)
def test_bad_sessions_are_refused(build, message: str):
    with pytest.raises(OcpiSessionError, match=message):
        build()
