"""The connector ids we publish in OCPI Locations and the ids our CDR intake takes are held
to one rule (cpo_portal.db.values.OCPI_ID): a connector id the model takes is published,
and a CDR naming it is taken; one it refuses, a CDR could not name either."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from cpo_portal.models import Charger
from roaming.services.cdr_schema import CdrRefused, read
from tests.factories import ConnectorFactory
from tests.roaming.cdr_data import cdr, dumps
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db

LOCATIONS = "/ocpi/2.2.1/locations"
# ids of at most 16 characters (the field's length): every mark an OCPI id may hold, and
# a space, a slash, URL syntax, an escape, non-ASCII text and control characters
IDS = [
    "2", "CCS2-1", "-._~!$&'()*+,;=", ":@z", "Type 2", " 1", "A/B", "1?x=1", "#1", "%41",
    "é1", "1\n", "\t1", "1\x00",
]  # fmt: skip


def cdr_taken(location: str, evse: str, connector_id: str) -> bool:
    sent = cdr("C1", location, evse)
    sent["cdr_location"]["connector_id"] = connector_id
    try:
        read(json.loads(dumps(sent)))
    except CdrRefused:
        return False
    return True


def test_a_connector_id_is_published_when_a_cdr_naming_it_is_taken(client, ocpi):
    _partner, token = registered_partner(network(stations=1))
    charger = Charger.objects.get(code="cpo1-ch-000")
    saved = []
    for connector_id in IDS:
        connector = ConnectorFactory.build(charger=charger, connector_id=connector_id)
        try:
            connector.full_clean()
        except ValidationError:
            assert not cdr_taken("cpo1-st-000", "cpo1-ch-000", connector_id), connector_id
            continue
        connector.save()
        saved.append(connector_id)
    assert saved == ["2", "CCS2-1", "-._~!$&'()*+,;=", ":@z"]

    location = client.get(f"{LOCATIONS}/cpo1-st-000", headers=auth(token)).json()["data"]
    published = [
        (location["id"], evse["uid"], connector["id"])
        for evse in location["evses"]
        for connector in evse["connectors"]
    ]
    assert sorted(c for _, _, c in published) == sorted(["1", *saved])
    assert [p for p in published if not cdr_taken(*p)] == []
