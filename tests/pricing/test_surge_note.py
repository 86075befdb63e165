"""The staff's note on a surge: refused with a clear form error when it holds a figure;
the migration keeps an old explanation as the note only when it restates nothing."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from pricing.models import SurgeRule
from pricing.models.surge_text import NOTE_DIGITS_ERROR
from tests.pricing.admin_posts import surge_post, url
from tests.pricing.factories import SurgeFactory

pytestmark = pytest.mark.django_db


def test_a_note_with_a_figure_is_a_form_error(client, network):
    client.force_login(network.pricing_a)
    data = surge_post(network.op_a, code="noted", note="Only 20% more in the evening")
    page = client.post(url("surgerule", "add"), data).content.decode()
    assert "Leave figures out of the note" in page
    assert not SurgeRule.objects.filter(code="noted").exists()
    data["note"] = "Busy hours cost more"
    assert client.post(url("surgerule", "add"), data).status_code == 302
    assert SurgeRule.objects.get(code="noted").note == "Busy hours cost more"


def test_the_migration_keeps_only_notes_that_restate_nothing(network):
    step = importlib.import_module("pricing.migrations.0004_surge_note_replaces_explanation")
    restated = SurgeFactory(operator=network.op_a, note="Congestion Fee: ₹1/kWh 6 PM - 9 PM")
    named = SurgeFactory(operator=network.op_a, name="Peak fee", note="Peak fee")
    kept = SurgeFactory(operator=network.op_a, note="Helps share chargers at busy hours")
    step.keep_figureless_explanations(apps, None)
    notes = dict(SurgeRule.objects.values_list("pk", "note"))
    assert notes[restated.pk] == "" and notes[named.pk] == ""
    assert notes[kept.pk] == "Helps share chargers at busy hours"
    assert NOTE_DIGITS_ERROR.startswith("Leave figures out")
