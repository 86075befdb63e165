from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.factories import ChargerFactory, OperatorFactory, StationFactory

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


def test_gps_out_of_range_is_refused_with_a_clear_message():
    station = StationFactory.build(
        operator=OperatorFactory(), latitude=Decimal("91"), longitude=Decimal("181")
    )
    errors = errors_of(station)
    assert "latitude" in errors and "longitude" in errors


def test_power_rating_must_be_positive():
    charger = ChargerFactory.build(station=StationFactory(), power_kw=Decimal("0"))
    charger.operator = charger.station.operator
    assert errors_of(charger)["power_kw"] == ["Power rating must be positive."]


def test_time_zone_must_be_iana():
    station = StationFactory.build(operator=OperatorFactory(), time_zone="India/Delhi")
    assert "IANA" in errors_of(station)["time_zone"][0]


def test_charger_codes_are_unique_per_operator_not_globally():
    first = ChargerFactory(code="pe-charging-01")
    ChargerFactory(code="pe-charging-01")  # another operator may reuse the code
    with pytest.raises(IntegrityError):
        ChargerFactory(code="pe-charging-01", station=StationFactory(operator=first.operator))


def test_charger_station_must_belong_to_the_chargers_operator():
    charger = ChargerFactory()
    charger.station = StationFactory()  # another operator's station
    assert errors_of(charger)["station"] == ["The station belongs to another operator."]


def test_charger_takes_its_operator_from_its_station():
    station = StationFactory()
    charger = ChargerFactory.build(station=station, operator=None)
    charger.save()
    assert charger.operator_id == station.operator_id


def test_a_station_cannot_move_to_another_operator():
    charger = ChargerFactory()
    station = charger.station
    station.operator = OperatorFactory()
    assert errors_of(station)["operator"] == [
        "A station cannot move to another operator; add it there anew."
    ]
    station.refresh_from_db()
    station.name = "Renamed"
    station.full_clean()  # an edit that keeps the operator passes
