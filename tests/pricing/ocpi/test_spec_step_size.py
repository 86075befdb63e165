"""step_size in OCPI 2.2.1: mod_tariffs "PriceComponent class" (NOTEs and "Example Tariff"
with its three "Example: switching to ..." cases) and mod_cdrs "CDR object", step_size.

step_size rounds the session total of a dimension, with the step of the last component
used, and bills the extra in the last period (time-of-day switch mid-session).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.engine.ocpi import (
    ChargingPeriod,
    CostKind,
    OcpiSession,
    calculate,
    constant_power_session,
)
from tests.pricing.ocpi.helpers import BERLIN, D, element, local, minutes, pc, tariff

STEP_TARIFF = tariff(  # examples/tariff_14_step_size.json
    element(
        pc("TIME", 1.20, 1800), pc("PARKING_TIME", 1.00, 900), start_time="00:00", end_time="17:00"
    ),
    element(
        pc("TIME", 2.40, 900), pc("PARKING_TIME", 1.00, 900), start_time="17:00", end_time="20:00"
    ),
    element(pc("TIME", 2.40, 900), start_time="20:00", end_time="23:59"),
    id="22",
)


def charge_then_park(hour: int, minute: int, charge: int, park: int) -> OcpiSession:
    start = local(2019, 6, 3, hour, minute)
    return constant_power_session(start, start + minutes(charge), kwh=D("3"), parking=minutes(park))


def test_example_switching_to_different_tariff_element_1_contradiction():
    """16:55, charging 10 min, then 2 min parked.

    Charging: 5 min before 17:00 (0.10) and 5 after; the total 10 min rounds to 15 with the
    last step (15 min), so 10 min after 17:00 (0.40). Parking 2 min rounds to 15 min (0.25).
    The 2.2.1 text says 0.50 by letting the extra charging minutes absorb the parking; that
    matches neither the Complex Tariff example nor the CDR module rule (0.55, charging not
    rounded). We bill 0.75, each dimension rounded on its own.
    """
    cost = calculate(STEP_TARIFF, charge_then_park(16, 55, 10, 2), BERLIN)
    assert [(ln.kind, ln.billed_volume, ln.excl_vat) for ln in cost.lines] == [
        (CostKind.TIME, 300, D("0.10")),
        (CostKind.TIME, 600, D("0.40")),
        (CostKind.PARKING_TIME, 900, D("0.25")),
    ]
    assert cost.total_excl_vat == D("0.75")


def test_example_switching_to_different_tariff_element_2():
    """16:35, charging 35 min, no parking: 25 min before 17:00 = 0.50; total 35 -> 45 min, so
    20 min after 17:00 = 0.80 (the spec's "10 billable minutes" is a typo for 20); 1.30."""
    cost = calculate(STEP_TARIFF, charge_then_park(16, 35, 35, 0), BERLIN)
    assert [(ln.volume, ln.billed_volume, ln.excl_vat) for ln in cost.lines] == [
        (1500, 1500, D("0.50")),
        (600, 1200, D("0.80")),
    ]
    assert cost.total_excl_vat == D("1.30")


def test_example_switching_to_free_of_charge_tariff_element():
    """19:55, charging 10 min, 2 min parked: 5 min before 20:00 = 0.20, 10 min after 20:00 =
    0.40 (15-minute step on the 10 min total); parking after 20:00 has no price: 0.60."""
    cost = calculate(STEP_TARIFF, charge_then_park(19, 55, 10, 2), BERLIN)
    assert cost.total_excl_vat == D("0.60")
    assert cost.lines_of(CostKind.PARKING_TIME) == ()


@pytest.mark.parametrize(
    ("step", "billed_kwh", "exact"),
    [(1, "0.116", "0.029"), (25, "0.125", "0.03125"), (500, "0.5", "0.125")],
)
def test_price_component_step_size_note_energy(step: int, billed_kwh: str, exact: str):
    """115.2 Wh at 0.25/kWh: step 1 -> 116 Wh, 0.029; step 25 -> 125 Wh, 0.031 (printed to
    3 decimals, exactly 0.03125); step 500 -> 500 Wh, 0.125. Lines round to the cent."""
    t = tariff(element(pc("ENERGY", 0.25, step)))
    session = constant_power_session(
        local(2019, 6, 3, 10), local(2019, 6, 3, 10, 1), kwh=D("0.1152")
    )
    (line,) = calculate(t, session, BERLIN).lines
    assert (line.billed_volume, line.exact_excl_vat) == (D(billed_kwh), D(exact))
    assert line.excl_vat == Decimal(exact).quantize(D("0.01"), rounding="ROUND_HALF_UP")


def test_price_component_step_size_note_time_and_parking():
    """TIME step 300: 6 min used -> 10 min billed. PARKING_TIME step 300: 8 min -> 10 min."""
    t = tariff(element(pc("TIME", 6.00, 300), pc("PARKING_TIME", 6.00, 300)))
    cost = calculate(t, charge_then_park(10, 0, 6, 8), BERLIN)
    assert [ln.billed_volume for ln in cost.lines] == [600, 600]
    assert cost.total_excl_vat == D("2.00")


def test_cdr_step_size_energy_total_not_last_period():
    """CDR object, step_size: 0.20 before 17:00, 0.27 after, both per 500 Wh (the spec writes
    "euro/Wh", a unit slip for euro/kWh). 4.3 kWh + 1.1 kWh = 5.4 -> 5.5 kWh, so 1.2 kWh after
    17:00 is billed, not 1.5: 0.86 + 0.324 -> 0.86 + 0.32 = 1.18."""
    t = tariff(
        element(pc("ENERGY", 0.20, 500), end_time="17:00"),
        element(pc("ENERGY", 0.27, 500), start_time="17:00"),
    )
    session = OcpiSession(
        local(2019, 6, 3, 16),
        (ChargingPeriod(minutes(60), D("4.3")), ChargingPeriod(minutes(20), D("1.1"))),
    )
    cost = calculate(t, session, BERLIN)
    assert [(ln.billed_volume, ln.excl_vat) for ln in cost.lines] == [
        (D("4.3"), D("0.86")),
        (D("1.2"), D("0.32")),
    ]
    assert (cost.total_excl_vat, cost.unrounded_excl_vat) == (D("1.18"), D("1.184"))


def test_cdr_step_size_time_switch_at_17_00():
    """5/h before 17:00, 7/h after, per 10 min: 6 + 22 min = 28 -> 30, so 24 min after 17:00
    (not 30): 0.50 + 2.80 = 3.30."""
    t = tariff(
        element(pc("TIME", 5, 600), end_time="17:00"),
        element(pc("TIME", 7, 600), start_time="17:00"),
    )
    cost = calculate(t, charge_then_park(16, 54, 28, 0), BERLIN)
    assert [ln.billed_volume for ln in cost.lines] == [360, 1440]
    assert cost.total_excl_vat == D("3.30")


def test_cdr_step_size_time_then_parking():
    """1.00/h charging, 2.00/h parking, both per 10 min; 21 min charging, 16 min parked.
    The CDR module would bill 21 min charging + 20 min parking; the Tariffs module's Complex
    Tariff example rounds charging too (30 min), as we do; see docs/ocpi.md."""
    t = tariff(element(pc("TIME", 1.00, 600), pc("PARKING_TIME", 2.00, 600)))
    cost = calculate(t, charge_then_park(10, 0, 21, 16), BERLIN)
    assert [ln.billed_volume for ln in cost.lines] == [1800, 1200]
    assert cost.total_excl_vat == D("1.17")
