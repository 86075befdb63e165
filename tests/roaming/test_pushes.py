"""Pushes to a partner's receivers: sent after the commit, retried with backoff on a 5xx,
final on a refusal, one pending row per object, recorded attempt by attempt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from pricing.models import Tariff
from roaming.models import Push, PushAttempt, PushState
from roaming.services import pushes
from tests.roaming.conftest import network, registered_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ocpi, emsp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # committed before the test's changes
        operator = network(stations=2)
    partner, _token = registered_partner(operator, emsp)
    return operator, partner


def change_price(code: str, rate: str, capture) -> None:
    with capture(execute=True):
        tariff = Tariff.objects.get(code=code)
        tariff.energy_rate_per_kwh = Decimal(rate)
        tariff.save()


def test_a_change_is_pushed_after_the_commit_and_logged(
    world, emsp, eager, django_capture_on_commit_callbacks
):
    change_price("cpo1-default", "21", django_capture_on_commit_callbacks)
    [push] = Push.objects.filter(module="tariffs")
    assert (push.state, push.attempts, push.object_id) == ("delivered", 1, "cpo1-default")
    [attempt] = push.attempts_made.all()
    assert (attempt.method, attempt.status_code, attempt.ocpi_status) == ("PUT", 200, 1000)
    assert '"price":21' in attempt.body
    assert emsp.pushes("tariffs")[-1].headers["OCPI-from-party-id"] == "CPO"
    assert emsp.pushes("tariffs")[-1].headers["OCPI-to-party-id"] == "EMS"


def test_a_rolled_back_change_pushes_nothing(
    world, emsp, eager, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        Tariff.objects.filter(code="cpo1-default").get().save()
        raise RuntimeError("rolled back")
    assert not Push.objects.exists() and not emsp.pushes("tariffs")


def test_a_server_error_is_retried_with_backoff_then_delivered(world, emsp):
    operator, partner = world
    emsp.fail_next = [503]
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    assert pushes.send_due(partner.pk) == 1
    push = Push.objects.get()
    assert push.state == PushState.PENDING and push.attempts == 1
    wait = push.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=25) < wait <= dt.timedelta(seconds=pushes.BACKOFF_BASE)
    assert pushes.send_due(partner.pk) == 0  # not due yet
    Push.objects.update(next_attempt_at=timezone.now())
    assert pushes.requeue_stuck() == [partner.pk]
    pushes.send_due(partner.pk)
    push.refresh_from_db()
    assert push.state == PushState.DELIVERED and push.attempts == 2
    outcomes = list(PushAttempt.objects.order_by("number").values_list("outcome", "status_code"))
    assert outcomes == [("pending", 503), ("delivered", 200)]


def test_a_refusal_is_final(world, emsp):
    operator, partner = world
    emsp.fail_next = [400]
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    pushes.send_due(partner.pk)
    assert Push.objects.get().state == PushState.REJECTED


def test_retries_stop_after_max_attempts(world, emsp):
    operator, partner = world
    emsp.fail_next = [500] * pushes.MAX_ATTEMPTS
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    for _ in range(pushes.MAX_ATTEMPTS):
        Push.objects.update(next_attempt_at=timezone.now())
        pushes.send_due(partner.pk)
    push = Push.objects.get()
    assert push.state == PushState.FAILED and push.attempts == pushes.MAX_ATTEMPTS


def test_changes_while_a_push_waits_join_it(world):
    operator, _partner = world
    for _ in range(3):
        pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default", "cpo1-station-001"]})
    assert Push.objects.filter(state="pending").count() == 2


def test_a_failed_retry_behind_a_newer_change_is_superseded(world, emsp):
    operator, partner = world
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    [claimed] = pushes._claim(partner.pk)
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})  # a change during the send
    emsp.fail_next = [502]
    sender = pushes.Courier()  # one attempt, as the push task sends it
    try:
        result = sender.send_held([claimed])[claimed.pk]
    finally:
        sender.record()
    assert result.state == PushState.SUPERSEDED
    assert Push.objects.filter(state="pending").count() == 1


def test_a_retired_tariff_is_deleted_and_a_removed_station_unpublished(world, emsp):
    operator, partner = world
    Tariff.objects.filter(code="cpo1-station-001").update(active=False)
    operator.stations.get(code="cpo1-st-000").delete()
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-station-001"]})
    pushes.enqueue_all({(operator.pk, "locations"): ["cpo1-st-000"]})
    pushes.send_due(partner.pk)
    assert emsp.pushes("tariffs")[-1].method == "DELETE"
    gone = emsp.pushes("locations")[-1]
    assert (gone.method, gone.body["publish"]) == ("PATCH", False)


def test_a_partner_without_receivers_gets_no_rows(ocpi):
    operator = network(stations=1)
    registered_partner(operator)  # registered, but lists no receiver endpoints
    assert pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]}) == []
    assert not Push.objects.exists()


def test_a_renamed_station_unpublishes_its_old_location(
    world, emsp, eager, django_capture_on_commit_callbacks
):
    """The Location's id is the station's code: a new code is a new Location at the
    partner, so the old one is unpublished rather than left listed beside it."""
    operator, _partner = world
    station = operator.stations.get(code="cpo1-st-000")
    with django_capture_on_commit_callbacks(execute=True):
        station.code = "cpo1-st-renamed"
        station.save()
    sent = {(p.method, p.path.rsplit("/", 1)[-1]) for p in emsp.pushes("locations")}
    assert ("PUT", "cpo1-st-renamed") in sent
    assert ("PATCH", "cpo1-st-000") in sent
