"""Celery tasks: process an accepted message, deliver a callback, sweep what got stuck."""

from __future__ import annotations

import datetime as dt

from celery import Task, current_app, shared_task
from django.utils import timezone

from beckn import processing
from beckn.models import InboundMessage, InboundState, Outbox, OutboxState
from beckn.services import delivery, jobs

INBOUND_GRACE = dt.timedelta(seconds=30)
OUTBOX_GRACE = dt.timedelta(seconds=15)


@shared_task(name="beckn.process_inbound", ignore_result=True)
def process_inbound(inbound_id: int) -> None:
    process_and_answer([inbound_id])


def process_and_answer(inbound_ids: list[int]) -> None:
    """Answer the messages (those that can, in one transaction: processing.process_many)
    and send their callbacks here, right after the commit: no task message per callback
    and no wait for another worker. The attempts are written down together at the end
    (delivery.Courier); a retry goes back to the queue."""
    courier = delivery.Courier()
    results: dict[int, delivery.Result] = {}
    try:
        with jobs.collecting() as written:
            processing.process_many(inbound_ids)
        if written:
            results.update(courier.send(written))
    finally:
        courier.record()
    _retry_later(results)


CHUNK = 8  # most ids per task: few enough that a message never waits long behind its peers
SPLIT_FROM = 4  # a batch this big or bigger is shared by two tasks at least
# Redis serves priority 0 (the default) first; a busy BAP's messages go out at this one.
LOW_PRIORITY = 6


def chunks(inbound_ids: list[int]) -> list[list[int]]:
    """A batch in tasks: a small one whole; from SPLIT_FROM ids on, in halves of at most
    CHUNK, so that two worker processes answer it side by side (a task is answered in one
    transaction, so its last message waits for its first)."""
    if len(inbound_ids) < SPLIT_FROM:
        return [inbound_ids]
    size = min(CHUNK, -(-len(inbound_ids) // 2))
    return [inbound_ids[start : start + size] for start in range(0, len(inbound_ids), size)]


@shared_task(name="beckn.process_inbound_batch", ignore_result=True, bind=True)
def process_inbound_batch(self: Task, inbound_ids: list[int]) -> None:
    """A web process's batch: the first chunk here, the others fanned out to the workers
    (publishing costs CPU the web process should spend answering), at the batch's own
    priority. A row processed twice after a redelivery is still answered once: processing
    claims it conditionally."""
    head, *rest = chunks(inbound_ids)
    priority = (self.request.delivery_info or {}).get("priority")
    for chunk in rest:
        process_inbound_batch.apply_async((chunk,), priority=priority)
    process_and_answer(head)


@shared_task(name="beckn.deliver", ignore_result=True)
def deliver(outbox_id: int) -> str | None:
    result = deliver_now([outbox_id]).get(outbox_id)
    return result.state if result is not None else None


# Callbacks per beckn.deliver_batch message: a task message costs a worker about as much
# CPU as sending a few callbacks (consume, hand to a pool process, acknowledge), so one
# message carries many. They are claimed and recorded CLAIM at a time, so that no row
# waits under its lease behind more than CLAIM - 1 others (each POST may take the
# connect + read timeouts, 7 s; the lease is 60 s).
BATCH = 32
CLAIM = 8


@shared_task(name="beckn.deliver_batch", ignore_result=True)
def deliver_batch(outbox_ids: list[int]) -> None:
    """Several callbacks in one task message, delivered with shared queries."""
    deliver_now(outbox_ids)


def deliver_now(outbox_ids: list[int]) -> dict[int, delivery.Result]:
    """One attempt each, in this worker, CLAIM rows at a time (one read of the signing
    key for all); a retry is queued for when it is due."""
    courier = delivery.Courier()
    results: dict[int, delivery.Result] = {}
    try:
        for start in range(0, len(outbox_ids), CLAIM):
            results.update(courier.send(outbox_ids[start : start + CLAIM]))
            courier.record()
    finally:
        courier.record()
    _retry_later(results)
    return results


def _retry_later(results: dict[int, delivery.Result]) -> None:
    if current_app.conf.task_always_eager:  # eager (tests): the sweep retries
        return
    for outbox_id, result in results.items():
        if result.state == OutboxState.PENDING and result.next_attempt_at is not None:
            deliver.apply_async((outbox_id,), eta=result.next_attempt_at)


@shared_task(name="beckn.requeue_stuck", ignore_result=True)
def requeue_stuck() -> dict[str, int]:
    """Beat, every minute: leases that ran out, rows whose task was lost, messages never
    processed. Claiming is conditional, so a row queued twice is still sent once."""
    now = timezone.now()
    released = delivery.release_stuck(now)
    expired = delivery.expire_overdue(now)
    due = list(
        Outbox.objects.filter(
            state=OutboxState.PENDING, next_attempt_at__lte=now - OUTBOX_GRACE
        ).values_list("pk", flat=True)[:1000]
    )
    again = list(dict.fromkeys([*released, *due]))
    for start in range(0, len(again), BATCH):
        deliver_batch.delay(again[start : start + BATCH])
    waiting = list(
        InboundMessage.objects.filter(
            state__in=[InboundState.RECEIVED, InboundState.PROCESSING],
            received_at__lte=now - INBOUND_GRACE,
            attempts__lt=processing.MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in waiting:
        process_inbound.delay(pk)
    return {
        "released": len(released),
        "expired": expired,
        "requeued": len(due),
        "reprocessed": len(waiting),
    }


class CeleryPublisher:
    """The services' publisher (beckn.services.jobs): each call sends one task message."""

    def deliver(self, outbox_id: int) -> None:
        deliver.delay(outbox_id)

    def process(self, inbound_id: int) -> None:
        process_inbound.delay(inbound_id)

    def process_batch(self, inbound_ids: list[int], low: bool = False) -> None:
        if low:
            process_inbound_batch.apply_async((inbound_ids,), priority=LOW_PRIORITY)
        else:
            process_inbound_batch.delay(inbound_ids)
