"""Accepted messages wake the workers through the doorbell (beckn.services.doorbell): with
a Redis cache one task message per wake-up, and the worker that takes it answers every
message waiting; without one, a task per message. A drain holds the bell while nothing
waits. How a drain takes each message: test_drain_take.py."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
from django.utils import timezone

from beckn import processing, tasks
from beckn.models import InboundMessage, InboundState
from beckn.services import doorbell, redisclient
from tests.beckn.drains import (
    accept,
    accept_many,
    callbacks_always_arrive,
    long_drain_slices,
)

whole_drains = pytest.fixture(long_drain_slices, autouse=True, name="whole_drains")
delivered = pytest.fixture(callbacks_always_arrive, name="delivered")


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
