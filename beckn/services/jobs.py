"""How services hand work to the workers without knowing the Celery tasks.

The tasks (beckn.tasks) sit above the services they run, so services never import them:
they queue work through the publisher registered here, which beckn.apps sets when Django
starts (beckn.tasks.CeleryPublisher). Tests may register one of their own.
"""

from __future__ import annotations

from typing import Protocol


class Publisher(Protocol):
    def deliver(self, outbox_id: int) -> None:
        """Queue the delivery of one outbox row."""

    def process(self, inbound_id: int) -> None:
        """Queue the processing of one accepted message."""

    def process_batch(self, inbound_ids: list[int]) -> None:
        """Queue the processing of several accepted messages as one task message."""


_publisher: Publisher | None = None


def register(publisher: Publisher) -> None:
    global _publisher
    _publisher = publisher


def publisher() -> Publisher:
    if _publisher is None:
        raise RuntimeError("no task publisher registered: beckn.apps registers it at start-up")
    return _publisher
