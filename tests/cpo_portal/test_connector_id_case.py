"""A connector's id is an OCPI id, which roaming partners compare ignoring case: "CCS-1" and
"ccs-1" are one connector to them. No two connectors of one charger share an id ignoring
case: the admin refuses the second in words (a stored one, or one sent beside it), every
write through full_clean() does, the database does on every path, and the migration to
the rule names rows that already break it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from cpo_portal.db.validation import save_valid
from cpo_portal.models import Charger, Connector
from tests.factories import ConnectorFactory
from tests.support.admin import admin_urls

pytestmark = pytest.mark.django_db

url = admin_urls("cpo_portal")
REFUSAL = (
    "Roaming partners ignore the case of a connector id (its OCPI id), and another "
    "connector of this charger has the same id, ignoring case: choose another id."
)


def charger_post(network, code: str, *connector_ids: str, stored=()) -> dict:
    """The charger's form with `stored` connectors as they are and new ones beside them."""
    data = {
        "operator": network.op_a.pk, "station": network.station_a.pk, "code": code,
        "name": "Charger", "power_kw": "30", "power_type": "AC_3_PHASE",
        "charging_speed": "FAST", "status": "Available",
        "connectors-TOTAL_FORMS": str(len(stored) + len(connector_ids)),
        "connectors-INITIAL_FORMS": str(len(stored)),
    }  # fmt: skip
    rows = [(c.pk, c.connector_id) for c in stored] + [(None, i) for i in connector_ids]
    for n, (pk, connector_id) in enumerate(rows):
        data |= {
            f"connectors-{n}-id": pk or "", f"connectors-{n}-connector_id": connector_id,
            f"connectors-{n}-power_type": "AC_3_PHASE", f"connectors-{n}-connector_type": "CCS2",
            f"connectors-{n}-connector_format": "SOCKET",
            f"connectors-{n}-charging_speed": "FAST", f"connectors-{n}-power_kw": "30",
            f"connectors-{n}-status": "Available",
        }  # fmt: skip
    return data


def inline_errors(response) -> list[dict]:
    assert response.status_code == 200
    return response.context["inline_admin_formsets"][0].formset.errors


@pytest.mark.parametrize("new_id", ["ccs-1", "CCS-1"])
def test_the_charger_page_refuses_a_connector_id_stored_in_another_case(client, network, new_id):
    charger = network.charger_a
    stored = ConnectorFactory(charger=charger, connector_id="CCS-1")
    client.force_login(network.admin_a)
    data = charger_post(network, charger.code, new_id, stored=charger.connectors.all())
    errors = inline_errors(client.post(url("charger", "change", charger.pk), data))
    assert REFUSAL in [e for row in errors for msgs in row.values() for e in msgs]
    assert list(charger.connectors.order_by("pk")) == [charger.connectors.first(), stored]


@pytest.mark.parametrize("second", ["t2-A", "T2-a"])
def test_the_charger_page_refuses_two_new_connectors_whose_ids_differ_only_in_case(
    client, network, second
):
    """Sent together, neither stored yet (it was a 500, an IntegrityError): the second is
    refused in words, on the add page and on the change page, and nothing is stored."""
    client.force_login(network.admin_a)
    data = charger_post(network, "new", "T2-a", second)
    errors = inline_errors(client.post(url("charger", "add"), data))
    assert errors == [{}, {"connector_id": [REFUSAL]}]
    assert not Charger.objects.filter(code="new").exists()

    charger = network.charger_a
    data = charger_post(network, charger.code, "T2-a", second, stored=charger.connectors.all())
    errors = inline_errors(client.post(url("charger", "change", charger.pk), data))
    assert errors == [{}, {}, {"connector_id": [REFUSAL]}]
    assert charger.connectors.count() == 1

    data = charger_post(network, "new", "T2-a", "T2-b")
    assert client.post(url("charger", "add"), data).status_code == 302
    stored = Connector.objects.filter(charger__code="new").values_list("connector_id", flat=True)
    assert sorted(stored) == ["T2-a", "T2-b"]


def test_a_deleted_row_frees_its_id_for_a_row_sent_beside_it(client, network):
    charger = network.charger_a
    client.force_login(network.admin_a)
    data = charger_post(network, charger.code, "X-1", "x-1", stored=charger.connectors.all())
    data["connectors-1-DELETE"] = "on"
    assert client.post(url("charger", "change", charger.pk), data).status_code == 302
    assert sorted(charger.connectors.values_list("connector_id", flat=True)) == ["1", "x-1"]


def test_every_write_through_full_clean_refuses_it_and_the_database_too(network):
    charger = network.charger_a
    ConnectorFactory(charger=charger, connector_id="CCS-1")
    with pytest.raises(ValidationError) as caught:
        new = Connector(charger=charger, connector_id="ccs-1", power_type="DC",
                        connector_type="CCS2", charging_speed="FAST", power_kw=60)  # fmt: skip
        save_valid(new)
    assert caught.value.messages == [REFUSAL]
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectorFactory(charger=charger, connector_id="Ccs-1")
    ConnectorFactory(charger=network.charger_b, connector_id="ccs-1")  # another charger's: free


def test_the_migration_names_the_connectors_that_share_an_id_ignoring_case(network):
    """Rows stored before the rule are named, never renamed: partners know them by their
    ids."""
    migration = importlib.import_module("cpo_portal.migrations.0017_connector_id_ignores_case")
    check = migration.Migration.operations[0]
    with connection.cursor() as cursor:  # the rule as it was: the test's transaction undoes it
        cursor.execute("DROP INDEX connector_id_per_charger")
    first = ConnectorFactory(charger=network.charger_a, connector_id="CCS-1")
    second = ConnectorFactory(charger=network.charger_a, connector_id="ccs-1")
    ConnectorFactory(charger=network.charger_b, connector_id="CCS-1")  # another charger's
    with pytest.raises(CommandError) as caught:
        check.code(django_apps, None)
    assert str(caught.value) == (
        "Existing rows break the new value rules; fix or delete them and migrate again: "
        f"cpo_portal.Connector rows {first.pk} and {second.pk} break connector_id_per_charger."
    )
