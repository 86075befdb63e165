"""How services hand work to the workers without knowing the Celery tasks.

The tasks (beckn.tasks) sit above the services they run, so services never import them:
they queue work through the publisher registered here, which beckn.apps sets when Django
starts (beckn.tasks.CeleryPublisher). Tests may register one of their own.

A worker that writes callbacks itself (processing an accepted message) delivers them
itself, right after its commit, instead of publishing a task per row for another worker
to take: inside `collecting()`, rows queued for delivery are noted, not published.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Publisher(Protocol):
    def deliver(self, outbox_id: int) -> None:
        """Queue the delivery of one outbox row."""

    def process(self, inbound_id: int) -> None:
        """Queue the processing of one accepted message."""


_publisher: Publisher | None = None
_local = threading.local()


def register(publisher: Publisher) -> None:
    global _publisher
    _publisher = publisher


def publisher() -> Publisher:
    if _publisher is None:
        raise RuntimeError("no task publisher registered: beckn.apps registers it at start-up")
    return _publisher


@contextmanager
def collecting() -> Iterator[list[int]]:
    """Outbox rows queued for delivery in this block (after their commit) are listed, not
    published: the caller delivers them. Blocks nest; the innermost one collects."""
    outer = getattr(_local, "collected", None)
    collected: list[int] = []
    _local.collected = collected
    try:
        yield collected
    finally:
        _local.collected = outer


def queue_delivery(outbox_id: int) -> None:
    """Called once the row's transaction has committed."""
    collected = getattr(_local, "collected", None)
    if collected is not None:
        collected.append(outbox_id)
    else:
        publisher().deliver(outbox_id)
