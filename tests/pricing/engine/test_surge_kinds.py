"""One example per surge kind and per boundary a session can cross.

2025-09-24 is a Wednesday; 26 Friday, 27 Saturday, 28 Sunday. 10 kW, so 10 kWh an hour.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pricing.engine.types import ChargeForm, Conditions, RateBand, SurgeKind
from tests.pricing.engine.build import (
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

EVENING = window("18:00", "21:00")
NIGHT = window("22:00", "06:00")
WEEKEND = window("00:00", "00:00", frozenset({5, 6}))


def two_hours_from(start: str, **site_fields):
    return session(at(start), site("10", **site_fields), kwh=D("20"))


def test_percent_surge_counts_only_energy_inside_the_window():
    surge = rule("peak", "20", ChargeForm.PERCENT, window=EVENING)
    priced = book_price(two_hours_from("2025-09-24 20:00"), tariff("16"), [surge])
    assert surge_amounts(priced) == {"peak": "32.00"}  # 20 % of 10 kWh x 16


def test_flat_surge_is_charged_once_however_often_the_window_is_touched():
    surge = rule("night", "25", ChargeForm.FLAT, kind=SurgeKind.NIGHT, window=NIGHT)
    request = session(at("2025-09-24 21:00"), site("3.3"), kwh=D("99"))  # 30 h: two nights
    priced = book_price(request, tariff("16"), [surge])
    assert surge_amounts(priced) == {"night": "25.00"}
    assert [seg.surge_codes for seg in priced.segments].count(
        ("night",)
    ) == 4  # 22-24, 0-6, 22-24, 0-3


def test_midnight_splits_segments_even_when_the_price_does_not_change():
    priced = book_price(two_hours_from("2025-09-24 23:00"), tariff("16"), [])
    assert [str(seg.kwh) for seg in priced.segments] == ["10.000000000000", "10.000000000000"]
    assert energy_amounts(priced) == {"base": ("20.000000000000", "320.00")}


def test_weekend_surge_starts_at_midnight_on_friday_night():
    surge = rule("weekend", "2", kind=SurgeKind.WEEKEND, window=WEEKEND)
    priced = book_price(two_hours_from("2025-09-26 23:00"), tariff("16"), [surge])
    assert [seg.surge_codes for seg in priced.segments] == [(), ("weekend",)]
    assert surge_amounts(priced) == {"weekend": "20.00"}


def test_weekend_surge_ends_at_midnight_on_sunday_night():
    surge = rule("weekend", "2", kind=SurgeKind.WEEKEND, window=WEEKEND)
    priced = book_price(two_hours_from("2025-09-28 23:30"), tariff("16"), [surge])
    assert surge_amounts(priced) == {"weekend": "10.00"}  # 23:30-24:00 only


def test_band_that_wraps_midnight_prices_both_sides():
    bands = (RateBand("offpeak", "Off-peak", NIGHT, D("12")),)
    evening = book_price(two_hours_from("2025-09-24 21:00"), tariff("18", bands=bands), [])
    morning = book_price(two_hours_from("2025-09-25 05:00"), tariff("18", bands=bands), [])
    for priced in (evening, morning):
        amounts = {code: amount for code, (_kwh, amount) in energy_amounts(priced).items()}
        assert amounts == {"base": "180.00", "offpeak": "120.00"}
    assert evening.lines[1].title == "Charging session cost, Off-peak (10 kWh @ ₹12.00/kWh)"


def test_wrapping_band_belongs_to_the_day_it_starts():
    friday_nights = window("22:00", "06:00", frozenset({4}))
    bands = (RateBand("fri", "Friday night", friday_nights, D("12")),)
    saturday_3am = book_price(two_hours_from("2025-09-27 03:00"), tariff("18", bands=bands), [])
    sunday_3am = book_price(two_hours_from("2025-09-28 03:00"), tariff("18", bands=bands), [])
    assert set(energy_amounts(saturday_3am)) == {"fri"}
    assert set(energy_amounts(sunday_3am)) == {"base"}


HOLIDAY = Conditions(holidays=frozenset({dt.date(2025, 8, 15)}))


def test_holiday_surge_uses_the_local_date():
    surge = rule("holiday", "30", ChargeForm.FLAT, kind=SurgeKind.HOLIDAY, holidays_only=True)
    # 00:30 IST on 15 August is still 14 August in UTC
    priced = book_price(two_hours_from("2025-08-15 00:30"), tariff("16"), [surge], HOLIDAY)
    assert surge_amounts(priced) == {"holiday": "30.00"}
    assert surge_amounts(book_price(two_hours_from("2025-08-15 00:30"), tariff(), [surge])) == {}
    eve = book_price(two_hours_from("2025-08-14 23:00"), tariff("16"), [surge], HOLIDAY)
    assert [seg.surge_codes for seg in eve.segments] == [(), ("holiday",)]  # from 00:00


def test_holiday_night_window_belongs_to_the_holiday_it_starts_on():
    surge = rule("h_night", "1", kind=SurgeKind.HOLIDAY, window=NIGHT, holidays_only=True)
    after = book_price(two_hours_from("2025-08-16 02:00"), tariff(), [surge], HOLIDAY)
    before = book_price(two_hours_from("2025-08-15 02:00"), tariff(), [surge], HOLIDAY)
    assert surge_amounts(after) == {"h_night": "20.00"}  # Friday 15th's night
    assert surge_amounts(before) == {}  # Thursday 14th's night


def test_night_surge_percent():
    surge = rule("night", "10", ChargeForm.PERCENT, kind=SurgeKind.NIGHT, window=NIGHT)
    priced = book_price(two_hours_from("2025-09-24 05:30"), tariff("16"), [surge])
    assert surge_amounts(priced) == {"night": "8.00"}  # 10 % of 5 kWh x 16
    assert priced.lines[-1].title == "Night (10%)"


@pytest.mark.parametrize(
    ("site_kind", "region", "expected"),
    [
        ("airport", "DL", {"airport": "25.00"}),
        ("mall", "DL", {}),
        ("airport", "KA", {}),
    ],
)
def test_location_premium(site_kind, region, expected):
    surge = rule(
        "airport",
        "25",
        ChargeForm.FLAT,
        kind=SurgeKind.LOCATION,
        site_kinds=frozenset({"airport"}),
        region_codes=frozenset({"DL"}),
    )
    priced = book_price(
        two_hours_from("2025-09-24 10:00", site_kind=site_kind, region_code=region),
        tariff(),
        [surge],
    )
    assert surge_amounts(priced) == expected


def test_station_specific_surge():
    surge = rule("cp", "1", station_codes=frozenset({"CP1"}))
    assert surge_amounts(book_price(two_hours_from("2025-09-24 10:00"), tariff(), [surge])) == {}
    there = two_hours_from("2025-09-24 10:00", station_code="CP1")
    assert surge_amounts(book_price(there, tariff(), [surge])) == {"cp": "20.00"}


@pytest.mark.parametrize(
    ("power", "speed", "expected"),
    [
        ("60", "FAST", {"fast": "30.00"}),  # 15 kWh x ₹2
        ("50", "FAST", {"fast": "30.00"}),  # the minimum is inclusive
        ("22", "FAST", {}),
        ("60", "SLOW", {}),
    ],
)
def test_fast_charging_premium(power, speed, expected):
    surge = rule(
        "fast",
        "2",
        kind=SurgeKind.FAST_CHARGING,
        min_power_kw=D("50"),
        charging_speeds=frozenset({"FAST"}),
    )
    request = session(at("2025-09-24 10:00"), site(power, charging_speed=speed), kwh=D("15"))
    assert surge_amounts(book_price(request, tariff(), [surge])) == expected


def test_environmental_surcharge_on_every_kwh():
    surge = rule("green", "0.35", kind=SurgeKind.ENVIRONMENTAL, name="Renewable premium")
    priced = book_price(session(at("2025-09-24 10:00"), kwh=D("7.3")), tariff(), [surge])
    assert surge_amounts(priced) == {"green": "2.56"}  # 2.555 half-up
    assert priced.lines[-1].title == "Renewable premium (₹0.35/kWh x 7.3 kWh)"


@pytest.mark.parametrize(
    ("occupancy", "expected"),
    [
        ("0.85", {"busy": "20.00"}),
        ("0.8", {"busy": "20.00"}),
        ("0.5", {}),
    ],
)
def test_demand_surge_on_occupancy(occupancy, expected):
    surge = rule("busy", "1", kind=SurgeKind.DEMAND, occupancy_threshold=D("0.8"))
    conditions = Conditions(occupancy=D(occupancy))
    priced = book_price(two_hours_from("2025-09-24 10:00"), tariff(), [surge], conditions)
    assert surge_amounts(priced) == expected


@pytest.mark.parametrize(("stress", "expected"), [(True, {"grid": "40.00"}), (False, {})])
def test_demand_surge_on_grid_stress(stress, expected):
    surge = rule("grid", "2", kind=SurgeKind.DEMAND, on_grid_stress=True)
    conditions = Conditions(grid_stress=stress)
    priced = book_price(two_hours_from("2025-09-24 10:00"), tariff(), [surge], conditions)
    assert surge_amounts(priced) == expected


def test_validity_dates_bound_the_surge_mid_session():
    surge = rule(
        "promo", "1", valid_from=at("2025-09-24 10:30"), valid_until=at("2025-09-24 11:15")
    )
    priced = book_price(two_hours_from("2025-09-24 10:00"), tariff(), [surge])
    assert surge_amounts(priced) == {"promo": "7.50"}  # 45 minutes
    assert {seg.start.tzinfo for seg in priced.segments} == {dt.UTC}
    assert [str(seg.kwh) for seg in priced.segments] == [
        "5.000000000000",
        "7.500000000000",
        "7.500000000000",
    ]
