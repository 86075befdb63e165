"""The demo simulation writes what production writes and rolls it up; the beat schedule
exists in the database and the task is the incremental rollup."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from analytics.models import DailyCustomer, DailyRollup, HourlyRollup, NoOfferSession
from analytics.services.rollup import run_incremental
from analytics.tasks import TASK_NAME, rollup_ledger
from cpo_portal.models import Operator
from offers.models import OfferUsage, Redemption
from tests.analytics.conftest import DAY, at, make_offer

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", "--no-progress", "--stations", "8", stdout=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("days", ["0", "-5", "99999999999", "abc"])
def test_demo_refuses_session_days_it_cannot_simulate_before_seeding_anything(days):
    """0 days left nothing to draw from and a number past the calendar overflowed, each a
    traceback after the network, pricing and offers were already seeded."""
    with pytest.raises(CommandError, match="--session-days: takes a whole number of days"):
        call_command("seed_demo", "--no-progress", "--session-days", days, stdout=StringIO())
    assert not Operator.objects.exists()


@pytest.mark.parametrize("sessions", ["-1", "1000001", "99999999999999", "abc"])
def test_demo_refuses_a_session_count_it_cannot_simulate_before_seeding_anything(sessions):
    with pytest.raises(CommandError, match="--sessions: takes a whole number of sessions"):
        call_command("seed_demo", "--no-progress", "--sessions", sessions, stdout=StringIO())
    assert not Operator.objects.exists()


def test_demo_writes_what_production_writes_rolls_it_up_and_runs_once():
    assert "Analytics: 400 sessions" in seed(sessions=400, session_days=60)
    kinds = set(Redemption.objects.values_list("kind", flat=True).distinct())
    assert {"validated", "redeemed", "settled", "held_out"} <= kinds
    assert NoOfferSession.objects.count() > 30  # the demo offers leave some sessions alone
    # One session in ten went through the services, which also count the offers' uses.
    assert OfferUsage.objects.filter(uses__gt=0).exists()
    sessions = sum(DailyRollup.objects.values_list("sessions", flat=True))
    settled_orders = Redemption.objects.filter(kind="settled").values("order_ref").distinct()
    assert sessions == NoOfferSession.objects.count() + settled_orders.count()
    assert HourlyRollup.objects.filter(surge_sessions__gt=0).exists()
    assert DailyCustomer.objects.filter(held_out=True).exists()
    # Rows are stamped with the simulated time, not with today.
    for row in Redemption.objects.filter(kind="settled")[:50]:
        assert abs((row.occurred_at - row.session_start).total_seconds()) < 6 * 3600

    before = (Redemption.objects.count(), NoOfferSession.objects.count())
    assert "already simulated" in seed(sessions=400)
    assert (Redemption.objects.count(), NoOfferSession.objects.count()) == before


def test_the_schedule_is_a_periodic_task_in_the_database():
    """The migration's data step, run here against the live registry: a transactional test
    that ran earlier on the same worker may have flushed the row the migrate left."""
    schedule = importlib.import_module("analytics.migrations.0002_rollup_schedule")
    assert schedule.TASK == TASK_NAME  # the beat row names the task the worker registers
    PeriodicTask.objects.filter(task=TASK_NAME).delete()
    schedule.create(django_apps, None)
    task = PeriodicTask.objects.get(task=TASK_NAME)
    assert task.enabled and task.interval.every == 10 and task.interval.period == "minutes"
    # An administrator's edit survives a later migrate.
    PeriodicTask.objects.filter(pk=task.pk).update(enabled=False)
    schedule.create(django_apps, None)
    assert list(PeriodicTask.objects.filter(task=TASK_NAME).values_list("enabled", flat=True)) == [
        False
    ]


def test_the_task_runs_the_incremental_rollup(network, ledger_a):
    offer = make_offer(network.op_a, "task-offer")
    ledger_a.row("settled", offer, start=at(DAY, 9), discount="4")
    result = rollup_ledger.apply().get()
    assert result["rows"] == 1 and result["partitions"] == 1
    assert DailyRollup.objects.get(offer=offer).discount_cost == 4
    assert run_incremental().rows == 0


def test_the_demos_bulk_path_reads_a_stations_facts_once_and_as_the_services_do(network):
    from analytics.demo.bulk import BulkLedger
    from offers.services import station_facts
    from tests.factories import ChargerFactory

    ChargerFactory(station=network.station_a, code="a-charger-02")
    bulk = BulkLedger([network.op_a, network.op_b])
    first = bulk.station(network.station_a)
    assert first == station_facts(network.station_a) and first.chargers == 2
    with CaptureQueriesContext(connection) as queries:
        assert bulk.station(network.station_a) is first
    assert len(queries) == 0
    assert bulk.station(network.station_b) == station_facts(network.station_b)
