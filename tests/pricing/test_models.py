"""Model validation: clear messages for every bad value, constraints as a backstop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pricing.models import SurgeRule, Tariff, TariffBand
from tests.factories import ChargerFactory, StationFactory
from tests.pricing.factories import SurgeFactory, TariffFactory

pytestmark = pytest.mark.django_db
D = Decimal


def errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


def tariff(op, **fields) -> Tariff:
    base = {"operator": op, "code": "t1", "name": "T", "energy_rate_per_kwh": D("18")}
    return Tariff(**{**base, **fields})


def test_a_valid_tariff_passes(network):
    tariff(network.op_a, active=False).full_clean()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"energy_rate_per_kwh": D("-1")}, "energy_rate_per_kwh", "Must not be negative."),
        ({"service_fee": D("-0.01")}, "service_fee", "Must not be negative."),
        ({"idle_fee_per_minute": D("-2")}, "idle_fee_per_minute", "Must not be negative."),
        ({"tax_rate": D("18")}, "tax_rate", "GST must be between 0% and 100%."),
        (
            {"min_price": D("50"), "max_price": D("40")},
            "max_price",
            "The maximum session price is below the minimum.",
        ),
        (
            {"max_price": D("0")},
            "max_price",
            "A maximum session price of 0 makes every session free: leave it empty for no maximum.",
        ),
        (
            {"min_price": D("0"), "max_price": D("0.00")},
            "max_price",
            "A maximum session price of 0 makes every session free: leave it empty for no maximum.",
        ),
        (
            {"currency": "inr"},
            "currency",
            "'inr' is not an ISO 4217 currency code; use one like INR.",
        ),
        (
            {"currency": "ZZZ"},
            "currency",
            "'ZZZ' is not an ISO 4217 currency code; use one like INR.",
        ),
        ({"tax_rate": D("1.0001")}, "tax_rate", "GST must be between 0% and 100%."),
        (
            {"energy_rate_per_kwh": D("10000.0001")},
            "energy_rate_per_kwh",
            "At most 10000 per unit.",
        ),
        ({"service_fee": D("10000000.01")}, "service_fee", "At most 10000000."),
        (
            {"code": "no spaces"},
            "code",
            "Use letters, digits, dots, hyphens and underscores (like peak-evening).",
        ),
    ],
)
def test_tariff_field_errors(network, fields, field, message):
    assert message in errors(tariff(network.op_a, **fields))[field]


def test_tariff_station_and_charger_must_be_the_operators(network):
    found = errors(tariff(network.op_a, station=network.station_b))
    assert found["station"] == ["The station belongs to another operator."]
    found = errors(tariff(network.op_a, charger=network.charger_b))
    assert found["charger"] == ["The charger belongs to another operator."]
    found = errors(tariff(network.op_a, station=network.station_a, charger=network.charger_a))
    assert found["charger"] == ["Choose a station or a charger, not both."]


def test_one_active_tariff_per_scope(network):
    TariffFactory(operator=network.op_a, code="first", name="First")
    found = errors(tariff(network.op_a))
    assert found["active"] == [
        "First (first) is already the active tariff for this operator default: deactivate it first."
    ]
    tariff(network.op_a, active=False).full_clean()
    tariff(network.op_a, station=network.station_a).full_clean()  # another scope
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffFactory(operator=network.op_a, code="second")


def test_station_and_charger_scopes_have_one_active_tariff_each(network):
    TariffFactory(operator=network.op_a, station=network.station_a)
    TariffFactory(operator=network.op_a, charger=network.charger_a)
    assert "active" in errors(tariff(network.op_a, station=network.station_a))
    assert "active" in errors(tariff(network.op_a, charger=network.charger_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffFactory(operator=network.op_a, charger=network.charger_a)


def test_band_validation(network):
    t = TariffFactory(operator=network.op_a)
    band = TariffBand(
        tariff=t,
        code="base",
        label="x",
        start=dt.time(1),
        end=dt.time(2),
        days=[0],
        rate_per_kwh=D("-1"),
    )
    found = errors(band)
    assert found["code"] == ["'base' is reserved for the default rate."]
    assert found["rate_per_kwh"] == ["Must not be negative."]
    band = TariffBand(
        tariff=t,
        code="n",
        label="x",
        start=dt.time(1),
        end=dt.time(2),
        days=[],
        rate_per_kwh=D("1"),
    )
    assert errors(band)["days"] == ["Pick at least one day of the week."]
    band.days = [0, 7]
    assert errors(band)["days"] == ["Days must be a list of weekday numbers 0 (Mon) to 6 (Sun)."]
    band.days = [3, 1, 3]
    assert errors(band)["days"] == ["A day of the week is listed twice."]
    band.days = [3, 1]
    band.full_clean()
    band.save()
    band.refresh_from_db()
    assert band.days == [1, 3]


def surge(op, **fields) -> SurgeRule:
    base = {
        "operator": op,
        "code": "s1",
        "kind": "peak",
        "name": "Fee",
        "note": "Fee",
        "form": "per_kwh",
        "amount": D("1"),
    }
    return SurgeRule(**{**base, **fields})


def test_a_valid_surge_passes(network):
    surge(network.op_a, window_start=dt.time(18), window_end=dt.time(21)).full_clean()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": D("-1")}, "amount", "Must not be negative."),
        (
            {"form": "percent", "amount": D("120")},
            "amount",
            "A percentage surge cannot exceed 100%.",
        ),
        (
            {"window_start": dt.time(18)},
            "window_end",
            "Give both a local start and end, or neither (all day).",
        ),
        (
            {
                "valid_from": dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
                "valid_until": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            },
            "valid_until",
            "Valid until must be after valid from.",
        ),
        (
            {
                "effective_from": dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
                "valid_until": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            },
            "effective_from",
            "The rule would end before it takes effect.",
        ),
        (
            {"occupancy_threshold": D("1.5")},
            "occupancy_threshold",
            "Occupancy threshold must be between 0% and 100%.",
        ),
        (
            {"kind": "demand"},
            "occupancy_threshold",
            "A demand surge needs a trigger: an occupancy threshold or grid stress.",
        ),
        (
            {"kind": "holiday"},
            "holidays_only",
            "A holiday surge applies on holidays only: tick this.",
        ),
        (
            {"kind": "fast_charging"},
            "min_power_kw",
            "A fast-charging premium needs a minimum power or charging speeds.",
        ),
        ({"window_days": []}, "window_days", "Pick at least one day of the week."),
        ({"site_kinds": ["moon"]}, "site_kinds", "Unknown value(s): moon."),
        ({"charging_speeds": ["WARP"]}, "charging_speeds", "Unknown value(s): WARP."),
        ({"region_codes": "DL"}, "region_codes", "Give a list of codes (text)."),
        ({"cap_per_session": D("-5")}, "cap_per_session", "Must not be negative."),
        (
            {"form": "flat", "amount": D("10.555")},
            "amount",
            "A flat surge is an amount of money: at most 2 decimal places.",
        ),
        (
            {"form": "percent", "amount": D("12.345")},
            "amount",
            "A percentage surge takes at most 2 decimal places (12.25%).",
        ),
        (
            {"valid_from": dt.datetime(1, 1, 2, tzinfo=dt.UTC)},
            "valid_from",
            "Give a date from 2000-01-01 to 2099-12-31.",
        ),
    ],
)
def test_surge_field_errors(network, fields, field, message):
    assert message in errors(surge(network.op_a, **fields))[field]


def test_a_rate_past_the_column_s_decimals_is_told_once(network):
    assert errors(surge(network.op_a, amount=D("1.23456")))["amount"] == [
        "Ensure that there are no more than 4 decimal places."
    ]


def test_surge_triggers_make_their_kinds_valid(network):
    surge(network.op_a, form="flat", amount=D("10.50")).full_clean()
    surge(network.op_a, form="per_kwh", amount=D("1.005")).full_clean()  # a rate: sub-paisa
    surge(network.op_a, form="percent", amount=D("12.25")).full_clean()
    surge(network.op_a, kind="demand", on_grid_stress=True).full_clean()
    surge(network.op_a, kind="demand", occupancy_threshold=D("0.8")).full_clean()
    surge(network.op_a, kind="holiday", holidays_only=True).full_clean()
    surge(network.op_a, kind="fast_charging", charging_speeds=["FAST"]).full_clean()


def test_surge_stations_must_be_the_operators_on_every_path(network):
    rule = SurgeFactory(operator=network.op_a)
    with pytest.raises(ValidationError, match="its own operator's stations"), transaction.atomic():
        rule.stations.add(network.station_b)
    with pytest.raises(ValidationError, match="its own operator's stations"), transaction.atomic():
        network.station_b.surge_rules.add(rule)
    rule.stations.add(network.station_a)
    assert list(rule.stations.all()) == [network.station_a]


def test_surge_codes_are_unique_per_operator(network):
    SurgeFactory(operator=network.op_a, code="same")
    SurgeFactory(operator=network.op_b, code="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        SurgeFactory(operator=network.op_a, code="same")


def test_grid_signal_validation(network):
    from pricing.models import GridSignal

    signal = GridSignal(operator=network.op_a, station=network.station_b)
    with pytest.raises(ValidationError, match="another operator"):
        signal.full_clean()
    signal = GridSignal(
        operator=network.op_a,
        raised_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
        cleared_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(ValidationError, match="cleared after it is raised"):
        signal.full_clean()


def test_scope_labels(network):
    assert TariffFactory(operator=network.op_a).scope_label == "operator default"
    station = StationFactory(operator=network.op_a, code="st-x")
    assert TariffFactory(operator=network.op_a, station=station).scope_label == "station st-x"
    charger = ChargerFactory(station=station, code="ch-x")
    assert TariffFactory(operator=network.op_a, charger=charger).scope_label == "charger ch-x"
