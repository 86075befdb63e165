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
A task the broker loses leaves the bell ringing for RING_SECONDS at most; the next ring
after that publishes again, and the sweep (beckn.tasks.requeue_stuck) catches a message
with no ring after it.

Without a Redis cache (the embedded default) there is no bell shared by the web and
worker processes: every message publishes its own task, as Celery is used everywhere
else.
"""

from __future__ import annotations

from django.core.cache import caches

from beckn.services import redisclient

RING_SECONDS = 2


def _key() -> str:
    return caches["default"].make_key("beckn:doorbell")


def in_use() -> bool:
    return redisclient.client() is not None


def ring() -> bool:
    """True when the caller must publish a task: no bell, or this ring woke it."""
    client = redisclient.client()
    if client is None:
        return True
    return bool(client.set(_key(), 1, nx=True, ex=RING_SECONDS))


def silence() -> None:
    """A worker is about to look for waiting messages: the next commit rings again."""
    client = redisclient.client()
    if client is not None:
        client.delete(_key())
