"""How a drain takes its messages (beckn.processing): one statement locks the next message
no other worker holds, a held one is passed over, not waited for; the take goes through
the index of open messages, planned for its values; a drain's callbacks are signed with
one read of the key, written leased to it and recorded at once, and one whose worker
died is sent after its lease."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn import processing, tasks
from beckn.models import DeliveryAttempt, InboundMessage, InboundState, Outbox, OutboxState
from beckn.services import delivery
from cpo_portal.outbound import courier, sweep
from tests.beckn import sending
from tests.beckn.drains import (
    accept,
    accept_many,
    callbacks_always_arrive,
    long_drain_slices,
)
from tests.support.beckn import answer_one

whole_drains = pytest.fixture(long_drain_slices, autouse=True, name="whole_drains")
delivered = pytest.fixture(callbacks_always_arrive, name="delivered")


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
        assert answer_one() is None  # passed over, not blocked behind the other
        assert InboundMessage.objects.get(pk=inbound.pk).state == InboundState.RECEIVED
    assert answer_one() == inbound.pk  # released: taken, and answered
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
        assert answer_one() is None  # answered messages are never locked again
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
    assert sweep.release_stuck(delivery.Callbacks(), later) == [row.pk]
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
