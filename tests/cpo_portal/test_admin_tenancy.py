"""Staff of one operator never see, pick, change or infer another operator's data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpo_portal.models import Charger, Holiday, Station
from tests.support.admin import admin_urls

pytestmark = pytest.mark.django_db


url = admin_urls("cpo_portal")


@pytest.fixture
def as_admin_a(client, network):
    client.force_login(network.admin_a)
    return client


def test_change_list_shows_only_own_stations(as_admin_a, network):
    page = as_admin_a.get(url("station", "changelist")).content.decode()
    assert network.station_a.name in page
    assert network.station_b.name not in page


def test_other_operators_change_form_and_history_are_unreachable(as_admin_a, network):
    for page in ("change", "history", "delete"):
        response = as_admin_a.get(url("station", page, network.station_b.pk), follow=True)
        assert network.station_b.name not in response.content.decode(), page
        assert response.redirect_chain or response.status_code in (403, 404), page


def test_foreign_key_choices_list_only_own_objects(as_admin_a, network):
    page = as_admin_a.get(url("charger", "add")).content.decode()
    assert f'value="{network.station_a.pk}"' in page or "autocomplete" in page
    assert f'value="{network.op_a.pk}" selected' in page  # operator preselected
    assert f'value="{network.op_b.pk}"' not in page
    assert f'value="{network.station_b.pk}"' not in page


def test_forged_post_with_another_operators_station_is_refused(as_admin_a, network):
    data = {
        "operator": network.op_a.pk,
        "station": network.station_b.pk,
        "code": "forged-01",
        "name": "Forged",
        "power_kw": "30",
        "power_type": "AC_3_PHASE",
        "charging_speed": "FAST",
        "status": "Available",
        "connectors-TOTAL_FORMS": "0",
        "connectors-INITIAL_FORMS": "0",
    }
    response = as_admin_a.post(url("charger", "add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Charger.objects.filter(code="forged-01").exists()

    data["operator"] = network.op_b.pk
    data["station"] = network.station_a.pk
    as_admin_a.post(url("charger", "add"), data)
    assert not Charger.objects.filter(code="forged-01").exists()


def test_forged_edit_of_another_operators_object_changes_nothing(as_admin_a, network):
    station = network.station_b
    as_admin_a.post(url("station", "change", station.pk), {"name": "Hijacked"})
    station.refresh_from_db()
    assert station.name == "Station of B"


def test_autocomplete_returns_only_own_stations(as_admin_a, network):
    response = as_admin_a.get(
        reverse("admin:autocomplete"),
        {"app_label": "cpo_portal", "model_name": "charger", "field_name": "station", "term": ""},
    )
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {str(network.station_a.pk)}


def test_raw_id_popup_lists_only_own_objects(as_admin_a, network):
    page = as_admin_a.get(
        url("station", "changelist"), {"_to_field": "id", "_popup": "1"}
    ).content.decode()
    assert network.station_a.name in page and network.station_b.name not in page


def test_list_filters_offer_only_own_related_objects(client, as_admin_a, network):
    page = as_admin_a.get(url("charger", "changelist")).content.decode()
    assert network.op_b.name not in page
    # The same filter does list both operators for a superuser: it is scoped, not absent.
    client.force_login(network.superuser)
    page = client.get(url("charger", "changelist")).content.decode()
    assert f"operator__id__exact={network.op_b.pk}" in page


@pytest.mark.parametrize("changelist", ["offers_redemption", "offers_codebatch"])
def test_filters_of_any_tenant_admin_list_only_own_operators(client, network, changelist):
    """The ledger's admin is not a TenantAdmin, and code batches filter along a path
    (offer__operator): both once listed every operator's name to every operator's staff."""
    client.force_login(network.analyst_a)
    page = client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
    assert network.op_b.name not in page
    client.force_login(network.superuser)
    page = client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
    assert network.op_b.name in page  # scoped, not absent: a superuser sees every operator


def test_bulk_delete_with_foreign_ids_deletes_nothing_of_theirs(as_admin_a, network):
    as_admin_a.post(
        url("station", "changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [network.station_b.pk, network.station_a.pk],
        },
    )
    assert Station.objects.filter(pk=network.station_b.pk).exists()
    assert not Station.objects.filter(pk=network.station_a.pk).exists()


def test_csv_export_contains_only_own_rows(as_admin_a, network):
    response = as_admin_a.post(
        url("station", "changelist"),
        {
            "action": "export_csv",
            "_selected_action": [network.station_a.pk, network.station_b.pk],
        },
    )
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert network.station_a.code in body and network.station_b.code not in body


def test_history_page_shows_own_changes(as_admin_a, network):
    as_admin_a.post(
        url("station", "change", network.station_a.pk),
        {
            **{
                f: getattr(network.station_a, f)
                for f in (
                    "operator_id",
                    "code",
                    "name",
                    "address",
                    "city",
                    "city_code",
                    "region_code",
                    "latitude",
                    "longitude",
                    "time_zone",
                    "site_kind",
                    "status",
                )
            },
            "operator": network.op_a.pk,
            "name": "Renamed A",
            "chargers-TOTAL_FORMS": "0",
            "chargers-INITIAL_FORMS": "0",
        },
    )
    page = as_admin_a.get(url("station", "history", network.station_a.pk)).content.decode()
    assert "Renamed A" in page or "Changed" in page


def test_roles_analyst_reads_but_cannot_change(client, network):
    client.force_login(network.analyst_a)
    assert client.get(url("station", "changelist")).status_code == 200
    assert client.get(url("station", "add")).status_code == 403
    response = client.post(url("station", "change", network.station_a.pk), {"name": "x"})
    assert response.status_code == 403
    assert client.get(url("staffmembership", "changelist")).status_code == 403


def test_roles_pricing_manager_edits_holidays_but_not_the_network(client, network):
    client.force_login(network.pricing_a)
    assert client.get(url("station", "add")).status_code == 403
    response = client.post(
        url("holiday", "add"),
        {
            "operator": network.op_a.pk,
            "date": "2026-12-25",
            "name": "Christmas",
            "region_code": "",
        },
    )
    assert response.status_code == 302
    assert Holiday.objects.get(name="Christmas").operator == network.op_a


def test_operator_admin_cannot_create_operators(as_admin_a):
    assert as_admin_a.get(url("operator", "add")).status_code == 403


def test_superuser_sees_every_operator(client, network):
    client.force_login(network.superuser)
    page = client.get(url("station", "changelist")).content.decode()
    assert network.station_a.name in page and network.station_b.name in page


def test_user_of_two_operators_sees_both_and_picks_between_them(client, network):
    from cpo_portal.models import StaffMembership

    StaffMembership.objects.create(
        user=network.admin_a, operator=network.op_b, role="operator_admin"
    )
    client.force_login(network.admin_a)
    page = client.get(url("station", "add")).content.decode()
    assert f'value="{network.op_a.pk}"' in page and f'value="{network.op_b.pk}"' in page
    assert f'value="{network.op_b.pk}" selected' not in page


def test_a_superuser_cannot_move_a_station_to_another_operator(admin_client, network):
    """Its chargers, tariffs and offers would name another operator's station."""
    station = network.station_a
    form = admin_client.get(url("station", "change", station.pk)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"operator": network.op_b.pk, "opened_on": ""})
    data.update({"chargers-TOTAL_FORMS": "0", "chargers-INITIAL_FORMS": "0"})
    response = admin_client.post(url("station", "change", station.pk), data)
    assert response.status_code == 200
    assert "A station cannot move to another operator" in response.content.decode()
    station.refresh_from_db()
    assert station.operator_id == network.op_a.pk
