"""Pricing admin pages keep each operator's tariffs, surges and signals to its own staff."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pricing.models import GridSignal, SurgeRule, Tariff
from tests.pricing.admin_posts import surge_post, tariff_post, url
from tests.pricing.factories import SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals(priced):
    priced.signal_a = SignalFactory(operator=priced.op_a, note="A's signal")
    priced.signal_b = SignalFactory(operator=priced.op_b, note="B's signal")
    return priced


@pytest.mark.parametrize(
    ("model", "own", "other"),
    [
        ("tariff", "a-default", "b-default"),
        ("surgerule", "a-congestion", "b-congestion"),
        ("gridsignal", "A&#x27;s signal", "B&#x27;s signal"),
    ],
)
def test_change_lists_show_only_own_rows(as_pricing_a, signals, model, own, other):
    page = as_pricing_a.get(url(model, "changelist")).content.decode()
    assert own in page and other not in page


@pytest.mark.parametrize("model", ["tariff", "surgerule", "gridsignal"])
@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_other_operators_objects_are_unreachable(as_pricing_a, signals, model, page):
    obj = {
        "tariff": signals.tariff_b,
        "surgerule": signals.surge_b,
        "gridsignal": signals.signal_b,
    }[model]
    response = as_pricing_a.get(url(model, page, obj.pk), follow=True)
    assert response.redirect_chain or response.status_code in (403, 404)
    assert obj.operator.name not in response.content.decode()


def test_forged_station_in_a_tariff_is_refused(as_pricing_a, priced):
    data = tariff_post(priced.op_a, code="forged", station=priced.station_b.pk)
    response = as_pricing_a.post(url("tariff", "add"), data)
    assert "Select a valid choice" in response.content.decode()
    assert not Tariff.objects.filter(code="forged").exists()


def test_forged_operator_in_a_tariff_is_refused(as_pricing_a, priced):
    response = as_pricing_a.post(url("tariff", "add"), tariff_post(priced.op_b, code="forged"))
    assert "Select a valid choice" in response.content.decode()
    assert not Tariff.objects.filter(code="forged").exists()


def test_forged_edit_of_another_operators_tariff_changes_nothing(as_pricing_a, priced):
    data = tariff_post(priced.op_b, code="b-default", energy_rate_per_kwh="1")
    as_pricing_a.post(url("tariff", "change", priced.tariff_b.pk), data)
    priced.tariff_b.refresh_from_db()
    assert priced.tariff_b.energy_rate_per_kwh == 18


def test_surge_station_choices_are_scoped_and_forgeries_refused(as_pricing_a, priced):
    page = as_pricing_a.get(url("surgerule", "add")).content.decode()
    assert priced.station_b.name not in page
    found = as_pricing_a.get(
        reverse("admin:autocomplete"),
        {"app_label": "pricing", "model_name": "surgerule", "field_name": "stations", "term": ""},
    ).json()["results"]
    assert [r["text"] for r in found] == [priced.station_a.name]
    data = surge_post(priced.op_a, code="forged", stations=[priced.station_b.pk])
    response = as_pricing_a.post(url("surgerule", "add"), data)
    assert "Select a valid choice" in response.content.decode()
    assert not SurgeRule.objects.filter(code="forged").exists()


def test_user_of_two_operators_cannot_mix_their_stations(client, priced):
    from cpo_portal.models import StaffMembership

    StaffMembership.objects.create(
        user=priced.pricing_a, operator=priced.op_b, role="pricing_manager"
    )
    client.force_login(priced.pricing_a)
    data = surge_post(priced.op_a, code="mixed", stations=[priced.station_b.pk])
    response = client.post(url("surgerule", "add"), data)
    assert "belong(s) to another operator" in response.content.decode()
    assert not SurgeRule.objects.filter(code="mixed").exists()


def test_bulk_actions_ignore_other_operators_rows(as_pricing_a, signals):
    changelist = url("surgerule", "changelist")
    ids = [signals.surge_a.pk, signals.surge_b.pk]
    as_pricing_a.post(changelist, {"action": "pause", "_selected_action": ids})
    assert SurgeRule.objects.get(pk=signals.surge_a.pk).paused
    assert not SurgeRule.objects.get(pk=signals.surge_b.pk).paused
    ids = [signals.signal_a.pk, signals.signal_b.pk]
    as_pricing_a.post(
        url("gridsignal", "changelist"), {"action": "clear_signals", "_selected_action": ids}
    )
    assert GridSignal.objects.get(pk=signals.signal_a.pk).cleared_at is not None
    assert GridSignal.objects.get(pk=signals.signal_b.pk).cleared_at is None


def test_analyst_reads_but_cannot_change(client, signals):
    client.force_login(signals.analyst_a)
    for model in ("tariff", "surgerule", "gridsignal"):
        assert client.get(url(model, "changelist")).status_code == 200
        assert client.get(url(model, "add")).status_code == 403
    assert client.get(url("tariff", "ocpi_import")).status_code == 403
    assert client.get(url("surgerule", "week")).status_code == 200
    assert client.get(reverse("admin:offers_offer_simulate")).status_code == 200
    client.post(
        url("surgerule", "changelist"),
        {"action": "pause", "_selected_action": [signals.surge_a.pk]},
    )
    assert not SurgeRule.objects.get(pk=signals.surge_a.pk).paused


def test_operator_admin_edits_pricing(client, priced):
    client.force_login(priced.admin_a)
    response = client.post(
        url("tariff", "add"), tariff_post(priced.op_a, code="by-admin", active=None)
    )
    assert response.status_code == 302
    assert Tariff.objects.get(code="by-admin").operator == priced.op_a


def test_staff_without_a_role_sees_no_pricing(client, priced):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(url("tariff", "changelist")).status_code == 403
    assert client.get(reverse("admin:offers_offer_simulate")).status_code == 403
    assert client.get(url("surgerule", "week")).status_code == 403


def test_week_view_shows_only_own_rules(as_pricing_a, priced):
    page = as_pricing_a.get(url("surgerule", "week")).content.decode()
    assert "a-congestion" in page and "b-congestion" not in page
    assert priced.op_b.name not in page
    page = as_pricing_a.get(url("surgerule", "week"), {"operator": priced.op_b.pk}).content
    assert b"b-congestion" not in page


def test_preview_charger_choices_are_scoped_and_forgeries_refused(as_pricing_a, priced):
    page = as_pricing_a.get(reverse("admin:offers_offer_simulate")).content.decode()
    assert f'<option value="{priced.charger_b.pk}">' not in page and "b-charger" not in page
    found = as_pricing_a.get(  # the searchable charger picker
        reverse("admin:autocomplete"),
        {"app_label": "offers", "model_name": "offer", "field_name": "chargers", "term": ""},
    ).json()["results"]
    assert [r["id"] for r in found] == [str(priced.charger_a.pk)]
    response = as_pricing_a.get(
        reverse("admin:offers_offer_simulate"),
        {"charger": priced.charger_b.pk, "start": "2025-09-24T18:00", "kwh": "5"},
    )
    page = response.content.decode()
    assert "Select a valid choice" in page and "b-default" not in page


def test_ocpi_import_for_another_operator_is_refused(as_pricing_a, priced):
    upload = SimpleUploadedFile("t.json", json.dumps({"id": "x"}).encode())
    response = as_pricing_a.post(
        url("tariff", "ocpi_import"), {"file": upload, "operator": priced.op_b.pk}
    )
    assert "Select a valid choice" in response.content.decode()


def test_ocpi_export_contains_only_own_tariffs(as_pricing_a, priced):
    response = as_pricing_a.post(
        url("tariff", "changelist"),
        {"action": "export_ocpi", "_selected_action": [priced.tariff_a.pk, priced.tariff_b.pk]},
    )
    body = json.loads(response.content)
    assert body["id"] == "a-default"  # one object: B's tariff was not selectable


def test_grid_signal_station_choices_are_scoped(as_pricing_a, priced):
    response = as_pricing_a.post(
        url("gridsignal", "add"),
        {
            "operator": priced.op_a.pk,
            "station": priced.station_b.pk,
            "region_code": "",
            "raised_at_0": "2025-09-24",
            "raised_at_1": "10:00:00",
            "note": "forged",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not GridSignal.objects.filter(note="forged").exists()


def test_admin_index_lists_pricing_for_pricing_staff(as_pricing_a, priced):
    page = as_pricing_a.get(reverse("admin:index")).content.decode()
    for name in ("Tariffs", "Surge rules", "Grid signals"):
        assert name in page
