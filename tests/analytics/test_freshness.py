"""Every dashboard says when its figures were rolled up and how often that happens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from analytics.models import RollupCursor
from analytics.services.freshness import Freshness, freshness
from analytics.services.rollup import TASK_NAME, run_incremental
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def schedule():
    """Beat's schedule as migration 0002 makes it (a flushed test database may have lost it)."""
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.update_or_create(
        task=TASK_NAME, defaults={"name": "rollup", "interval": every, "enabled": True}
    )


KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30))


def test_the_sentence_names_the_time_and_the_schedule(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    at = dt.datetime(2026, 11, 24, 8, 5, tzinfo=dt.UTC)
    assert Freshness(at, "10 minutes").sentence == (
        "Figures as of 24 Nov 2026, 13:35 IST; sessions since then count from the next "
        "rollup (every 10 minutes)."
    )
    assert Freshness(None, None).sentence.startswith("Figures not rolled up yet; the rollup is")


def test_a_run_moves_the_time_and_beats_schedule_is_read():
    RollupCursor.objects.all().delete()
    assert freshness().rolled_up_at is None
    before = timezone.now()
    run_incremental()
    found = freshness()
    assert found.rolled_up_at is not None and found.rolled_up_at >= before
    assert found.every == "10 minutes"  # migration 0002's schedule


@pytest.mark.parametrize("page", ["/analytics/", "/analytics/surge/", "offer"])
def test_every_dashboard_shows_it(client, network, page):
    run_incremental()
    client.force_login(network.analyst_a)
    if page == "offer":
        page = f"/analytics/offers/{OfferFactory(operator=network.op_a).pk}/"
    text = client.get(page).content.decode()
    assert 'id="as-of">Figures as of ' in text and "(every 10 minutes)" in text
