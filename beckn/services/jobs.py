"""How services hand work to the workers without knowing the Celery tasks.

The tasks (beckn.tasks) sit above the services they run, so services never import them:
they queue work through the publisher registered here, which beckn.apps sets when Django
starts (beckn.tasks.CeleryPublisher). Tests may register one of their own.

A worker that writes callbacks itself (processing an accepted message) delivers them
itself, right after its commit, instead of publishing a task per row for another worker
to take: inside `collecting()`, rows queued for delivery are noted, not published. With
`held`, the rows are also written already leased to this worker (services.outbox), so
that it sends them without claiming them first: one statement and one commit fewer per
callback. A worker that stops between the commit and the send leaves them to the sweep,
once the lease has run out (as one that stops mid-send does).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from beckn.models import Outbox


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
def collecting(held: bool = False) -> Iterator[list[Outbox]]:
    """Outbox rows queued for delivery in this block (after their commit) are listed, not
    published: the caller delivers them. `held`: the rows are written leased to this
    worker (holding()). Blocks nest; the innermost one collects."""
    outer = getattr(_local, "collected", None), getattr(_local, "held", False)
    collected: list[Outbox] = []
    _local.collected, _local.held = collected, held
    try:
        yield collected
    finally:
        _local.collected, _local.held = outer


def holding() -> bool:
    """Whether the callbacks written now are to be leased to this worker as they are written."""
    return bool(getattr(_local, "held", False))


def queue_delivery(row: Outbox) -> None:
    """Called once the row's transaction has committed."""
    collected = getattr(_local, "collected", None)
    if collected is not None:
        collected.append(row)
    else:
        publisher().deliver(row.pk)
