"""A connector's id is one OCPI can carry (cpo_portal.db.values.OCPI_ID): the admin refuses
any other, naming the character, and connectors stored before that are named by the
`cpo_portal.W005` check, never renamed."""

from __future__ import annotations

import pytest

from cpo_portal.checks import check_connector_ids
from cpo_portal.models import Charger, Connector
from tests.factories import ConnectorFactory
from tests.support.admin import admin_urls

pytestmark = pytest.mark.django_db

url = admin_urls("cpo_portal")


def test_the_admin_refuses_a_connector_id_with_a_space_naming_it(client, network):
    client.force_login(network.admin_a)
    data = {
        "operator": network.op_a.pk,
        "station": network.station_a.pk,
        "code": "a-charger-02",
        "name": "Charger 2",
        "power_kw": "22",
        "power_type": "AC_3_PHASE",
        "charging_speed": "FAST",
        "status": "Available",
        "connectors-TOTAL_FORMS": "1",
        "connectors-INITIAL_FORMS": "0",
        "connectors-0-connector_id": "Type 2",
        "connectors-0-power_type": "AC_3_PHASE",
        "connectors-0-connector_type": "Type2",
        "connectors-0-connector_format": "SOCKET",
        "connectors-0-charging_speed": "FAST",
        "connectors-0-power_kw": "22",
        "connectors-0-status": "Available",
    }
    response = client.post(url("charger", "add"), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[0]["connector_id"] == [
        '"Type 2" holds a space: an OCPI id is ASCII letters, digits and '
        "-._~!$&'()*+,;=:@ only (a CiString a URL carries as it is)"
    ]
    assert not Charger.objects.filter(code="a-charger-02").exists()

    data["connectors-0-connector_id"] = "Type2-1"
    response = client.post(url("charger", "add"), data)
    assert response.status_code == 302
    assert Connector.objects.get(charger__code="a-charger-02").connector_id == "Type2-1"


def test_connectors_stored_with_ids_ocpi_cannot_carry_are_named_not_renamed(network):
    ConnectorFactory(charger=network.charger_a, connector_id="2")
    stored = ConnectorFactory(charger=network.charger_b, connector_id="2")
    Connector.objects.filter(pk=stored.pk).update(connector_id="Type 2")  # as saved before
    assert check_connector_ids(None) == []  # only with a database (migrate, --database)
    [warning] = check_connector_ids(None, databases=["default"])
    assert warning.id == "cpo_portal.W005"
    assert warning.msg == (
        "1 connector id(s) published to roaming partners in OCPI Locations are not OCPI "
        'ids: cpo-b.example charger b-charger-01: connector "Type 2" holds a space.'
    )
    stored.refresh_from_db()
    assert stored.connector_id == "Type 2"

    Connector.objects.filter(pk=stored.pk).update(connector_id="2")
    assert check_connector_ids(None, databases=["default"]) == []
