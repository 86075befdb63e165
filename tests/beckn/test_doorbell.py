"""Accepted messages wake the workers through the doorbell (beckn.services.doorbell): with
a Redis cache one task message per wake-up, and the worker that takes it answers every
message waiting; without one, a task per message. A message another worker holds is
skipped, not waited for."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn import processing, tasks
from beckn.models import DeliveryAttempt, InboundMessage, InboundState, Outbox, OutboxState
from beckn.services import delivery, doorbell, redisclient
from cpo_portal.outbound import courier
from tests.beckn import bap as msgs
from tests.beckn import sending


@pytest.fixture(autouse=True)
def whole_drains(monkeypatch):
    """A drain's slice (tasks.DRAIN_SECONDS) that no loaded test machine outlasts: each
    test here hands its drain a few messages and asks what one drain did with them. The
    slice's own test makes it shorter."""
    monkeypatch.setattr(tasks, "DRAIN_SECONDS", 60.0)


def accept(client, network, bap, capture) -> InboundMessage:
    body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
    with capture(execute=True):
        assert bap.post(client, "select", body).status_code == 200
    return InboundMessage.objects.get(message_id=body["context"]["message_id"])


def accept_many(count: int, client, network, bap, capture, redis_cache) -> list[InboundMessage]:
    """`count` selects accepted with the doorbell in use, the backlog limit out of the way."""
    redis_cache.BECKN_MAX_PENDING_PER_BAP = 100
    return [accept(client, network, bap, capture) for _ in range(count)]


@pytest.fixture
def delivered(monkeypatch):
    monkeypatch.setattr(
        delivery.Courier,
        "attempt",
        lambda self, row: courier.Outcome(200, "", "", OutboxState.DELIVERED),
    )


@pytest.mark.django_db
def test_with_redis_one_task_wakes_a_worker_that_answers_every_waiting_message(
    client, network, bap, fake, our_key, no_queue, redis_cache, delivered,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    first, *_rest = accept_many(
        4, client, network, bap, django_capture_on_commit_callbacks, redis_cache
    )
    assert no_queue["process"] == [first.pk]  # the other three rang a ringing bell

    with django_capture_on_commit_callbacks(execute=True):
        tasks.process_inbound(first.pk)
    states = InboundMessage.objects.values_list("state", flat=True)
    assert set(states) == {InboundState.DONE}

    latest = accept(client, network, bap, django_capture_on_commit_callbacks)
    assert no_queue["process"] == [first.pk, latest.pk]  # silenced by the worker: rings again


@pytest.mark.django_db
def test_a_drain_gives_its_worker_back_after_its_slice_and_queues_the_rest(
    client, network, bap, fake, our_key, no_queue, redis_cache, delivered, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """A flood never holds a worker process for longer than a slice: the tasks queued
    meanwhile (a retry, the callbacks a dead worker held, the sweep) are taken next."""
    first, *_rest = accept_many(
        3, client, network, bap, django_capture_on_commit_callbacks, redis_cache
    )
    monkeypatch.setattr(tasks, "DRAIN_SECONDS", 0.0)  # a slice of one answer
    queued = len(no_queue["process"])
    tasks.process_inbound(first.pk)
    states = list(InboundMessage.objects.order_by("pk").values_list("state", flat=True))
    assert states == [InboundState.DONE, InboundState.RECEIVED, InboundState.RECEIVED]
    assert no_queue["process"][queued:] == [None]  # the rest goes on behind the queue
    tasks.process_inbound()
    tasks.process_inbound()
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundState.DONE}


@pytest.mark.django_db
def test_the_sweep_wakes_one_draining_worker_for_every_message_it_finds_left(
    client, network, bap, fake, our_key, no_queue, redis_cache,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    accept_many(3, client, network, bap, django_capture_on_commit_callbacks, redis_cache)
    no_queue["process"].clear()  # lost with the broker
    InboundMessage.objects.update(received_at=timezone.now() - dt.timedelta(seconds=30))
    assert tasks.requeue_stuck()["reprocessed"] == 3
    assert no_queue["process"] == [None]  # one task: its worker drains all three


@pytest.mark.django_db
def test_a_drain_that_finds_nothing_holds_the_bell_and_answers_what_comes_meanwhile(
    client, network, bap, fake, our_key, no_queue, redis_cache, delivered, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    (first,) = accept_many(1, client, network, bap, django_capture_on_commit_callbacks, redis_cache)
    queued = list(no_queue["process"])
    came: list[InboundMessage] = []
    woken: list[bool] = []
    real_wait = doorbell.wait

    def linger(seconds: float) -> bool:  # a message comes while the drain waits for more
        if not came:
            came.append(accept(client, network, bap, django_capture_on_commit_callbacks))
        woken.append(real_wait(seconds))
        return woken[-1]

    monkeypatch.setattr(doorbell, "wait", linger)
    tasks.process_inbound(first.pk)  # (the message that comes runs its own commit's callbacks)
    assert came  # it waited
    assert woken[0] is True  # the message's ring ended the wait
    assert no_queue["process"] == queued  # and found the bell ringing: no task
    states = InboundMessage.objects.values_list("state", flat=True)
    assert set(states) == {InboundState.DONE}  # answered by the same drain
    latest = accept(client, network, bap, django_capture_on_commit_callbacks)
    assert no_queue["process"] == [*queued, latest.pk]  # silenced again: the next one wakes


def test_a_worker_holds_the_bell_only_when_no_task_is_queued(redis_cache):
    redisclient.client().delete(doorbell._key(), doorbell._wake_key())
    assert doorbell.ring() is True  # a task is queued
    assert doorbell.hold() is False  # it will look after every commit: no need to wait
    doorbell.silence()
    redisclient.client().delete(doorbell._wake_key())  # the token of the ring above
    assert doorbell.hold() is True
    assert doorbell.wait(0.01) is False  # nothing rang
    assert doorbell.ring() is False  # a commit while the worker holds it queues no task
    assert doorbell.wait(60) is True  # and wakes it
    doorbell.silence()
    assert doorbell.ring() is True


@pytest.mark.parametrize("fails", ["set", "blpop"])
def test_a_redis_error_while_a_worker_holds_or_waits_ends_the_wait_not_the_task(
    redis_cache, monkeypatch, caplog, fails
):
    redisclient.client().delete(doorbell._key(), doorbell._wake_key())

    def down(*args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(redisclient.client(), fails, down)
    if fails == "set":
        assert doorbell.hold() is False  # the drain stops: a ring or the sweep looks after
    else:
        assert doorbell.hold() is True
        assert doorbell.wait(60) is True  # at once: the drain looks once more
    assert "Connection refused" in caplog.text


@pytest.mark.django_db
def test_without_a_shared_cache_each_message_has_its_own_task(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    assert not doorbell.in_use()
    accepted = [accept(client, network, bap, django_capture_on_commit_callbacks) for _ in range(3)]
    assert no_queue["process"] == [m.pk for m in accepted]


@contextmanager
def held_by_another_worker(pk: int) -> Iterator[None]:
    """Another worker's transaction holds the message's row lock until the block ends."""
    held, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                InboundMessage.objects.select_for_update().get(pk=pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_a_message_another_worker_holds_is_skipped_at_once(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    inbound = accept(client, network, bap, django_capture_on_commit_callbacks)
    with held_by_another_worker(inbound.pk):
        assert processing.process_next() is None  # passed over, not blocked behind the other
        assert InboundMessage.objects.get(pk=inbound.pk).state == InboundState.RECEIVED
    assert processing.process_next() == inbound.pk  # released: taken, and answered
    assert Outbox.objects.filter(inbound=inbound).exists()


@pytest.mark.django_db(transaction=True)
def test_a_draining_worker_locks_only_the_next_message_no_other_worker_holds(
    client, network, bap, fake, our_key, no_queue, delivered, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    first, second = [accept(client, network, bap, django_capture_on_commit_callbacks) for _ in "ab"]
    with held_by_another_worker(first.pk), CaptureQueriesContext(connection) as queries:
        taken = tasks.answer_next()
    assert taken == second.pk  # the held one passed over, not waited for
    assert InboundMessage.objects.get(pk=first.pk).state == InboundState.RECEIVED
    assert InboundMessage.objects.get(pk=second.pk).state == InboundState.DONE
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and "inboundmessage" in q["sql"]]
    assert len(locks) == 1  # one statement took the second message

    with CaptureQueriesContext(connection) as queries:
        assert tasks.answer_next() == first.pk
        assert tasks.answer_next() is None
        assert processing.process_next() is None  # answered messages are never locked again
    assert sum("FOR UPDATE" in q["sql"] and "inboundmessage" in q["sql"] for q in queries) == 3


@pytest.mark.django_db(transaction=True)
def test_a_drain_signs_its_callbacks_with_one_read_of_the_key_and_records_each_at_once(
    client, network, bap, fake, our_key, no_queue, redis_cache, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    first, *_rest = accept_many(
        3, client, network, bap, django_capture_on_commit_callbacks, redis_cache
    )
    reads: list[str] = []
    signer = delivery.keys.signer
    monkeypatch.setattr(delivery.keys, "signer", lambda: reads.append("key") or signer())
    signed: list[str] = []

    def attempt(self, row):
        signed.append(self.sender.request(row).headers["Authorization"])
        return courier.Outcome(200, "", "", OutboxState.DELIVERED)

    monkeypatch.setattr(delivery.Courier, "attempt", attempt)
    with CaptureQueriesContext(connection) as queries:
        tasks.process_inbound(first.pk)
    assert len(signed) == 3 and all(header.startswith("Signature ") for header in signed)
    assert reads == ["key"]
    # how each went is written down right after it was sent: a worker killed mid-drain
    # leaves at most the callback in hand unrecorded (and sent again)
    assert sum('INSERT INTO "beckn_deliveryattempt"' in q["sql"] for q in queries) == 3
    assert DeliveryAttempt.objects.filter(outcome=OutboxState.DELIVERED).count() == 3
    assert set(Outbox.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}


@pytest.mark.django_db(transaction=True)
def test_a_draining_worker_writes_its_callbacks_leased_to_itself_and_claims_none(
    client, network, bap, fake, our_key, no_queue, redis_cache, delivered,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    first, *_rest = accept_many(
        2, client, network, bap, django_capture_on_commit_callbacks, redis_cache
    )
    with CaptureQueriesContext(connection) as queries:
        tasks.process_inbound(first.pk)
    # (on PostgreSQL each in one statement with its attempt: WITH written AS (INSERT ...))
    updates = [q["sql"] for q in queries if 'UPDATE "beckn_outbox"' in q["sql"]]
    assert len(updates) == 2 and all("'delivered'" in u for u in updates)  # records, no claim
    assert no_queue["deliver"] == []  # nothing left for another worker
    rows = Outbox.objects.all()
    assert {(row.state, row.attempts, row.leased_until) for row in rows} == {
        (OutboxState.DELIVERED, 1, None)
    }
    created = Outbox.history.filter(history_type="+").values_list("state", flat=True)
    assert list(created) == [OutboxState.SENDING] * 2  # written leased, as the history shows


@pytest.mark.django_db(transaction=True)
def test_a_callback_written_leased_to_a_worker_that_died_is_sent_after_its_lease(
    client, network, bap, fake, our_key, no_queue, delivered, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    inbound = accept(client, network, bap, django_capture_on_commit_callbacks)
    send_held = delivery.Courier.send_held
    monkeypatch.setattr(delivery.Courier, "send_held", lambda self, rows, now=None: {})  # died
    assert tasks.answer_next() == inbound.pk
    row = Outbox.objects.get()
    assert row.state == OutboxState.SENDING and row.leased_until is not None
    assert tasks.requeue_stuck()["released"] == 0  # the lease still runs
    monkeypatch.setattr(delivery.Courier, "send_held", send_held)
    later = row.leased_until + dt.timedelta(seconds=1)
    assert delivery.release_stuck(later) == [row.pk]
    assert sending.deliver(row.pk, now=later).state == OutboxState.DELIVERED
    assert list(row.delivery_attempts.values_list("number", "outcome")) == [
        (1, OutboxState.SENDING),  # the sweep's "no outcome" row for the lost first turn
        (2, OutboxState.DELIVERED),
    ]


@pytest.mark.django_db
def test_the_next_message_is_found_through_the_index_of_open_messages():
    """Answered messages are never scanned for the next one: with thousands of them in the
    table (they are kept), the claim reads the open ones by id from their own index."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    now = timezone.now()

    def message(n: int, state: str) -> InboundMessage:
        return InboundMessage(
            bap_id="bap.example", message_id=f"m-{n}", action="select", transaction_id=f"t-{n}",
            body={}, body_digest="x", received_at=now, state=state,
            expires_at=now + dt.timedelta(seconds=30),
        )  # fmt: skip

    InboundMessage.objects.bulk_create(
        [message(n, InboundState.DONE) for n in range(5000)]
        + [message(n, InboundState.RECEIVED) for n in range(5000, 5003)]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE beckn_inboundmessage")
    plan = processing.waiting(now=now)[:1].explain()
    assert "inbound_fair_turn_idx" in plan
    assert processing.waiting(now=now).first().message_id == "m-5000"


@pytest.mark.django_db
def test_the_claim_is_planned_for_its_values_when_its_statement_is_prepared():
    """Statements are prepared after five runs on a connection (settings), and each run is
    still planned for its own values: a plan made once for any values cannot use the
    partial index of open messages and reads every answered row, more with every day."""
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get(
        "prepare_threshold"
    ):
        pytest.skip("prepared statements on PostgreSQL")
    now = timezone.now()
    answered = dict(bap_id="bap.example", action="select", transaction_id="t", body={},
                    body_digest="x", received_at=now, state=InboundState.DONE,
                    expires_at=now + dt.timedelta(seconds=30))  # fmt: skip
    InboundMessage.objects.bulk_create(
        InboundMessage(message_id=f"m-{n}", **answered) for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE beckn_inboundmessage")
    for _ in range(12):
        assert processing.waiting(now=now).first() is None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ['%FROM "beckn_inboundmessage" WHERE%FOR UPDATE SKIP LOCKED'],
        )
        plans = cursor.fetchall()
    assert plans and all(generic == 0 and custom > 0 for generic, custom in plans), plans


@pytest.mark.postgres  # the take's own column (SQLite: another look, as without it)
@pytest.mark.django_db
def test_a_drain_told_that_no_other_message_waits_holds_the_bell_without_looking_again(
    client, network, bap, fake, our_key, no_queue, redis_cache, delivered, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The take says whether another message was waiting: the last one's answer is
    followed by the hold and the wait, not by a take that finds nothing."""
    first, second = accept_many(
        2, client, network, bap, django_capture_on_commit_callbacks, redis_cache
    )
    takes: list[object] = []
    real_take = processing._next_waiting

    def take(now):
        taken = real_take(now)
        takes.append(None if taken is None else (taken[0].pk, taken[1]))
        return taken

    monkeypatch.setattr(processing, "_next_waiting", take)
    tasks.process_inbound(first.pk)
    # the first take saw the second waiting, the second none; after the wait, one look
    assert takes == [(first.pk, True), (second.pk, False), None]
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundState.DONE}


@pytest.mark.django_db
def test_a_message_committed_after_the_take_said_none_waits_is_still_looked_for(
    client, network, bap, fake, our_key, no_queue, redis_cache, delivered, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """A message committed while the drain answers the last one it was told of rings the
    silenced bell: its ring queues a task, and the drain, finding the bell ringing, stops
    for that task to look."""
    (first,) = accept_many(1, client, network, bap, django_capture_on_commit_callbacks, redis_cache)
    came: list[InboundMessage] = []
    real_answer = processing._answer

    def answer(inbound, now):
        if not came:  # committed while the drain answers the first
            came.append(accept(client, network, bap, django_capture_on_commit_callbacks))
        return real_answer(inbound, now)

    monkeypatch.setattr(processing, "_answer", answer)
    queued = list(no_queue["process"])
    tasks.process_inbound(first.pk)
    assert no_queue["process"] == [*queued, came[0].pk]  # its ring queued a task
    InboundMessage.objects.get(pk=first.pk, state=InboundState.DONE)
    tasks.process_inbound(came[0].pk)  # the task it queued
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundState.DONE}
