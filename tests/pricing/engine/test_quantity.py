"""Resolving kWh / amount / time slot, and refusing nonsense with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest

from pricing.engine import QuoteInputError
from pricing.engine.types import RateBand
from tests.pricing.engine.build import NONE, D, at, book_price, session, site, tariff, window

START = at("2025-09-24 10:00")


def price_plainly(request, tariff_=None):
    return book_price(request, tariff_ or tariff("18", service_fee=D("10")), [], NONE)


def test_kwh_sets_the_end_at_rated_power():
    result = price_plainly(session(START, site("7.4"), kwh=D("3.7")))
    assert (result.kwh, result.end) == (D("3.7"), at("2025-09-24 10:30"))


def test_kwh_with_an_end_spreads_it_over_the_slot():
    result = price_plainly(session(START, site("50"), kwh=D("10"), end=at("2025-09-24 12:00")))
    assert result.end == at("2025-09-24 12:00")
    assert result.lines[0].amount == D("180.00")


def test_slot_alone_is_rated_power_times_duration_floored_to_the_watt_hour():
    result = price_plainly(session(START, site("7.4"), end=at("2025-09-24 10:37")))
    assert result.kwh == D("4.563")  # 7.4 x 37/60 = 4.5633...


def test_amount_walks_the_rate_bands():
    # ₹14 off-peak until 11:00 then ₹20; 10 kW from 10:30: 5 kWh for ₹70, then ₹60 / 20 = 3 kWh
    bands = (RateBand("peak", "Peak", window("11:00", "23:00"), D("20")),)
    result = price_plainly(
        session(START.replace(minute=30), site("10"), amount=D("140")),
        tariff("14", service_fee=D("10"), bands=bands),
    )
    assert result.kwh == D("8.000")
    assert result.energy_cost == D("130.00")
    assert result.end == at("2025-09-24 11:18")


def test_amount_rounds_energy_down_to_the_watt_hour():
    result = price_plainly(session(START, site("30"), amount=D("100.01")))
    assert result.kwh == D("5.000")  # 90.01 / 18 = 5.00055...
    assert result.energy_cost == D("90.00")


def test_amount_larger_than_the_slot_buys_the_slot():
    request = session(START, site("7"), amount=D("1000"), end=at("2025-09-24 11:00"))
    result = price_plainly(request)
    assert (result.kwh, result.end, result.energy_cost) == (D("7.000"), request.end, D("126.00"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kwh": D("0")}, "kWh must be positive"),
        ({"kwh": D("-1")}, "kWh must be positive"),
        ({"kwh": D("0.0000001")}, "less than one watt-hour"),  # was quoted as 0.000 kWh
        ({"amount": D("10")}, "does not exceed the service fee"),
        ({"amount": D("5")}, "does not exceed the service fee"),
        ({"kwh": D("1"), "amount": D("50")}, "either kWh or an amount"),
        ({"end": at("2025-09-24 09:00")}, "end must be after its start"),
        ({"end": START}, "end must be after its start"),
        ({}, "give an end time"),
        ({"start": dt.datetime(2025, 9, 24, 10), "kwh": D("1")}, "timezone-aware"),
        ({"end": dt.datetime(2025, 9, 24, 11)}, "timezone-aware"),
        ({"kwh": 1.5}, "must be a Decimal"),
        ({"kwh": D("NaN")}, "finite"),
        ({"kwh": D("1"), "idle_minutes": -1}, "idle minutes"),
        ({"where": site("1"), "kwh": D("900")}, "longer than 31 days"),
        ({"kwh": D("1000000")}, "more than one session delivers"),
        ({"kwh": D("1001")}, r"at most 1000 kWh"),
        (
            {"kwh": D("50"), "end": at("2025-09-24 11:00")},
            r"cannot be delivered.*at most 10 kWh",
        ),
        ({"where": site("350"), "end": at("2025-09-24 13:00")}, "at most 1000 kWh are quoted"),
        ({"amount": D("100000")}, "at most 1000 kWh are quoted"),
        ({"where": site("0"), "kwh": D("1")}, "power must be positive"),
        ({"where": site("7", zone="Mars/Olympus"), "kwh": D("1")}, "unknown time zone"),
    ],
)
def test_nonsense_is_refused(changes, message):
    start = changes.pop("start", START)
    with pytest.raises(QuoteInputError, match=message):
        price_plainly(session(start, **changes))


def test_quote_input_error_is_a_value_error():
    assert issubclass(QuoteInputError, ValueError)


def test_a_limit_message_writes_kwh_as_the_quote_lines_do():
    """12.5 kWh fit in half an hour at 25 kW: the line says '12.5 kWh', and so does the
    refusal of 13 kWh in that slot (not '12.500'); 175 kWh at 350 kW reads '175 kWh'."""
    half_hour = at("2025-09-24 10:30")
    quoted = price_plainly(session(START, site("25"), kwh=D("12.5"), end=half_hour))
    assert "(12.5 kWh @ " in quoted.lines[0].title
    with pytest.raises(QuoteInputError) as refused:
        price_plainly(session(START, site("25"), kwh=D("13.000"), end=half_hour))
    assert str(refused.value) == (
        "13 kWh cannot be delivered in that time at 25 kW (at most 12.5 kWh)"
    )
    with pytest.raises(QuoteInputError) as refused:
        price_plainly(session(START, site("350.00"), kwh=D("500"), end=half_hour))
    assert str(refused.value).endswith("at 350 kW (at most 175 kWh)")
