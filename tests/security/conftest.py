"""The admin sweeps' world (test_write_sweep, test_hostile_form_values): the tenant sweep's
two operators (tests/security/tenant_world.py), an object of every registered model that no
operator owns, the objects to sweep per model and every admin URL that accepts a POST
(tests/security/write_surfaces.py), built once per module in a transaction rolled back at
its end."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from rest_framework.authtoken.models import Token

from beckn.models import DeliveryAttempt, InboundMessage, Order, Outbox, OutboxState, Subscriber
from beckn.models.orders import OrderState
from beckn.services import keys
from tests.security import tenant_world as tw
from tests.security import write_surfaces as ws


def _ownerless_callback() -> Outbox:
    """An on_search reply: it answers a search, not an order, and belongs to no operator."""
    now = timezone.now()
    box = Outbox.objects.create(
        subscriber_id="zebra-bap.example", action="on_search",
        target_url="https://zebra-bap.example/on_search", payload='{"context": {}}',
        message_id="search-msg", transaction_id="search-txn", state=OutboxState.REJECTED,
        next_attempt_at=now, expires_at=now + dt.timedelta(minutes=5), last_error="refused",
    )  # fmt: skip
    DeliveryAttempt.objects.create(outbox=box, number=1, started_at=now,
                                   target_url=box.target_url, status_code=500,
                                   outcome=OutboxState.PENDING, error="refused")  # fmt: skip
    return box


def _outside_any_operator(world: tw.World) -> None:
    """One object of every registered model that no operator owns."""
    now = timezone.now()
    Subscriber.objects.create(
        subscriber_id="bap.example", type="BAP", url="https://bap.example/beckn", key_id="k1",
        signing_public_key="11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
    )  # fmt: skip
    keys.generate("bpp-key-1")
    InboundMessage.objects.create(
        bap_id="bap.example", message_id="m-1", action="search", transaction_id="t-1",
        body={"context": {}}, body_digest="x", received_at=now, expires_at=now,
    )  # fmt: skip
    Group.objects.create(name="sweepers")
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="5")
    ClockedSchedule.objects.create(clocked_time=now)
    SolarSchedule.objects.create(event="sunrise", latitude=28.6, longitude=77.2)
    PeriodicTask.objects.create(name="sweep", task="beckn.requeue_stuck", interval=every)
    Token.objects.create(user=world.superuser)
    seen = {"username": "someone", "ip_address": "10.0.0.1", "user_agent": "ua",
            "http_accept": "*/*", "path_info": "/admin/login/"}  # fmt: skip
    AccessAttempt.objects.create(**seen, failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)


def _cancelled(order: Order) -> Order:
    """Confirmed, then cancelled: its history holds states a revert must never restore."""
    for state in (OrderState.INITIALIZED, OrderState.CONFIRMED, OrderState.CANCELLED):
        order.state = state
        order.save()
    return order


@pytest.fixture(scope="module")
def cookie_sessions():
    """Sessions in signed cookies, for a sweep's world: the session is no admin surface nor
    any tenant's data, and loading it from the database took a fifth of the write sweep's
    time (a tenth of the tenant sweep's)."""
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
        yield


@pytest.fixture(scope="module")
def admin_world(cookie_sessions, django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = tw.build()
        _cancelled(Order.objects.get(pk=min(built.a.pks[Order])))
        _ownerless_callback()
        _outside_any_operator(built)
        targets = ws.targets_of([built.a, built.b])
        surfaces = ws.discover(built.superuser, targets)
        yield built, targets, surfaces
        transaction.set_rollback(True)


@pytest.fixture
def populated(network, client):
    """One row for every admin we know of, so change/history/delete pages render too."""
    Group.objects.create(name="auditors")
    Token.objects.create(user=network.admin_a)
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="*/5")
    PeriodicTask.objects.create(name="demo", task="demo.task", interval=every)
    client.post(reverse("admin:login"), {"username": network.admin_a.username, "password": "wrong"})
    return network
