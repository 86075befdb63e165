"""One task message per wake-up of the workers, not one per accepted message.

Publishing a Celery task costs the web process about as much CPU as the rest of the ACK
(bench/results/beckn_ack.md), and the ACK must stay cheap. So once an accepted message is
committed, its request rings a bell: an atomic SET NX with a short expiry in the shared
Redis (services.redisclient). Only the ring that finds the bell silent publishes a task
(`beckn.process_inbound`); the worker that takes it silences the bell first, then answers
its message and every other one waiting (beckn.tasks).

Why nothing is missed: every commit is followed by a ring. A ring that finds the bell
silent publishes a task, which starts after that commit. A ring that finds it ringing
means a task is queued that has not yet silenced it, so that task starts after the
commit too; either way a worker looks for waiting messages after each one is committed.
A drain that finds nothing waiting may ring the bell itself while it waits a moment for
more (`hold`, then `wait`); a ring that finds the bell ringing also drops a token in the
bell's wake list, which ends that wait at once, and it came before the drain silences the
bell and looks once more, so that look finds its message.
A task the broker loses leaves the bell ringing for RING_SECONDS at most; the next ring
after that publishes again, and the sweep (beckn.tasks.requeue_stuck) catches a message
with no ring after it.

Rings of one process share their round trip (speed only: bench/results/beckn_ack.md, "one
ring for the commits before it"). A ring sent after a commit covers that commit, by the
argument above, so the requests of a process that commit while one of its rings is in
flight wait for it and then send one more ring together, not one each; a request whose
commit came before a ring that was sent and answered needs none of its own (and publishes
nothing: that ring did, or found a task queued).

Without a Redis cache (the embedded default) there is no bell shared by the web and
worker processes: every message publishes its own task, as Celery is used everywhere
else, and each task answers the waiting message whose turn comes first (beckn.tasks).
"""

from __future__ import annotations

import logging
import threading

import redis
from django.core.cache import caches

from beckn.services import redisclient

RING_SECONDS = 2

log = logging.getLogger(__name__)

# One round trip: the bell rung if silent (1: the caller publishes a task); if it rang
# already, a token in its wake list (at most one) for a worker waiting on it (`wait`).
_RING = """
if redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then return 1 end
redis.call('RPUSH', KEYS[2], 1)
redis.call('LTRIM', KEYS[2], 0, 0)
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 0
"""

_count_lock = threading.Lock()  # held for counting only
_ring_lock = threading.Lock()  # held through a ring's round trip
_arrived = 0  # rings asked for in this process (each after its caller's commit)
_covered = 0  # of them, those that a ring sent and answered came after


def _key() -> str:
    return caches["default"].make_key("beckn:doorbell")


def _wake_key() -> str:
    return caches["default"].make_key("beckn:doorbell:wake")


def in_use() -> bool:
    return redisclient.client() is not None


def ring() -> bool:
    """True when the caller must publish a task: no bell, or this ring woke it. Called
    after the caller's commit."""
    global _arrived, _covered
    ring_once = redisclient.script(_RING)
    if ring_once is None:
        return True
    with _count_lock:
        _arrived += 1
        mine = _arrived
    with _ring_lock:
        if _covered >= mine:  # a ring sent after this caller's commit has been answered
            return False
        with _count_lock:
            upto = _arrived  # every caller counted so far has committed: this ring covers it
        woke = bool(ring_once(keys=[_key(), _wake_key()], args=[RING_SECONDS]))
        _covered = upto
        return woke


def hold() -> bool:
    """A worker that found nothing waiting rings the bell itself while it waits a moment
    for more (True: it did; False: the bell rings already, so a task is queued that will
    look after every commit so far, or Redis did not answer and the drain stops). A commit
    meanwhile finds the bell ringing, queues no task and ends the wait; the worker then
    silences it and looks once more, after that commit."""
    client = redisclient.client()
    try:
        return client is not None and bool(client.set(_key(), 1, nx=True, ex=RING_SECONDS))
    except redis.RedisError as exc:  # no wait, then: a ring, the expiry or the sweep looks
        log.warning("doorbell: no hold (%s)", exc)
        return False


def wait(seconds: float) -> bool:
    """After `hold`: until a ring comes (True; or a token left by an earlier ring that
    found the bell ringing, which costs one look more, or an error from Redis) or `seconds`
    pass (False)."""
    client = redisclient.client()
    try:
        return client is not None and client.blpop([_wake_key()], timeout=seconds) is not None
    except redis.RedisError as exc:  # the caller looks once more, as after a ring
        log.warning("doorbell: no wait (%s)", exc)
        return True


def silence() -> None:
    """A worker is about to look for waiting messages: the next commit rings again."""
    client = redisclient.client()
    if client is not None:
        client.delete(_key())
