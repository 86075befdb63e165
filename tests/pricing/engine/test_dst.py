"""Windows are wall-clock; energy follows real elapsed time. Berlin changes clocks,
Kolkata does not. 10 kW throughout, so 10 kWh per real hour."""

from __future__ import annotations

import datetime as dt

from pricing.engine.types import RateBand
from tests.pricing.engine.build import (
    BERLIN,
    D,
    at,
    book_price,
    energy_amounts,
    rule,
    session,
    site,
    surge_amounts,
    tariff,
    window,
)

UTC = dt.UTC
EUR = tariff("0.40", currency="EUR")


def slot(start: str, end: str, zone=BERLIN):
    name = str(zone)
    return session(at(start, zone), site("10", zone=name), end=at(end, zone))


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_spring_forward_session_is_two_real_hours():
    # 01:00 CET -> 04:00 CEST: the wall clock shows three hours, two pass
    surge = rule("w", "1", window=window("01:30", "03:30"))
    priced = book_price(slot("2025-03-30 01:00", "2025-03-30 04:00"), EUR, [surge])
    assert priced.kwh == D("20.000")
    assert surge_amounts(priced) == {"w": "10.00"}  # 01:30 CET to 03:30 CEST is one hour
    assert [(seg.start, str(seg.kwh)) for seg in priced.segments] == [
        (utc("2025-03-30 00:00"), "5.000000000000"),
        (utc("2025-03-30 00:30"), "10.000000000000"),
        (utc("2025-03-30 01:30"), "5.000000000000"),
    ]
    assert priced.lines[-1].title == "W (€1/kWh x 10 kWh)"


def test_window_starting_inside_the_gap_starts_when_the_clock_jumps():
    surge = rule("w", "1", window=window("02:30", "05:00"))
    priced = book_price(slot("2025-03-30 01:00", "2025-03-30 04:00"), EUR, [surge])
    assert [seg.surge_codes for seg in priced.segments] == [(), ("w",)]
    assert priced.segments[1].start == utc("2025-03-30 01:00")  # 03:00 CEST
    assert surge_amounts(priced) == {"w": "10.00"}


def test_window_inside_the_gap_never_happens():
    surge = rule("w", "1", window=window("02:00", "02:45"))
    priced = book_price(slot("2025-03-30 01:00", "2025-03-30 04:00"), EUR, [surge])
    assert surge_amounts(priced) == {}


def test_kwh_request_across_spring_forward_ends_by_elapsed_time():
    request = session(at("2025-03-30 01:30", BERLIN), site("10", zone="Europe/Berlin"), kwh=D("15"))
    priced = book_price(request, EUR, [])
    assert priced.end == at("2025-03-30 04:00", BERLIN)  # 1.5 real hours


def test_fall_back_repeated_hour_is_in_the_window_twice():
    # 01:00 CEST -> 04:00 CET is four real hours; 02:00-03:00 is read twice
    surge = rule("w", "1", window=window("02:00", "03:00"))
    priced = book_price(slot("2025-10-26 01:00", "2025-10-26 04:00"), EUR, [surge])
    assert priced.kwh == D("40.000")
    assert surge_amounts(priced) == {"w": "20.00"}
    assert [(seg.start, seg.surge_codes) for seg in priced.segments] == [
        (utc("2025-10-25 23:00"), ()),
        (utc("2025-10-26 00:00"), ("w",)),
        (utc("2025-10-26 02:00"), ()),
    ]


def test_fall_back_window_edge_inside_the_repeated_hour_is_crossed_twice():
    surge = rule("w", "1", window=window("01:00", "02:30"))
    priced = book_price(slot("2025-10-26 01:00", "2025-10-26 04:00"), EUR, [surge])
    assert surge_amounts(priced) == {"w": "20.00"}  # 01:00-02:30 CEST, then 02:00-02:30 CET
    assert [seg.surge_codes for seg in priced.segments] == [("w",), (), ("w",), ()]


def test_night_band_across_the_short_night():
    bands = (RateBand("night", "Night", window("22:00", "06:00"), D("0.25")),)
    request = slot("2025-03-29 22:00", "2025-03-30 06:00")
    priced = book_price(request, tariff("0.40", currency="EUR", bands=bands), [])
    assert energy_amounts(priced) == {"night": ("70.000000000000", "17.50")}  # seven hours
    assert len(priced.segments) == 2  # split at midnight only


def test_kolkata_has_no_clock_change():
    surge = rule("w", "1", window=window("01:30", "03:30"))
    priced = book_price(
        session(at("2025-03-30 01:00"), site("10"), end=at("2025-03-30 04:00")), tariff(), [surge]
    )
    assert priced.kwh == D("30.000")
    assert surge_amounts(priced) == {"w": "20.00"}
    assert [seg.start for seg in priced.segments] == [
        utc("2025-03-29 19:30"),
        utc("2025-03-29 20:00"),
        utc("2025-03-29 22:00"),
    ]
