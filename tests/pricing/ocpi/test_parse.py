"""parse_tariff refuses bad OCPI input with the path of the field; tariff_to_json round-trips."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from pricing.engine.ocpi import (
    DayOfWeek,
    OcpiTariffError,
    PriceComponent,
    ReservationRestrictionType,
    TariffDimensionType,
    TariffElement,
    TariffType,
    parse_tariff,
    tariff_to_json,
)

FULL: dict[str, Any] = {  # every field of the Tariff object, in spec order
    "country_code": "DE",
    "party_id": "ALL",
    "id": "14",
    "currency": "EUR",
    "type": "REGULAR",
    "tariff_alt_text": [{"language": "en", "text": "Start fee plus time."}],
    "tariff_alt_url": "https://company.com/tariffs/14",
    "min_price": {"excl_vat": 0.5, "incl_vat": 0.55},
    "max_price": {"excl_vat": 10},
    "elements": [
        {"price_components": [{"type": "FLAT", "price": 2.5, "vat": 15.0, "step_size": 1}]},
        {
            "price_components": [
                {"type": "TIME", "price": 2, "vat": 20, "step_size": 600},
                {"type": "ENERGY", "price": 0.1, "step_size": 1},
            ],
            "restrictions": {
                "start_time": "09:00",
                "end_time": "18:00",
                "start_date": "2019-01-01",
                "end_date": "2020-01-01",
                "min_kwh": 0.5,
                "max_kwh": 50,
                "min_current": 6,
                "max_current": 32.5,
                "min_power": 1.5,
                "max_power": 22,
                "min_duration": 0,
                "max_duration": 3600,
                "day_of_week": ["MONDAY", "SATURDAY"],
            },
        },
        {
            "price_components": [{"type": "TIME", "price": 5, "vat": 20, "step_size": 60}],
            "restrictions": {"reservation": "RESERVATION"},
        },
    ],
    "start_date_time": "2019-01-01T00:00:00Z",
    "end_date_time": "2019-06-30T23:59:59Z",
    "energy_mix": {"is_green_energy": True, "supplier_name": "Green"},
    "last_updated": "2018-12-17T17:15:01Z",
}


def test_full_tariff_parses_to_typed_values():
    t = parse_tariff(FULL)
    assert t.type is TariffType.REGULAR
    assert t.min_price is not None and t.min_price.incl_vat == Decimal("0.55")
    assert t.max_price is not None and t.max_price.incl_vat is None
    r = t.elements[1].restrictions
    assert r is not None
    assert (r.start_time, r.end_date) == (dt.time(9), dt.date(2020, 1, 1))
    assert r.day_of_week == (DayOfWeek.MONDAY, DayOfWeek.SATURDAY)
    assert (r.max_current, r.max_duration) == (Decimal("32.5"), 3600)
    assert t.elements[1].component(TariffDimensionType.ENERGY).vat is None  # type: ignore[union-attr]
    assert t.elements[2].reservation is ReservationRestrictionType.RESERVATION
    assert t.end_date_time == dt.datetime(2019, 6, 30, 23, 59, 59, tzinfo=dt.UTC)


def test_to_json_gives_back_the_same_json_and_the_same_tariff():
    t = parse_tariff(FULL)
    out = tariff_to_json(t)
    assert out == FULL
    assert parse_tariff(json.loads(json.dumps(out))) == t


def test_decimal_numbers_from_json_loads_are_accepted():
    text = json.dumps(FULL)
    assert parse_tariff(json.loads(text, parse_float=Decimal)) == parse_tariff(FULL)


def test_timestamps_without_designator_are_utc():
    data = {
        **FULL,
        "last_updated": "2018-12-17T17:15:01",
        "start_date_time": "2019-01-01T02:00:00+02:00",
    }
    t = parse_tariff(data)
    assert t.last_updated == dt.datetime(2018, 12, 17, 17, 15, 1, tzinfo=dt.UTC)
    assert t.start_date_time == dt.datetime(2019, 1, 1, tzinfo=dt.UTC)


def broken(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


COMPONENT = ["elements", 1, "price_components", 0]
RESTRICTIONS = ["elements", 1, "restrictions"]


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    [
        (
            [*COMPONENT, "type"],
            "KWH",
            "elements[1].price_components[0].type",
            "unknown value 'KWH'",
        ),
        ([*COMPONENT, "price"], -0.25, "elements[1].price_components[0].price", "must be >= 0"),
        (
            [*COMPONENT, "price"],
            "0.25",
            "elements[1].price_components[0].price",
            "expected a number",
        ),
        ([*COMPONENT, "price"], True, "elements[1].price_components[0].price", "expected a number"),
        ([*COMPONENT, "price"], float("nan"), "elements[1].price_components[0].price", "finite"),
        ([*COMPONENT, "vat"], -1, "elements[1].price_components[0].vat", "must be >= 0"),
        (
            [*COMPONENT, "step_size"],
            KeyError,
            "elements[1].price_components[0].step_size",
            "required",
        ),
        ([*COMPONENT, "step_size"], 1.5, "elements[1].price_components[0].step_size", "integer"),
        ([*RESTRICTIONS, "start_time"], "9:00", "elements[1].restrictions.start_time", "'HH:MM'"),
        ([*RESTRICTIONS, "end_time"], "24:00", "elements[1].restrictions.end_time", "'HH:MM'"),
        ([*RESTRICTIONS, "end_time"], "12:60", "elements[1].restrictions.end_time", "'HH:MM'"),
        (
            [*RESTRICTIONS, "start_date"],
            "2019/01/01",
            "elements[1].restrictions.start_date",
            "date",
        ),
        (
            [*RESTRICTIONS, "start_date"],
            "2019-02-30",
            "elements[1].restrictions.start_date",
            "no such date",
        ),
        (
            [*RESTRICTIONS, "day_of_week"],
            ["MON"],
            "elements[1].restrictions.day_of_week[0]",
            "MONDAY",
        ),
        (
            [*RESTRICTIONS, "day_of_week"],
            ["MONDAY", "MONDAY"],
            "elements[1].restrictions.day_of_week",
            "twice",
        ),
        (
            [*RESTRICTIONS, "min_kwh"],
            60,
            "elements[1].restrictions.max_kwh",
            "greater than min_kwh",
        ),
        ([*RESTRICTIONS, "min_duration"], -5, "elements[1].restrictions.min_duration", ">= 0"),
        (
            [*RESTRICTIONS, "reservation"],
            "LATER",
            "elements[1].restrictions.reservation",
            "RESERVATION",
        ),
        ([*RESTRICTIONS, "max_kwhs"], 5, "elements[1].restrictions.max_kwhs", "unknown field"),
        (
            ["elements", 0, "tariff_restrictions"],
            {},
            "elements[0].tariff_restrictions",
            "unknown field",
        ),
        (["elements", 0, "price_components"], [], "elements[0].price_components", "at least one"),
        (["elements"], [], "elements", "at least one"),
        (["currency"], "eur", "currency", "ISO-4217"),
        (["country_code"], "DEU", "country_code", "longer than 2"),
        (["id"], KeyError, "id", "required"),
        (["last_updated"], "yesterday", "last_updated", "RFC 3339"),
        (["min_price", "excl_vat"], 11, "min_price.excl_vat", "above max_price"),
        (["end_date_time"], "2018-01-01T00:00:00Z", "end_date_time", "after start_date_time"),
        (["tax_included"], "NO", "tax_included", "not in OCPI 2.2.1"),
    ],
)
def test_bad_input_names_the_field(path: list[Any], value: Any, where: str, message: str):
    with pytest.raises(OcpiTariffError, match=message) as caught:
        parse_tariff(broken(path, value))
    assert caught.value.path == where
    assert str(caught.value).startswith(f"{where}: ")


def test_two_components_of_one_dimension_in_an_element_are_refused():
    data = copy.deepcopy(FULL)
    data["elements"][0]["price_components"].append({"type": "FLAT", "price": 1, "step_size": 1})
    with pytest.raises(OcpiTariffError, match="a second FLAT component") as caught:
        parse_tariff(data)
    assert caught.value.path == "elements[0].price_components[1].type"


def test_reservation_elements_price_only_flat_and_time():
    data = broken(["elements", 2, "price_components", 0, "type"], "ENERGY")
    with pytest.raises(OcpiTariffError, match="only have FLAT and TIME"):
        parse_tariff(data)


def test_to_json_refuses_numbers_a_json_double_would_change():
    t = parse_tariff(FULL)
    precise = PriceComponent(TariffDimensionType.FLAT, Decimal("0.12345678901234567"), 1)
    t = dataclasses.replace(t, elements=(TariffElement((precise,)),))
    with pytest.raises(OcpiTariffError, match="more digits") as caught:
        tariff_to_json(t)
    assert caught.value.path == "elements[0].price_components[0].price"
