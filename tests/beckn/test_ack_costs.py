"""What one ACK costs outside the web process: one statement, two Redis calls. The rings
and the admission calls of requests that come while another is in flight share one round
trip; the ACK's own INSERT writes every column as the ORM would (cpo_portal.db.upserts)."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn.models import InboundMessage, InboundState
from beckn.services import doorbell, intake, redisclient
from cpo_portal.db import upserts
from tests.beckn import bap as msgs

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch):
    """The Redis commands sent by redis-py's clients, by name."""
    sent: list[str] = []
    execute = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]))
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def test_an_ack_is_one_statement_and_two_redis_calls(
    client, network, bap, our_key, no_queue, redis_cache, counted,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from beckn.services import registry

    redis_cache.BECKN_MAX_PENDING_PER_BAP = 100
    redis_cache.BECKN_REGISTRY_LOCAL_CACHE_SECONDS = 30
    redis_cache.BECKN_REGISTRY_CHECK_MS = 60_000
    registry.forget()
    message = msgs.select(network.op_a.code, network.charger_a.code)
    with django_capture_on_commit_callbacks(execute=True):  # warm: registry, admission
        assert bap.post(client, "select", bap.body("select", message)).status_code == 200
    counted.clear()
    body = bap.body("select", message)
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = bap.post(client, "select", body)
    assert response.status_code == 200, response.content
    # the rate limit with the backlog (one script), the doorbell after the commit (one)
    assert counted == ["EVALSHA", "EVALSHA"]
    # the test's transaction wraps it in a savepoint; deployed, it is a statement alone
    sent = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sent) == 1 and sent[0].startswith("INSERT") and "ON CONFLICT" in sent[0], sent


def test_the_insert_writes_what_the_orm_would_and_skips_a_taken_key():
    now = timezone.now()
    values = {
        "bap_id": "b.example", "message_id": "m-1", "action": "select",
        "transaction_id": "t-1", "body": {"context": {"n": 1}, "message": {"é": [1.5]}},
        "body_digest": "BLAKE-512=x", "key_id": "k1", "received_at": now,
        "expires_at": now, "fair_at": now,
    }  # fmt: skip
    new_id = upserts.insert(InboundMessage, values, intake.ONE_MESSAGE_PER_BAP)
    row = InboundMessage.objects.get(pk=new_id)
    for name, value in values.items():
        assert getattr(row, name) == value, name
    assert (row.state, row.attempts, row.processed_at, row.error) == (
        InboundState.RECEIVED, 0, None, "",
    )  # fmt: skip
    taken = {**values, "action": "init"}
    assert upserts.insert(InboundMessage, taken, intake.ONE_MESSAGE_PER_BAP) is None  # the key
    assert InboundMessage.objects.get(pk=new_id).action == "select"


def test_nothing_listens_to_the_messages_model_signals():
    """The ACK's INSERT sends none of them (cpo_portal.db.upserts)."""
    for signal in (signals.pre_init, signals.post_init, signals.pre_save, signals.post_save):
        assert not signal.has_listeners(InboundMessage), signal


class _SlowBell:
    """A stand-in for the doorbell's ring script whose first ring waits until let go."""

    def __init__(self) -> None:
        self.sets = 0
        self.first_sent = threading.Event()
        self.go = threading.Event()
        self.ringing = False

    def __call__(self, keys, args):
        self.sets += 1
        if self.sets == 1:
            self.first_sent.set()
            self.go.wait(5)
        woke = not self.ringing
        self.ringing = True
        return woke


def test_rings_that_wait_for_one_in_flight_share_the_next(monkeypatch):
    bell = _SlowBell()
    monkeypatch.setattr(redisclient, "script", lambda source: bell)
    answers: list[bool] = []

    def ring() -> None:
        answers.append(doorbell.ring())

    first = threading.Thread(target=ring)
    first.start()
    assert bell.first_sent.wait(5)
    before = doorbell._arrived
    others = [threading.Thread(target=ring) for _ in range(3)]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 5
    while doorbell._arrived < before + 3 and time.monotonic() < deadline:
        time.sleep(0.001)
    bell.go.set()
    for thread in [first, *others]:
        thread.join(5)
    # the first ring was sent before their commits were counted: one more, for all three
    assert bell.sets == 2
    assert sorted(answers) == [False, False, False, True]  # only the first woke the bell


def test_a_ring_after_an_answered_one_is_sent(monkeypatch):
    bell = _SlowBell()
    bell.go.set()
    monkeypatch.setattr(redisclient, "script", lambda source: bell)
    assert doorbell.ring() is True
    assert doorbell.ring() is False  # the bell rings: a task is queued
    assert bell.sets == 2  # each commit rang after the one before was answered


def test_admissions_that_wait_for_one_in_flight_share_the_next_call(monkeypatch):
    from beckn.services import backlog

    calls: list[list[str]] = []
    first_sent, go = threading.Event(), threading.Event()

    def admit_many(messages, now):
        calls.append([m.message_id for m in messages])
        if len(calls) == 1:
            first_sent.set()
            go.wait(5)
        return [None if m.message_id != "m3" else 7 for m in messages]  # m3: its BAP is full

    monkeypatch.setattr(backlog, "admit_many", admit_many)
    monkeypatch.setattr(backlog.redisclient, "script", lambda source: object())
    now = timezone.now()
    answers: dict[str, int | None] = {}

    def admit(message_id: str) -> None:
        message = backlog.Message("b.example", message_id, now)
        answers[message_id] = backlog.admit_one(message, now)

    first = threading.Thread(target=admit, args=("m0",))
    first.start()
    assert first_sent.wait(5)
    others = [threading.Thread(target=admit, args=(f"m{n}",)) for n in (1, 2, 3)]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 5
    while len(backlog._queued) < 3 and time.monotonic() < deadline:
        time.sleep(0.001)
    go.set()
    for thread in [first, *others]:
        thread.join(5)
    assert calls[0] == ["m0"] and sorted(calls[1]) == ["m1", "m2", "m3"] and len(calls) == 2
    assert answers == {"m0": None, "m1": None, "m2": None, "m3": 7}  # each its own answer
