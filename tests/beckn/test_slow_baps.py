"""A BAP slow to take its callbacks holds at most one worker process at a time: its next
callback waits (pending) while another of its callbacks is being sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn.models import Outbox, OutboxState
from beckn.services import slow_baps
from tests.beckn import sending
from tests.beckn.sending import make_row

pytestmark = pytest.mark.django_db


def test_a_slow_bap_gets_one_callback_at_a_time_and_the_next_waits(local, bap):
    in_flight, waiting = make_row(bap), make_row(bap)
    now = timezone.now()
    sending.claim_many([in_flight.pk], now)  # another worker is sending it
    slow_baps.note(bap.subscriber_id, slow_baps.SLOW_AFTER + 2)  # its last one took 3 s
    result = sending.deliver(waiting.pk, now=now)
    assert result is not None and result.state == OutboxState.PENDING
    wait = result.next_attempt_at - now
    assert slow_baps.DEFER <= wait < slow_baps.DEFER + dt.timedelta(seconds=1)
    waiting.refresh_from_db()
    assert (waiting.state, waiting.attempts, waiting.leased_until) == (
        OutboxState.PENDING, 0, None,
    )  # fmt: skip
    assert local.received == [] and not waiting.delivery_attempts.exists()
    Outbox.objects.filter(pk=in_flight.pk).update(state=OutboxState.DELIVERED, leased_until=None)
    later = result.next_attempt_at
    assert sending.deliver(waiting.pk, now=later).state == OutboxState.DELIVERED
    assert list(waiting.delivery_attempts.values_list("number", flat=True)) == [1]


def test_a_quick_bap_is_never_counted(local, bap):
    rows = [make_row(bap), make_row(bap)]
    with CaptureQueriesContext(connection) as queries:
        results = sending.deliver_many([row.pk for row in rows])
    assert {r.state for r in results.values()} == {OutboxState.DELIVERED}
    assert not any("COUNT(" in q["sql"] for q in queries)


def test_a_bap_slow_once_is_trusted_again_after_a_while(local, bap, monkeypatch):
    in_flight, waiting = make_row(bap), make_row(bap)
    now = timezone.now()
    sending.claim_many([in_flight.pk], now)
    slow_baps.note(bap.subscriber_id, 3.0)
    clock = slow_baps.time.monotonic() + slow_baps.REMEMBER + 1
    monkeypatch.setattr(slow_baps.time, "monotonic", lambda: clock)
    assert sending.deliver(waiting.pk, now=now).state == OutboxState.DELIVERED


def test_a_slow_post_marks_its_bap_slow(local, bap, monkeypatch):
    row = make_row(bap)
    monkeypatch.setattr(slow_baps, "SLOW_AFTER", 0.0)  # any POST is slow
    assert sending.deliver(row.pk).state == OutboxState.DELIVERED
    in_flight, waiting = make_row(bap), make_row(bap)
    sending.claim_many([in_flight.pk], timezone.now())
    assert sending.deliver(waiting.pk).state == OutboxState.PENDING  # now known slow
