"""from_ocpi / to_ocpi: our Tariff <-> OCPI 2.2.1 Tariff, with warnings where it is not exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pricing.engine.ocpi import (
    OcpiExportError,
    calculate,
    constant_power_session,
    from_ocpi,
    parse_tariff,
    to_ocpi,
)
from pricing.engine.types import ALL_DAYS, RateBand, Tariff, TimeWindow
from tests.pricing.ocpi.helpers import COMPLEX, D, element, pc, tariff

KOLKATA = "Asia/Kolkata"
UPDATED = dt.datetime(2025, 9, 24, 10, tzinfo=dt.UTC)
WEEKDAYS = frozenset(range(5))


def band(code: str, start: int, end: int, rate: str, days: frozenset[int] = ALL_DAYS) -> RateBand:
    return RateBand(
        code, f"{code.title()} hours", TimeWindow(dt.time(start), dt.time(end), days), D(rate)
    )


OURS = [
    Tariff("BASE", "INR", D("16")),
    Tariff(
        "TOD",
        "INR",
        D("16"),
        bands=(
            band("PEAK", 18, 21, "18.50", WEEKDAYS),
            band("NIGHT", 22, 6, "12", frozenset({5, 6})),  # wraps past midnight, weekend only
            band("LATE", 23, 2, "11"),  # wraps, every day: one OCPI element
            band("SUNDAY", 0, 0, "14", frozenset({6})),  # whole day
            band("EVENING", 20, 0, "17"),  # to midnight
        ),
        service_fee=D("10"),
        idle_fee_per_minute=D("2.5"),
        min_price=D("50"),
        max_price=D("2000"),
    ),
    Tariff("EU", "EUR", D("0.25"), service_fee=D("0.50"), tax_rate=D("0.21"), tax_name="BTW"),
    Tariff("ZERO", "INR", D("0"), tax_rate=D("0")),
]


@pytest.mark.parametrize("ours", OURS, ids=lambda t: t.code)
def test_to_ocpi_then_from_ocpi_gives_the_same_tariff_and_no_warnings(ours: Tariff):
    data = to_ocpi(ours, id=ours.code, country_code="IN", party_id="CPO", last_updated=UPDATED)
    back, warnings = from_ocpi(parse_tariff(data))
    assert warnings == []
    assert back == ours


def test_to_ocpi_splits_a_wrapping_weekend_band_into_two_elements():
    data = to_ocpi(OURS[1], id="TOD", country_code="IN", party_id="CPO", last_updated=UPDATED)
    night = [e["restrictions"] for e in data["elements"] if e["price_components"][0]["price"] == 12]
    assert night == [
        {"start_time": "22:00", "end_time": "00:00", "day_of_week": ["SATURDAY", "SUNDAY"]},
        {"start_time": "00:00", "end_time": "06:00", "day_of_week": ["MONDAY", "SUNDAY"]},
    ]
    default = data["elements"][-1]
    assert "restrictions" not in default
    assert [c["type"] for c in default["price_components"]] == ["ENERGY", "FLAT", "PARKING_TIME"]
    assert default["price_components"][2] == {
        "type": "PARKING_TIME",
        "price": 150,
        "vat": 18,
        "step_size": 60,
    }
    assert data["min_price"] == {"excl_vat": 50, "incl_vat": 59}
    assert data["tariff_alt_text"][2]["text"] == "NIGHT: Night hours (22:00-06:00 Sat Sun)"


def test_ocpi_calculator_prices_an_exported_tariff_like_our_bands():
    """Saturday 21:00 to Sunday 01:00 at 5 kW: EVENING (17) until 22:00, then NIGHT, Saturday
    22:00 to Sunday 06:00 (12); LATE and SUNDAY never win, NIGHT is listed before them."""
    data = to_ocpi(OURS[1], id="TOD", country_code="IN", party_id="CPO", last_updated=UPDATED)
    start = dt.datetime(2025, 9, 20, 21, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    session = constant_power_session(start, start + dt.timedelta(hours=4), power_kw=D("5"))
    cost = calculate(parse_tariff(data), session, KOLKATA)
    assert [(ln.volume, ln.price) for ln in cost.lines[1:]] == [(5, 17), (10, 12), (5, 12)]
    assert cost.total_excl_vat == D("275.00")  # 10 + 85 + 180
    assert cost.total_incl_vat == D("324.50")


def test_to_ocpi_refuses_an_idle_grace_period():
    grace = Tariff("G", "INR", D("16"), idle_fee_per_minute=D("2"), idle_grace_minutes=10)
    with pytest.raises(OcpiExportError, match="no parking grace period"):
        to_ocpi(grace, id="G", country_code="IN", party_id="CPO", last_updated=UPDATED)


def test_to_ocpi_converts_tax_inclusive_prices_only_when_asked():
    inclusive = Tariff(
        "DEG", "INR", D("18"), service_fee=D("10"), max_price=D("500"), tax_included=True
    )
    with pytest.raises(OcpiExportError, match="include tax"):
        to_ocpi(inclusive, id="DEG", country_code="IN", party_id="CPO", last_updated=UPDATED)
    data = to_ocpi(
        inclusive,
        id="DEG",
        country_code="IN",
        party_id="CPO",
        last_updated=UPDATED,
        convert_tax_inclusive=True,
    )
    energy, flat = data["elements"][0]["price_components"]
    assert (energy["price"], flat["price"]) == (15.254237, 8.474576)
    assert data["max_price"] == {"excl_vat": 423.728814, "incl_vat": 500}
    back, warnings = from_ocpi(parse_tariff(data))
    assert (back.energy_rate_per_kwh, back.tax_included, warnings) == (D("15.254237"), False, [])


def test_from_ocpi_maps_a_simple_spec_tariff_exactly():
    """Simple Tariff example 0.25 euro per kWh: 10 % VAT, billed per 1 Wh."""
    ours, warnings = from_ocpi(tariff(element(pc("ENERGY", 0.25, 1, 10.0))))
    assert warnings == []
    assert (ours.code, ours.currency, ours.energy_rate_per_kwh) == ("12", "EUR", D("0.25"))
    assert (ours.tax_rate, ours.tax_name, ours.bands) == (D("0.1"), "VAT", ())


def test_from_ocpi_warns_about_per_component_vat():
    """Tariff example 0.25 euro per kWh + start fee: FLAT at 20 % VAT, ENERGY at 10 %."""
    ours, warnings = from_ocpi(
        tariff(element(pc("FLAT", 0.5, 1, 20.0), pc("ENERGY", 0.25, 1, 10.0)))
    )
    assert (ours.service_fee, ours.tax_rate) == (D("0.5"), D("0.1"))
    assert warnings == ["components carry different VAT (10.0%, 20.0%); one tax rate kept: 10.0"]


def test_from_ocpi_warns_about_everything_the_complex_example_needs():
    ours, warnings = from_ocpi(COMPLEX)
    assert (ours.service_fee, ours.energy_rate_per_kwh, ours.idle_fee_per_minute) == (
        D("2.5"),
        0,
        0,
    )
    assert warnings == [
        "element 4: PARKING_TIME at 5.0 only under start_time, end_time, day_of_week: left out",
        "element 5: PARKING_TIME at 6.0 only under start_time, end_time, day_of_week: left out",
        "element 1: charging time at 1.0/h is not represented",
        "element 2: charging time at 2.0/h is not represented",
        "element 3: charging time at 1.25/h is not represented",
    ]


def test_from_ocpi_warns_about_kwh_power_duration_and_reservation_restrictions():
    ocpi = tariff(
        element(pc("TIME", 5, 60, 20), reservation="RESERVATION"),
        element(pc("ENERGY", 0, 1), max_kwh=1),
        element(pc("ENERGY", 0.2, 1), max_power=16),
        element(pc("PARKING_TIME", 0, 60), max_duration=3600),
        element(pc("ENERGY", 0.3, 100), pc("PARKING_TIME", 5, 900)),
        min_price={"excl_vat": 1, "incl_vat": 1.5},
    )
    ours, warnings = from_ocpi(ocpi)
    assert (ours.energy_rate_per_kwh, ours.min_price) == (D("0.3"), D("1"))
    assert ours.idle_fee_per_minute == D("0.083333")
    assert warnings == [
        "element 0: reservation prices (RESERVATION) are not represented",
        "element 1: energy at 0/kWh only under max_kwh: left out",
        "element 2: energy at 0.2/kWh only under max_power: left out",
        "element 4: energy billed per 100 Wh, we bill exact kWh",
        "element 3: PARKING_TIME at 0 only under max_duration: left out",
        "element 4: parking billed per 900 s, we bill whole minutes",
        "parking 5/h is 0.083333/min only approximately",
        "min_price: incl_vat 1.5 is not excl_vat plus tax (1.00)",
    ]


def test_from_ocpi_reads_an_ocpi_wrapping_window_with_days_as_two_bands():
    """OCPI day_of_week is checked at each moment: 22:00-06:00 on SATURDAY means Saturday
    00:00-06:00 and Saturday 22:00-24:00, not Saturday night into Sunday."""
    ocpi = tariff(
        element(
            pc("ENERGY", 0.2, 1), start_time="22:00", end_time="06:00", day_of_week=["SATURDAY"]
        ),
        element(pc("ENERGY", 0.3, 1)),
    )
    ours, warnings = from_ocpi(ocpi)
    assert warnings == []
    assert [(b.code, b.window) for b in ours.bands] == [
        ("BAND1", TimeWindow(dt.time(22), dt.time(0), frozenset({5}))),
        ("BAND2", TimeWindow(dt.time(0), dt.time(6), frozenset({5}))),
    ]
    assert ours.bands[0].label == "22:00-00:00 Sat"


def test_free_of_charge_tariff_maps_to_a_zero_tariff():
    ours, warnings = from_ocpi(tariff(element(pc("FLAT", 0.00))))
    assert warnings == []
    assert (ours.energy_rate_per_kwh, ours.service_fee, ours.tax_rate) == (0, 0, Decimal(0))
