"""The ORM side of pricing reproduces the DEG figures and reads conditions correctly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cpo_portal.models import Holiday
from pricing.engine.types import Customer, LineKind
from pricing.services import NoTariffError, conditions_for, site_for, tariff_for
from tests.factories import ChargerFactory, StationFactory
from tests.pricing.factories import (
    SignalFactory,
    SurgeFactory,
    TariffFactory,
    at,
    price,
    surge_notices,
)
from tests.support.pricing import quote_session

pytestmark = pytest.mark.django_db
D = Decimal


def amounts(quote) -> list[tuple[str, str, Decimal]]:
    return [(str(ln.kind), ln.code, ln.amount) for ln in quote.lines]


@pytest.fixture
def deg_journey(priced):
    """DEG surge journey: ₹16/kWh including GST, ₹1/kWh congestion fee 18:00-21:00."""
    priced.tariff_a.energy_rate_per_kwh = D("16")
    priced.tariff_a.service_fee = D("0")
    priced.tariff_a.prices_include_tax = True
    priced.tariff_a.save()
    return priced


def test_deg_receipt_5_2_kwh_is_88_40(deg_journey):
    quote = quote_session(deg_journey.charger_a, at("2025-09-24 18:25"), kwh=D("5.2"))
    assert amounts(quote) == [
        ("energy", "base", D("83.20")),
        ("surge", "a-congestion", D("5.20")),
    ]
    assert quote.total == D("88.40")
    assert quote.tax_included == D("13.48")  # 88.40 x 18/118


def test_deg_running_total_3_4_kwh_is_57_80_not_58(deg_journey):
    quote = quote_session(deg_journey.charger_a, at("2025-09-24 18:25"), kwh=D("3.4"))
    assert [ln.amount for ln in quote.lines] == [D("54.40"), D("3.40")]
    assert quote.total == D("57.80")


def test_deg_select_100_rupees_buys_5_kwh(priced):
    quote = quote_session(priced.charger_a, at("2025-09-24 10:00"), amount=D("100"))
    assert quote.kwh == D("5.000")
    assert amounts(quote) == [
        ("energy", "base", D("90.00")),
        ("service_fee", "service_fee", D("10.00")),
        ("tax", "GST", D("18.00")),
    ]


def test_deg_select_with_a_20_percent_surge_is_118(priced):
    SurgeFactory(
        operator=priced.op_a,
        code="surge-20",
        kind="demand",
        form="percent",
        amount=D("20"),
        window_start=None,
        window_end=None,
        occupancy_threshold=D("0"),
    )
    priced.tariff_a.prices_include_tax = True
    priced.tariff_a.save()
    quote = quote_session(priced.charger_a, at("2025-09-24 10:00"), amount=D("100"))
    assert quote.kwh == D("5.000")
    assert amounts(quote) == [
        ("energy", "base", D("90.00")),
        ("service_fee", "service_fee", D("10.00")),
        ("surge", "surge-20", D("18.00")),
    ]
    assert quote.total == D("118.00")


def test_tax_exclusive_adds_gst_on_the_surged_total(priced):
    SurgeFactory(
        operator=priced.op_a,
        code="surge-20",
        kind="demand",
        form="percent",
        amount=D("20"),
        window_start=None,
        window_end=None,
        occupancy_threshold=D("0"),
    )
    quote = quote_session(priced.charger_a, at("2025-09-24 10:00"), amount=D("100"))
    assert quote.sum_of(LineKind.TAX) == D("21.24")
    assert quote.total == D("139.24")


def test_price_is_stage_one_without_tax(priced):
    session = price(priced.charger_a, at("2025-09-24 18:00"), kwh=D("5"))
    assert [ln.amount for ln in session.lines] == [D("90.00"), D("10.00"), D("5.00")]
    assert session.gross == D("105.00")


def test_tariff_resolution_charger_beats_station_beats_operator(priced):
    charger = priced.charger_a
    assert tariff_for(charger) == priced.tariff_a
    station_tariff = TariffFactory(
        operator=priced.op_a, station=priced.station_a, energy_rate_per_kwh=D("20")
    )
    assert tariff_for(charger) == station_tariff
    other = ChargerFactory(station=StationFactory(operator=priced.op_a))
    assert tariff_for(other) == priced.tariff_a
    charger_tariff = TariffFactory(
        operator=priced.op_a, charger=charger, energy_rate_per_kwh=D("22")
    )
    assert tariff_for(charger) == charger_tariff
    quote = quote_session(charger, at("2025-09-24 10:00"), kwh=D("1"))
    assert quote.lines[0].amount == D("22.00")
    charger_tariff.active = False
    charger_tariff.save()
    assert quote_session(charger, at("2025-09-24 10:00"), kwh=D("1")).lines[0].amount == D("20.00")


def test_no_active_tariff_is_a_clear_error(priced):
    priced.tariff_a.active = False
    priced.tariff_a.save()
    assert tariff_for(priced.charger_a) is None
    with pytest.raises(NoTariffError, match="a-charger-01 has no active tariff"):
        quote_session(priced.charger_a, at("2025-09-24 10:00"), kwh=D("1"))


def test_band_prices_energy_inside_its_window(priced):
    priced.tariff_a.bands.create(
        code="night",
        label="off-peak",
        start=dt.time(22),
        end=dt.time(6),
        days=list(range(7)),
        rate_per_kwh=D("16"),
    )
    # 30 kW from 21:50 for 20 minutes: 5 kWh at ₹18, 5 kWh at ₹16
    quote = quote_session(priced.charger_a, at("2025-09-24 21:50"), kwh=D("10"))
    energy = quote.lines_of(LineKind.ENERGY)
    assert [(ln.code, ln.amount) for ln in energy] == [("base", D("90.00")), ("night", D("80.00"))]


def test_site_for_reads_station_and_charger(priced):
    site = site_for(priced.charger_a)
    assert (site.station_code, site.charger_code, site.time_zone) == (
        "a-station",
        "a-charger-01",
        "Asia/Kolkata",
    )
    assert (site.power_kw, site.charging_speed, site.region_code) == (D("30"), "FAST", "DL")


def test_conditions_holidays_national_and_own_region_only(priced):
    op = priced.op_a
    Holiday.objects.create(operator=op, date=dt.date(2025, 10, 2), name="Gandhi Jayanti")
    Holiday.objects.create(operator=op, date=dt.date(2025, 10, 3), name="Delhi", region_code="DL")
    Holiday.objects.create(operator=op, date=dt.date(2025, 10, 4), name="Mumbai", region_code="MH")
    Holiday.objects.create(operator=priced.op_b, date=dt.date(2025, 10, 5), name="B's")
    conditions = conditions_for(priced.station_a, at("2025-10-01 10:00"))
    assert conditions.holidays == {dt.date(2025, 10, 2), dt.date(2025, 10, 3)}


def test_holiday_surge_applies_on_holidays_only(priced):
    Holiday.objects.create(operator=priced.op_a, date=dt.date(2025, 10, 2), name="Holiday")
    SurgeFactory(
        operator=priced.op_a,
        code="holiday",
        kind="holiday",
        holidays_only=True,
        amount=D("2"),
        window_start=None,
        window_end=None,
    )
    on = quote_session(priced.charger_a, at("2025-10-02 10:00"), kwh=D("5"))
    off = quote_session(priced.charger_a, at("2025-10-03 10:00"), kwh=D("5"))
    assert on.sum_of(LineKind.SURGE) == D("10.00")
    assert off.sum_of(LineKind.SURGE) == D("0")


def test_occupancy_is_the_share_of_occupied_chargers(priced):
    ChargerFactory(station=priced.station_a, code="a-charger-02", status="Occupied")
    assert conditions_for(priced.station_a, at("2025-09-24 10:00")).occupancy == D("0.5")
    SurgeFactory(
        operator=priced.op_a,
        code="busy",
        kind="demand",
        form="percent",
        amount=D("20"),
        window_start=None,
        window_end=None,
        occupancy_threshold=D("0.5"),
    )
    quote = quote_session(priced.charger_a, at("2025-09-24 10:00"), kwh=D("5"))
    assert quote.sum_of(LineKind.SURGE) == D("18.00")
    priced.charger_a.status = "Occupied"
    priced.charger_a.save()
    assert conditions_for(priced.station_a, at("2025-09-24 10:00")).occupancy == D("1")


@pytest.mark.parametrize(
    ("scope", "stressed"),
    [
        ({}, True),
        ({"region_code": "DL"}, True),
        ({"region_code": "MH"}, False),
        ({"station": "own"}, True),
        ({"station": "other"}, False),
        ({"cleared_at": at("2025-09-24 09:00")}, False),
        ({"raised_at": at("2025-09-24 11:00")}, False),
    ],
)
def test_grid_stress_follows_scope_and_time(priced, scope, stressed):
    if scope.get("station") == "own":
        scope["station"] = priced.station_a
    elif scope.get("station") == "other":
        scope["station"] = StationFactory(operator=priced.op_a)
    SignalFactory(operator=priced.op_a, **{"raised_at": at("2025-09-24 08:00"), **scope})
    SignalFactory(operator=priced.op_b)  # another operator's never counts
    assert conditions_for(priced.station_a, at("2025-09-24 10:00")).grid_stress is stressed


def test_grid_stress_surge_follows_the_signal(priced):
    SurgeFactory(
        operator=priced.op_a,
        code="grid",
        kind="demand",
        form="percent",
        amount=D("10"),
        window_start=None,
        window_end=None,
        on_grid_stress=True,
    )
    start = at("2025-09-24 10:00")
    assert quote_session(priced.charger_a, start, kwh=D("5")).sum_of(LineKind.SURGE) == 0
    signal = SignalFactory(operator=priced.op_a, raised_at=at("2025-09-24 09:00"))
    assert quote_session(priced.charger_a, start, kwh=D("5")).sum_of(LineKind.SURGE) == D("9.00")
    signal.cleared_at = at("2025-09-24 09:30")
    signal.save()
    assert quote_session(priced.charger_a, start, kwh=D("5")).sum_of(LineKind.SURGE) == 0


def test_exempt_segment_and_tier_pay_no_surge(priced):
    priced.surge_a.exempt_segments = ["fleet"]
    priced.surge_a.exempt_tiers = ["gold"]
    priced.surge_a.save()
    start = at("2025-09-24 18:00")
    for customer, surge in [
        (Customer(), D("5.00")),
        (Customer(segment="fleet"), D("0")),
        (Customer(tier="gold"), D("0")),
        (Customer(segment="retail", tier="silver"), D("5.00")),
    ]:
        quote = quote_session(priced.charger_a, start, kwh=D("5"), customer=customer)
        assert quote.sum_of(LineKind.SURGE) == surge, customer


def test_paused_and_not_yet_effective_rules_do_not_apply(priced):
    start = at("2025-09-24 18:00")
    priced.surge_a.paused = True
    priced.surge_a.save()
    assert quote_session(priced.charger_a, start, kwh=D("5")).sum_of(LineKind.SURGE) == 0
    priced.surge_a.paused = False
    priced.surge_a.effective_from = at("2025-09-24 18:05")
    priced.surge_a.save()
    # 30 kW for 20 minutes: only the 7.5 kWh after 18:05 pay the fee
    assert quote_session(priced.charger_a, start, kwh=D("10")).sum_of(LineKind.SURGE) == D("7.50")


def test_station_scope_of_a_surge(priced):
    other = ChargerFactory(station=StationFactory(operator=priced.op_a))
    start = at("2025-09-24 18:00")
    assert quote_session(other, start, kwh=D("5")).sum_of(LineKind.SURGE) == 0
    assert quote_session(priced.charger_a, start, kwh=D("5")).sum_of(LineKind.SURGE) == D("5.00")


def test_surge_notices_for_the_deg_search_at_6_15_pm(priced):
    (notice,) = surge_notices(priced.station_a, at("2025-09-24 18:15"))
    assert (notice.code, notice.kind, notice.name) == ("a-congestion", "peak", "Congestion Fee")
    assert notice.explanation == "Congestion Fee: ₹1/kWh between 6 PM - 9 PM"
    assert notice.window_text == "between 6 PM - 9 PM every day"
    assert (notice.form, notice.amount) == ("per_kwh", D("1"))


def test_surge_notices_look_one_hour_ahead_unless_told(priced):
    assert surge_notices(priced.station_a, at("2025-09-24 16:30")) == []
    assert [n.code for n in surge_notices(priced.station_a, at("2025-09-24 17:30"))] == [
        "a-congestion"
    ]
    late = surge_notices(priced.station_a, at("2025-09-24 10:00"), at("2025-09-24 18:01"))
    assert [n.code for n in late] == ["a-congestion"]
    assert surge_notices(priced.station_a, at("2025-09-24 21:00")) == []


def test_surge_notices_show_demand_surges_only_while_triggered(priced):
    SurgeFactory(
        operator=priced.op_a,
        code="busy",
        kind="demand",
        form="percent",
        amount=D("20"),
        window_start=None,
        window_end=None,
        occupancy_threshold=D("0.8"),
    )
    start = at("2025-09-24 10:00")
    assert surge_notices(priced.station_a, start) == []
    priced.charger_a.status = "Occupied"
    priced.charger_a.save()
    assert [n.code for n in surge_notices(priced.station_a, start)] == ["busy"]


def test_surge_notices_for_a_station_consider_each_charger(priced):
    SurgeFactory(
        operator=priced.op_a,
        code="fast",
        kind="fast_charging",
        amount=D("2"),
        window_start=None,
        window_end=None,
        min_power_kw=D("50"),
    )
    start = at("2025-09-24 10:00")
    assert surge_notices(priced.station_a, start) == []
    ChargerFactory(station=priced.station_a, code="a-dc-01", power_kw=D("60"))
    (notice,) = surge_notices(priced.station_a, start)
    assert notice.window_text == "all day, every day"
