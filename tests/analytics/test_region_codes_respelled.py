"""Facts stored before region codes had one spelling (" mh", as a station spelled its
code then) count in their region once migrated: offers 0025 and analytics 0021 respell
them, and empty the rollups built from them for the next rollup run to build again."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

import pytest
from django.db import IntegrityError, connection, migrations, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.models import DailyRollup, HourlyRollup, NoOfferSession, StationDaily
from analytics.services.rollup import run_incremental
from offers.models import Redemption
from tests.analytics.conftest import Ledger, at, make_offer
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db
SUNDAY = dt.date(2025, 9, 21)
MONDAY = SUNDAY + dt.timedelta(days=1)
ROLLUPS = (DailyRollup, HourlyRollup, StationDaily)
LEDGER = import_module("offers.migrations.0025_ledger_region_codes_one_spelling")
ANALYTICS = import_module("analytics.migrations.0021_region_codes_one_spelling")


@pytest.fixture
def facts(network):
    """Operator A's sessions over two days at a station in DL (one with an offer's
    settled use) and at one in MH, rolled up."""
    dl = Ledger(network.station_a)
    dl.plain(start=at(SUNDAY, 19), gross="150", surge="30")
    dl.row("settled", make_offer(network.op_a, "a-deal"), start=at(SUNDAY, 20), discount="25")
    mh = Ledger(StationFactory(operator=network.op_a, code="a-west", region_code="MH"))
    mh.plain(start=at(SUNDAY, 8), gross="60", surge="6")
    mh.plain(start=at(MONDAY, 8), gross="40", surge="4")
    run_incremental()
    return network


def _figures(network, region: str) -> dict[str, Any]:
    """The API's sessions and surge revenue of operator A's region over the two days."""
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    q = {"operator": network.op_a.pk, "date_from": SUNDAY, "date_to": MONDAY, "region": region}
    points = api.get(reverse("analytics-api:series"), {**q, "granularity": "day"}).json()
    points = points["results"] if isinstance(points, dict) else points
    surge = api.get(reverse("analytics-api:surge-impact"), q).json()["surge_revenue"]
    return {"sessions": sum(p["sessions"] for p in points), "surge": surge}


def _models_at(migration):
    """The models as `migrate` gives them to a migration's Python steps (their plain
    managers: the ledger's append-only guard is the live model's)."""
    app, name = migration.__name__.split(".")[0], migration.__name__.rsplit(".", 1)[1]
    return MigrationLoader(connection).project_state((app, name)).apps


def test_facts_stored_in_an_old_spelling_count_in_their_region_after_the_migration(facts):
    """Facts written before region codes had one spelling keep the station's code as it
    was spelled then (" mh"), and so do the rollups built from them: asked for MH, the
    figures miss them. The migrations respell the facts and empty the rollups, which the
    next rollup run builds again with every session."""
    exact = {region: _figures(facts, region) for region in ("DL", "MH")}
    assert exact == {
        "DL": {"sessions": 2, "surge": "30.00"},
        "MH": {"sessions": 2, "surge": "10.00"},
    }
    codes = {
        m: set(m.objects.values_list("region_code", flat=True))
        for m in (Redemption, NoOfferSession)
    }
    with connection.cursor() as cursor:  # as stored before region codes had one spelling
        if connection.vendor == "postgresql":  # past the ledger's guard, for this test
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks left pending
            cursor.execute(LEDGER.GUARD.format("DISABLE"))
        for model in (Redemption, NoOfferSession, *ROLLUPS):
            table = model._meta.db_table
            cursor.execute(f"UPDATE {table} SET region_code = ' ' || LOWER(region_code)")
        if connection.vendor == "postgresql":
            cursor.execute(LEDGER.GUARD.format("ENABLE"))
    run_incremental()  # nothing new to roll up
    assert [_figures(facts, region)["sessions"] for region in exact] == [0, 0]

    for step in [*LEDGER.Migration.operations, *ANALYTICS.Migration.operations]:
        if isinstance(step, migrations.RunPython):
            step.code(_models_at(ANALYTICS), connection.schema_editor())
    assert {m: set(m.objects.values_list("region_code", flat=True)) for m in codes} == codes
    assert not DailyRollup.objects.exists()  # emptied, to be built again
    if connection.vendor == "postgresql":  # the ledger's guard is back
        refused = pytest.raises(IntegrityError, match="append-only")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Redemption._meta.db_table} SET seq = seq")
    run_incremental()
    assert {region: _figures(facts, region) for region in exact} == exact


def test_the_migration_leaves_rollups_alone_when_every_code_is_spelled(facts):
    rows = sorted(DailyRollup.objects.values_list("pk", flat=True))
    ANALYTICS.rebuild_rollups_spelled_otherwise(_models_at(ANALYTICS), None)
    assert sorted(DailyRollup.objects.values_list("pk", flat=True)) == rows != []
