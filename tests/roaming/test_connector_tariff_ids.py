"""A connector's tariff_ids name the tariff that prices its charger, or none: never a less
specific tariff that prices other chargers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cpo_portal.models import Charger
from pricing.engine import format_datetime
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


def test_a_tariff_that_stops_being_published_moves_the_locations_it_prices(
    client, ocpi, django_capture_on_commit_callbacks
):
    """OCPI 2.2.1 mod_locations, Location object: `last_updated` is the "Timestamp when
    this Location or one of its EVSEs or Connectors were last updated"; and
    transport_and_format, Paginated Request: `date_from` returns the objects whose
    `last_updated` is at or after it. A parking grace period given to the charger's tariff
    unpublishes it, which empties its connector's tariff_ids: a pull from before that change
    finds the Location, and finds it again when the tariff is published once more."""
    operator = network(stations=1)
    charger = Charger.objects.get(operator=operator)
    own = TariffFactory(operator=operator, charger=charger, code="cpo1-own")
    _partner, token = registered_partner(operator)

    def changed_since(moment) -> list[str]:
        query = {"date_from": format_datetime(moment)}
        response = client.get("/ocpi/2.2.1/locations", query, headers=auth(token))
        return [location["id"] for location in response.json()["data"]]

    for grace in (5, 0):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            own.idle_grace_minutes = grace
            own.save()
        assert changed_since(before) == [charger.station.code]
