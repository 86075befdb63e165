"""Every OCPI surface names a station, a charger and a tariff by one rule, the OCPI id of
its code (cpo_portal.db.values.ocpi_id_of): the Locations and Tariffs we publish, and the
CDRs we take. Run here with a shorter OCPI id, so that each surface shows it follows the
rule rather than a length of its own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cpo_portal.db import values
from roaming.services import cdr_intake
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory
from tests.pricing.factories import TariffFactory
from tests.roaming.cdr_data import cdr
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db

LENGTH = 20
STATION = "connaught-place-inner-circle"
AC, DC = "inner-circle-ac-north-01", "inner-circle-dc-north-01"  # longer than LENGTH
TARIFF = "inner-circle-evening-rate"


def test_locations_tariffs_and_cdrs_name_objects_by_the_ocpi_id_of_their_codes(
    client, ocpi, monkeypatch
):
    monkeypatch.setattr(values, "OCPI_ID_LENGTH", LENGTH)
    operator = network(stations=1)
    station = StationFactory(operator=operator, code=STATION)
    ac, dc = (ChargerFactory(station=station, code=code) for code in (AC, DC))
    for charger in (ac, dc):
        ConnectorFactory(charger=charger)
    TariffFactory(operator=operator, station=station, code=TARIFF, energy_rate_per_kwh=Decimal(20))
    _partner, token = registered_partner(operator)

    location = client.get(f"/ocpi/2.2.1/locations/{STATION[:LENGTH]}", headers=auth(token))
    data = location.json()["data"]
    assert data["id"] == STATION[:LENGTH]
    assert [evse["uid"] for evse in data["evses"]] == [AC[:LENGTH], DC[:LENGTH]]
    assert {tuple(c["tariff_ids"]) for e in data["evses"] for c in e["connectors"]} == {
        (TARIFF[:LENGTH],)
    }
    tariffs = client.get("/ocpi/2.2.1/tariffs", headers=auth(token)).json()["data"]
    assert TARIFF[:LENGTH] in [t["id"] for t in tariffs]

    sent = cdr("C1", STATION[:LENGTH], DC[:LENGTH])
    out = cdr_intake.take(operator, [(1, sent)])
    assert out.refused == []
    assert [row.charger_id for row in out.stored] == [dc.pk]
