"""OCPI 2.2.1 mod_tariffs.asciidoc: "Complex Tariff example" and the TariffRestrictions
examples ("Example: Tariff with max_power Tariff Restrictions", "... max_duration ...")."""

from __future__ import annotations

from pricing.engine.ocpi import (
    ChargingPeriod,
    CostKind,
    OcpiSession,
    TariffDimensionType,
    calculate,
    constant_power_session,
)
from tests.pricing.ocpi.helpers import (
    BERLIN,
    COMPLEX,
    D,
    element,
    local,
    minutes,
    pc,
    tariff,
)


def test_complex_tariff_example_monday_rounding_erratum():
    """Monday 09:30, 2.45 h (147 min) at 16 A, then 42 min parked: 8.75 euro excl. VAT.

    TIME 147 -> 150 min (per 15 min) = 2.50; parking 42 -> 45 min at 5.00/h = 3.75; start 2.50.
    The spec's "10 euro" incl. VAT is the unrounded 2.875 + 3.00 + 4.125 = 10.000. Rounding
    each line to the cent, as we must, gives 2.88 + 3.00 + 4.13 = 10.01.
    """
    session = constant_power_session(
        local(2019, 6, 3, 9, 30),
        local(2019, 6, 3, 11, 57),
        kwh=D("9"),
        current_a=D("16"),
        parking=minutes(42),
    )
    cost = calculate(COMPLEX, session, BERLIN)
    assert cost.total_excl_vat == D("8.75")
    assert cost.unrounded_incl_vat == D("10.000")
    assert cost.total_incl_vat == D("10.01")
    time, parking = cost.lines_of(CostKind.TIME)[0], cost.lines_of(CostKind.PARKING_TIME)[0]
    assert (time.element, time.billed_volume, time.excl_vat) == (1, 9000, D("2.50"))
    assert (parking.element, parking.billed_volume, parking.incl_vat) == (4, 2700, D("4.13"))


def test_complex_tariff_example_saturday():
    """Saturday 13:30, 1.9 h (114 min) at 43 A, then 71 min parked: 12.50 / 14.13.

    TIME at the weekend rate 1.25/h per 10 min: 120 min = 2.50; parking 10:00-17:00 at 6.00/h
    per 5 min: 75 min = 7.50; start fee 2.50. Incl. VAT 2.88 + 3.00 + 8.25 = 14.13.
    """
    session = constant_power_session(
        local(2019, 6, 1, 13, 30),
        local(2019, 6, 1, 15, 24),
        kwh=D("20"),
        current_a=D("43"),
        parking=minutes(71),
    )
    cost = calculate(COMPLEX, session, BERLIN)
    assert (cost.total_excl_vat, cost.total_incl_vat) == (D("12.50"), D("14.13"))
    assert cost.lines_of(CostKind.TIME)[0].element == 3
    assert cost.lines_of(CostKind.PARKING_TIME)[0].billed_volume == 4500


def test_complex_tariff_example_parking_after_18_00_is_free_on_weekdays():
    """Same tariff: parking 17:30-18:30 on a Monday is billed only until 18:00 (30 min)."""
    session = constant_power_session(
        local(2019, 6, 3, 16),
        local(2019, 6, 3, 17, 30),
        kwh=D("5"),
        current_a=D("16"),
        parking=minutes(60),
    )
    cost = calculate(COMPLEX, session, BERLIN)
    (parking,) = cost.lines_of(CostKind.PARKING_TIME)
    assert (parking.volume, parking.excl_vat) == (1800, D("2.50"))
    assert [p.start.hour for p in cost.periods] == [16, 17, 18]


def test_example_tariff_with_max_power_tariff_restrictions():
    """1 kWh at 6 kW (0.20), 40 kWh at 48 kW (0.50, the fallback), 0.5 kWh at 4 kW (0.20):
    20.30 euro excl. VAT, composed of 0.20 + 20.00 + 0.10."""
    t = tariff(
        element(pc("ENERGY", 0.20, 1, 20.0), max_power=16.00),
        element(pc("ENERGY", 0.35, 1, 20.0), max_power=32.00),
        element(pc("ENERGY", 0.50, 1, 20.0)),
    )
    session = OcpiSession(
        local(2019, 6, 3, 10),
        (
            ChargingPeriod(minutes(10), D("1"), D("6")),
            ChargingPeriod(minutes(50), D("40"), D("48")),
            ChargingPeriod(minutes(7.5), D("0.5"), D("4")),
        ),
    )
    cost = calculate(t, session, BERLIN)
    assert cost.total_excl_vat == D("20.30")
    assert [(ln.element, ln.volume, ln.excl_vat) for ln in cost.lines] == [
        (0, D("1.5"), D("0.30")),
        (2, D("40"), D("20.00")),
    ]


def test_example_tariff_with_max_duration_tariff_restrictions():
    """Free for 30 min, 0.25/kWh to 60 min, then 0.40/kWh: 5 kWh in the first 30 min and
    1.2 kWh in the next 10 min cost 0.30 euro excl. VAT."""
    t = tariff(
        element(pc("ENERGY", 0, 1, 20), max_duration=1800),
        element(pc("ENERGY", 0.25, 1, 20), max_duration=3600),
        element(pc("ENERGY", 0.4, 1, 20)),
    )
    session = OcpiSession(
        local(2019, 6, 3, 10),
        (ChargingPeriod(minutes(30), D("5")), ChargingPeriod(minutes(10), D("1.2"))),
    )
    cost = calculate(t, session, BERLIN)
    assert (cost.total_excl_vat, cost.total_incl_vat) == (D("0.30"), D("0.36"))
    assert [(ln.volume, ln.excl_vat) for ln in cost.lines] == [
        (D("5"), D("0")),
        (D("1.2"), D("0.30")),
    ]


def test_constant_power_session_is_cut_exactly_at_a_kwh_threshold():
    """max_kwh / min_kwh cut a constant-power period where the energy crosses the threshold."""
    t = tariff(element(pc("ENERGY", 0.10), max_kwh=10), element(pc("ENERGY", 0.30)))
    session = constant_power_session(local(2019, 6, 3, 10), local(2019, 6, 3, 13), kwh=D("30"))
    cost = calculate(t, session, BERLIN)
    assert [(ln.volume, ln.excl_vat) for ln in cost.lines] == [(10, D("1.00")), (20, D("6.00"))]
    assert cost.periods[1].start == local(2019, 6, 3, 11)
    assert cost.periods[1].active == ((TariffDimensionType.ENERGY, 1),)
