"""OCPI ids are CiStrings, compared ignoring case: a partner that names our station "ST-1"
as "st-1" names the same station. The CDRs we take, and the Locations and Tariffs a partner
asks for by id, match our codes ignoring case (cpo_portal.db.values.ocpi_key)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from roaming.services import cdr_intake, published_tariffs
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory
from tests.pricing.factories import TariffFactory
from tests.roaming.cdr_data import cdr
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(ocpi):
    operator = network(stations=0)
    charger = ChargerFactory(station=StationFactory(operator=operator, code="ST-1"), code="Ev-1")
    ConnectorFactory(charger=charger)
    return operator


def test_a_cdr_naming_our_station_and_charger_in_another_case_is_matched(operator):
    out = cdr_intake.take(operator, [(1, cdr("C1", "st-1", "EV-1"))])
    assert out.refused == []
    assert [(row.station.code, row.charger.code) for row in out.stored] == [("ST-1", "Ev-1")]


def test_a_partner_asking_for_a_location_or_tariff_in_another_case_gets_ours(client, operator):
    TariffFactory(
        operator=operator,
        station=operator.stations.get(),
        code="Peak-Evening",
        energy_rate_per_kwh=Decimal(20),
    )
    _partner, token = registered_partner(operator)
    location = client.get("/ocpi/2.2.1/locations/st-1", headers=auth(token))
    assert location.status_code == 200
    assert location.json()["data"]["id"] == "ST-1"
    evse = client.get("/ocpi/2.2.1/locations/st-1/EV-1", headers=auth(token))
    assert evse.status_code == 200
    assert evse.json()["data"]["uid"] == "Ev-1"
    assert published_tariffs.find(operator.pk, "PEAK-EVENING").code == "Peak-Evening"


def test_a_connector_asked_for_in_another_case_is_ours(client, operator):
    """A connector's id is a CiString(36) too: "CCS-a" asked for as "ccs-A" was a 404
    (Unknown connector). Connector ids are unique per charger ignoring case, so the id
    names one connector in any case."""
    charger = operator.stations.get().chargers.get()
    ConnectorFactory(charger=charger, connector_id="CCS-a")
    ConnectorFactory(charger=charger, connector_id="T2-b")
    _partner, token = registered_partner(operator)

    def connector(asked: str):
        reply = client.get(f"/ocpi/2.2.1/locations/st-1/ev-1/{asked}", headers=auth(token))
        return reply.status_code, reply.json().get("data", {}).get("id")

    assert connector("t2-B") == (200, "T2-b")
    assert connector("ccs-A") == (200, "CCS-a")
    assert connector("CCS-a") == (200, "CCS-a")
    assert connector("T2-c") == (404, None)
