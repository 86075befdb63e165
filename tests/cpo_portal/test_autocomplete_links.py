"""A form's searchable picker (the admin's autocomplete) offers what the form's field
accepts: the rows at the operators where the user may edit what the form edits, never the
rows they may only look at (which the form then refused at save). A user who may edit
nothing there is refused the picker; the price tool's pickers, which only look, list
every row the user may view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpo_portal.models import Charger, Role, StaffMembership
from tests.factories import staff
from tests.support.admin import admin_urls

pytestmark = pytest.mark.django_db

url = admin_urls("cpo_portal")


@pytest.fixture
def mixed(network):
    """Operator admin at B, analyst (view only) at A."""
    user = staff(network.op_b, Role.OPERATOR_ADMIN, "mixed")
    StaffMembership.objects.create(user=user, operator=network.op_a, role=Role.ANALYST)
    return user


def picked(client, app_label: str, model: str, field: str, **extra) -> tuple[int, set[str]]:
    query = {"app_label": app_label, "model_name": model, "field_name": field, "term": ""}
    response = client.get(reverse("admin:autocomplete"), query | extra)
    if response.status_code != 200:
        return response.status_code, set()
    return 200, {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("app_label", "model", "field", "remote"),
    [
        ("cpo_portal", "charger", "station", "station"),
        ("pricing", "tariff", "station", "station"),
        ("pricing", "tariff", "charger", "charger"),
        ("pricing", "surgerule", "stations", "station"),
        ("offers", "offer", "stations", "station"),
        ("offers", "offer", "chargers", "charger"),
        ("offers", "addonavailability", "station", "station"),  # an inline's picker
    ],
)
def test_a_picker_offers_only_rows_of_operators_the_user_may_edit(
    client, network, mixed, app_label, model, field, remote
):
    client.force_login(mixed)
    b_row = getattr(network, f"{remote}_b")
    assert picked(client, app_label, model, field) == (200, {str(b_row.pk)})


def test_a_picker_is_refused_to_a_user_who_may_edit_nothing_there(client, network):
    client.force_login(network.analyst_a)
    assert picked(client, "cpo_portal", "charger", "station")[0] == 403
    client.force_login(network.pricing_a)  # reads the network, edits pricing
    assert picked(client, "cpo_portal", "charger", "station")[0] == 403
    assert picked(client, "pricing", "tariff", "station") == (200, {str(network.station_a.pk)})


def test_the_price_tools_pickers_list_what_the_user_may_view(client, network, mixed):
    """The simulator only looks: any role may quote at any of its operators."""
    client.force_login(mixed)
    page = client.get(reverse("admin:offers_offer_simulate")).content.decode()
    assert "autocomplete/?purpose=look" in page
    both = {str(network.charger_a.pk), str(network.charger_b.pk)}
    assert picked(client, "offers", "offer", "chargers", purpose="look") == (200, both)
    client.force_login(network.analyst_a)
    assert picked(client, "offers", "offer", "chargers", purpose="look") == (
        200,
        {str(network.charger_a.pk)},
    )


def test_a_row_the_user_may_only_view_is_refused_at_save(client, network, mixed):
    client.force_login(mixed)
    data = {
        "operator": network.op_b.pk, "station": network.station_a.pk, "code": "mixed-01",
        "name": "Mixed", "power_kw": "30", "power_type": "AC_3_PHASE",
        "charging_speed": "FAST", "status": "Available",
        "connectors-TOTAL_FORMS": "0", "connectors-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(url("charger", "add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(url("charger", "change", network.charger_b.pk), data)
    assert response.status_code == 200
    assert Charger.objects.get(pk=network.charger_b.pk).station == network.station_b
    assert not Charger.objects.filter(code="mixed-01").exists()


def test_a_saved_objects_picker_offers_its_operators_rows(client, network):
    """An editor at both operators, on B's charger (or its station's page, whose chargers'
    rows hold no picker): the picker asks for B's rows, as the charger's checks refuse A's."""
    user = staff(network.op_b, Role.OPERATOR_ADMIN, "both")
    StaffMembership.objects.create(user=user, operator=network.op_a, role=Role.OPERATOR_ADMIN)
    client.force_login(user)
    page = client.get(url("charger", "change", network.charger_b.pk)).content.decode()
    asks = f"autocomplete/?operator={network.op_b.pk}"
    assert asks in page
    assert picked(client, "cpo_portal", "charger", "station", operator=network.op_b.pk) == (
        200,
        {str(network.station_b.pk)},
    )
    assert picked(client, "cpo_portal", "charger", "station")[1] == {
        str(network.station_a.pk),
        str(network.station_b.pk),
    }  # a new charger's operator is chosen on its form
    assert asks not in client.get(url("charger", "add")).content.decode()
    for nobody in ("99999999999999999999", "١٢", "-1", ""):  # no operator's id: no row
        assert picked(client, "cpo_portal", "charger", "station", operator=nobody) == (200, set())
    # Asking for an operator where the user may not edit gives nothing more.
    client.force_login(network.admin_a)
    assert picked(client, "cpo_portal", "charger", "station", operator=network.op_b.pk) == (
        200,
        set(),
    )
