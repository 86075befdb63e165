"""A connector's tariff_ids name the tariff that prices its charger, or none: never a less
specific tariff that prices other chargers."""

from __future__ import annotations

import pytest

from cpo_portal.models import Charger
from pricing.services import tariff_for
from tests.pricing.factories import TariffFactory
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db


def connector_tariff_ids(client, token: str, charger: Charger) -> list[str]:
    url = f"/ocpi/2.2.1/locations/{charger.station.code}/{charger.code}"
    response = client.get(url, headers=auth(token))
    assert response.status_code == 200, response.content
    return response.json()["data"]["connectors"][0]["tariff_ids"]


def test_a_charger_priced_by_a_tariff_we_cannot_publish_names_no_tariff(client, ocpi):
    """OCPI 2.2.1 mod_locations, Connector object: `tariff_ids` are the "Identifiers of the
    currently valid charging tariffs". The charger's own tariff has a parking grace period,
    which OCPI cannot say, so it is not published; the operator's default tariff (published)
    does not price this charger and must not be named in its place."""
    operator = network(stations=1)
    charger = Charger.objects.get(operator=operator)
    own = TariffFactory(operator=operator, charger=charger, code="cpo1-grace", idle_grace_minutes=5)
    assert tariff_for(charger) == own  # what quotes bill this charger by
    _partner, token = registered_partner(operator)

    assert connector_tariff_ids(client, token, charger) == []

    own.idle_grace_minutes = 0  # publishable: now it is named
    own.save()
    assert connector_tariff_ids(client, token, charger) == ["cpo1-grace"]
