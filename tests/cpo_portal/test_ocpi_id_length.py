"""A station's and a charger's code may be 64 characters long, but OCPI publishes its first
36 (cpo_portal.db.values.ocpi_id_of): two codes of one operator that share them would be
one Location or EVSE to roaming partners. The admin refuses the second in words, the
database refuses it on every path, and a migration names rows that already do."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.core.management.base import CommandError
from django.db import IntegrityError, migrations, models, transaction
from django.db.models.functions import Left

from cpo_portal.db.migration_checks import refuse_rows_breaking
from cpo_portal.models import Charger, Station
from tests.factories import ChargerFactory, StationFactory
from tests.support.admin import admin_urls

pytestmark = pytest.mark.django_db

url = admin_urls("cpo_portal")
SHARED = "delhi-connaught-place-inner-circle-a"  # 36 characters
assert len(SHARED) == 36


def refusal(what: str, id_name: str) -> str:
    return (
        f"Roaming partners see only a code's first 36 characters (its OCPI {id_name}) and "
        f"ignore their case, and another {what} of this operator has a code with the same "
        "first 36 characters, ignoring case: change this code within its first 36."
    )


def station_post(operator, code: str) -> dict:
    return {
        "operator": operator.pk, "code": code, "name": "Inner circle B",
        "address": "Connaught Place", "city": "New Delhi", "city_code": "std:011",
        "region_code": "DL", "latitude": "28.63", "longitude": "77.22",
        "time_zone": "Asia/Kolkata", "site_kind": "urban", "status": "active",
        "chargers-TOTAL_FORMS": "0", "chargers-INITIAL_FORMS": "0",
    }  # fmt: skip


def charger_post(station, code: str) -> dict:
    return {
        "operator": station.operator_id, "station": station.pk, "code": code,
        "name": "Charger", "power_kw": "30", "power_type": "AC_3_PHASE",
        "charging_speed": "FAST", "status": "Available",
        "connectors-TOTAL_FORMS": "0", "connectors-INITIAL_FORMS": "0",
    }  # fmt: skip


def test_the_admin_refuses_a_station_whose_code_shares_its_first_36_characters(client, network):
    StationFactory(operator=network.op_a, code=f"{SHARED}-1")
    client.force_login(network.admin_a)
    response = client.post(url("station", "add"), station_post(network.op_a, f"{SHARED}-2"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [refusal("station", "location id")]
    assert not Station.objects.filter(code=f"{SHARED}-2").exists()

    response = client.post(url("station", "add"), station_post(network.op_a, f"{SHARED[:-1]}-2"))
    assert response.status_code == 302  # differs within the first 36: stored


def test_the_admin_refuses_a_charger_whose_code_shares_its_first_36_characters(client, network):
    ChargerFactory(station=network.station_a, code=f"{SHARED}-1")
    other_station = StationFactory(operator=network.op_a)
    client.force_login(network.admin_a)
    response = client.post(url("charger", "add"), charger_post(other_station, f"{SHARED}-2"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [refusal("charger", "EVSE uid")]
    assert not Charger.objects.filter(code=f"{SHARED}-2").exists()

    # Another operator's charger is another party's EVSE: its code is free.
    ChargerFactory(station=network.station_b, code=f"{SHARED}-2")


def test_the_admin_refuses_codes_that_differ_only_in_case(client, network):
    """OCPI ids are CiStrings: "ST-1" and "st-1" are one location (one EVSE) to a partner."""
    StationFactory(operator=network.op_a, code="Delhi-CP-1")
    ChargerFactory(station=network.station_a, code="Delhi-EV-1")
    client.force_login(network.admin_a)
    response = client.post(url("station", "add"), station_post(network.op_a, "delhi-cp-1"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        refusal("station", "location id")
    ]
    other_station = StationFactory(operator=network.op_a)
    response = client.post(url("charger", "add"), charger_post(other_station, "DELHI-EV-1"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [refusal("charger", "EVSE uid")]
    assert not Station.objects.filter(code="delhi-cp-1").exists()
    assert not Charger.objects.filter(code="DELHI-EV-1").exists()


def test_codes_differing_only_in_case_cannot_both_be_stored(network):
    """Saved without full_clean(), the database refuses them."""
    StationFactory(operator=network.op_a, code="Delhi-CP-1")
    ChargerFactory(station=network.station_a, code="Delhi-EV-1")
    for factory, code, where in (
        (StationFactory, "DELHI-cp-1", {"operator": network.op_a}),
        (ChargerFactory, "delhi-ev-1", {"station": network.station_a}),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            factory(code=code, **where)


def test_codes_differing_only_after_36_characters_cannot_both_be_stored(network):
    """Saved without full_clean() (factories save directly), the database refuses them."""
    StationFactory(operator=network.op_a, code=f"{SHARED}-1")
    ChargerFactory(station=network.station_a, code=f"{SHARED}-1")
    for factory, where in (
        (StationFactory, {"operator": network.op_a}),
        (ChargerFactory, {"station": network.station_a}),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            factory(code=f"{SHARED}-2", **where)


def test_a_migration_names_the_rows_that_share_a_unique_value(network):
    """The step migrations run before adding a constraint names the rows that break a
    unique one, by the value they share, instead of failing inside the database."""
    StationFactory(operator=network.op_a, code="a-station-2")
    StationFactory(operator=network.op_b, code="a-station-3")  # another operator: no clash
    rows = dict(Station.objects.values_list("code", "pk"))
    short = models.UniqueConstraint("operator", Left("code", 3), name="short")
    step = refuse_rows_breaking("cpo_portal", [migrations.AddConstraint("station", short)])
    with pytest.raises(CommandError) as caught:
        step.code(django_apps, None)
    assert str(caught.value) == (
        "Existing rows break the new value rules; fix or delete them and migrate again: "
        f"cpo_portal.Station rows {rows['a-station']} and {rows['a-station-2']} break short."
    )


@pytest.mark.parametrize("code", [f"{SHARED}-2", "a-charger-01", "A-Charger-01"])
def test_the_station_page_refuses_a_charger_whose_code_clashes_in_words(client, network, code):
    """The station's chargers on its page have no operator field: their codes are checked
    against the operator's other chargers all the same, never a 500."""
    ChargerFactory(station=StationFactory(operator=network.op_a), code=f"{SHARED}-1")
    station = network.station_a
    data = station_post(network.op_a, station.code) | {
        "chargers-TOTAL_FORMS": "2", "chargers-INITIAL_FORMS": "1",
        "chargers-0-id": network.charger_a.pk, "chargers-0-station": station.pk,
        "chargers-0-code": "a-charger-01", "chargers-0-name": "Charger",
        "chargers-0-power_kw": "30", "chargers-0-power_type": "AC_3_PHASE",
        "chargers-0-charging_speed": "FAST", "chargers-0-status": "Available",
        "chargers-1-station": station.pk, "chargers-1-code": code, "chargers-1-name": "New",
        "chargers-1-power_kw": "60", "chargers-1-power_type": "DC",
        "chargers-1-charging_speed": "FAST", "chargers-1-status": "Available",
    }  # fmt: skip
    client.force_login(network.admin_a)
    response = client.post(url("station", "change", station.pk), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert refusal("charger", "EVSE uid") in errors[1]["__all__"]
    assert Charger.objects.filter(station=station).count() == 1


@pytest.mark.parametrize("second", [f"{SHARED}-2", f"{SHARED.upper()}-1"])
def test_the_station_page_refuses_two_new_chargers_that_clash_with_each_other(
    client, network, second
):
    """Two rows sent together whose codes share their first 36 characters (ignoring case),
    and no stored charger's: the second is refused in words, nothing is stored (it was a
    500)."""
    station = network.station_a

    def row(n: int, code: str) -> dict:
        return {
            f"chargers-{n}-station": station.pk, f"chargers-{n}-code": code,
            f"chargers-{n}-name": f"New {n}", f"chargers-{n}-power_kw": "60",
            f"chargers-{n}-power_type": "DC", f"chargers-{n}-charging_speed": "FAST",
            f"chargers-{n}-status": "Available",
        }  # fmt: skip

    data = station_post(network.op_a, station.code) | {
        "chargers-TOTAL_FORMS": "3", "chargers-INITIAL_FORMS": "1",
        "chargers-0-id": network.charger_a.pk, "chargers-0-station": station.pk,
        "chargers-0-code": "a-charger-01", "chargers-0-name": "Charger",
        "chargers-0-power_kw": "30", "chargers-0-power_type": "AC_3_PHASE",
        "chargers-0-charging_speed": "FAST", "chargers-0-status": "Available",
    } | row(1, f"{SHARED}-1") | row(2, second)  # fmt: skip
    client.force_login(network.admin_a)
    response = client.post(url("station", "change", station.pk), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[1] == {}
    assert errors[2] == {"code": [refusal("charger", "EVSE uid")]}
    assert Charger.objects.filter(station=station).count() == 1
