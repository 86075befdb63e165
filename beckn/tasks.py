"""Celery tasks: process an accepted message, deliver a callback, sweep what got stuck."""

from __future__ import annotations

import datetime as dt
import time

from celery import current_app, shared_task
from django.db.models import QuerySet
from django.utils import timezone

from beckn import conf, processing
from beckn.models import InboundMessage, OutboxState
from beckn.services import delivery, doorbell, heartbeat, jobs, retention, slow_baps
from cpo_portal.outbound import sweep
from cpo_portal.outbound.senders import Result

# A message queued for a worker is normally taken within a second or two, even during a
# flood (each BAP may have at most BECKN_MAX_PENDING_PER_BAP waiting); one still
# `received` after this was lost on the way (the publish failed, the broker lost it, or
# the worker that held it was killed) and is queued again. With the sweep every
# BECKN_REQUEUE_EVERY seconds (5), such a message is answered within about 10 s of its
# arrival: inside the shortest ttl a BAP gets (BECKN_CALLBACK_MIN_WINDOW).
INBOUND_GRACE = dt.timedelta(seconds=5)
OUTBOX_GRACE = dt.timedelta(seconds=5)


# A worker woken by the doorbell (services.doorbell) answers the waiting messages one at
# a time, in turn (fair_at: services.admission), for up to DRAIN_SECONDS; then it rings
# again, so that a long flood goes on in a new task message queued behind the others.
# The other Beckn tasks (a callback's retry, the callbacks a dead worker held, the sweep)
# so wait behind one drain's slice at most, never behind a whole flood: with the drains
# holding every worker process, they would wait until the flood ends, past their ttl.
# Other workers woken meanwhile share the same rows: each locks the next one no other
# worker holds, by one statement (processing.answer_in_turn). Each answer's callbacks are
# sent, and how they went written down, before the next message is taken: a callback
# waits for no other answer, and a worker killed after a callback arrived leaves no
# delivered row unrecorded, to be sent again once its lease runs out (batches and
# records of several answers were measured: bench/results/select.md,
# bench/results/callbacks.md).
DRAIN_SECONDS = 1.0
# A drain that finds nothing waiting holds the doorbell for up to this long before it
# stops (doorbell.hold, doorbell.wait): a message committed meanwhile rings the held bell,
# which ends the wait at once, and is answered by this drain, not by a new task through
# the broker (speed only: bench/results/select.md, "a drain that waits for more").
LINGER_SECONDS = 0.03


@shared_task(name="beckn.process_inbound", ignore_result=True)
def process_inbound(inbound_id: int | None = None) -> None:
    """Answer the waiting messages in turn, `inbound_id` among them in its turn, not first
    (a task queued for an old message, by the sweep or a ring, must not let it pass a
    quiet BAP's newer one): with the doorbell in use, every message waiting (a drain);
    without it, the one message whose turn comes first.

    Without the doorbell every message has a task of its own (and the sweep queues one for
    each message it finds left), each task started after its message was committed, and
    each answers one message while any waits: so the tasks still queued are never fewer
    than the messages waiting, and none is left when the queue is empty. The message a
    task answers is the next in turn, whichever task it was queued for."""
    if not doorbell.in_use():
        answer_next()
        return
    doorbell.silence()
    courier = delivery.Courier()  # one read of the signing key for the whole drain
    try:
        if _drain(courier) and doorbell.ring():
            process_inbound.delay()
    finally:
        courier.record()


def _drain(courier: delivery.Courier) -> bool:
    """Answer the waiting messages in turn for as long as DRAIN_SECONDS lasts, and when
    none waits (a take found none, or the last one said no other was waiting: a message
    committed since rang the bell, which the hold then finds ringing), hold the bell
    until a message rings it or LINGER_SECONDS pass, then look once more; True when there
    may be more."""
    ends = time.monotonic() + DRAIN_SECONDS
    lingered, more = False, True
    while True:
        answered = _answer_in_turn(courier) if more else None
        if answered is not None:
            courier.record()
            lingered, more = False, answered.more
            if time.monotonic() >= ends:
                return True
        elif lingered or not doorbell.hold():
            return False  # looked again after the wait, or a queued task will look
        else:
            doorbell.wait(LINGER_SECONDS)  # a message committed meanwhile rings the held bell
            doorbell.silence()  # and the next look finds it
            lingered, more = True, True


def answer_next(courier: delivery.Courier | None = None) -> int | None:
    """Answer the waiting message whose turn comes first that no other worker holds, and
    send its callbacks here, right after the commit: no task message per callback and no
    wait for another worker; its id, None when none waits. A courier handed in is reused
    (its signing key read once for many calls, as a drain does: bench/select_answer.py),
    and its owner writes down the attempts (Courier.record); a retry goes back to the
    queue."""
    answered = _answer_in_turn(courier)
    return None if answered is None else answered.inbound_id


def _answer_in_turn(courier: delivery.Courier | None) -> processing.Answered | None:
    started, held = time.monotonic(), slow_baps.held_seconds()
    own = courier is None
    courier = courier or delivery.Courier()
    results: dict[int, Result] = {}
    try:
        with jobs.collecting(held=True) as written:  # written leased to this worker
            answered = processing.answer_in_turn()
        if written:
            results.update(courier.send_held(written))
    finally:
        if own:
            courier.record()
    _retry_later(results)
    # the drain rate is the answering's: a POST to a slow BAP is left out (services.slow_baps)
    slow = slow_baps.held_seconds() - held
    heartbeat.note_answered(int(answered is not None), time.monotonic() - started - slow)
    return answered


@shared_task(name="beckn.deliver", ignore_result=True)
def deliver(outbox_id: int) -> str | None:
    result = deliver_now([outbox_id]).get(outbox_id)
    return result.state if result is not None else None


# Callbacks per beckn.deliver_batch message: a task message costs a worker about as much
# CPU as sending a few callbacks (consume, hand to a pool process, acknowledge), so one
# message carries many. They are claimed and recorded CLAIM at a time, so that no row
# waits under its lease behind more than CLAIM - 1 others (each POST may take the
# BECKN_CALLBACK_DEADLINE; the lease, BECKN_CALLBACK_LEASE, is at least twice that).
BATCH = 32
CLAIM = 8


@shared_task(name="beckn.deliver_batch", ignore_result=True)
def deliver_batch(outbox_ids: list[int]) -> None:
    """Several callbacks in one task message, delivered with shared queries."""
    deliver_now(outbox_ids)


def deliver_now(outbox_ids: list[int]) -> dict[int, Result]:
    """One attempt each, in this worker, CLAIM rows at a time (one read of the signing
    key for all); a retry is queued for when it is due."""
    courier = delivery.Courier()
    results: dict[int, Result] = {}
    try:
        for start in range(0, len(outbox_ids), CLAIM):
            results.update(courier.send(outbox_ids[start : start + CLAIM]))
            courier.record()
    finally:
        courier.record()
    _retry_later(results)
    return results


def _retry_later(results: dict[int, Result]) -> None:
    if current_app.conf.task_always_eager:  # eager (tests): the sweep retries
        return
    for outbox_id, result in results.items():
        if result.state == OutboxState.PENDING and result.next_attempt_at is not None:
            deliver.apply_async((outbox_id,), eta=result.next_attempt_at)


@shared_task(name="beckn.requeue_stuck", ignore_result=True)
def requeue_stuck() -> dict[str, int]:
    """Beat, every few seconds: leases that ran out (of messages and callbacks), or
    whose worker process died (its heartbeat went stale: it is not among the live lease
    holders), rows whose task was lost, messages never processed (while their answer can
    still arrive in time; failed once it cannot: processing.close_overdue). Claiming is
    conditional, so a row queued twice is still sent once."""
    now = timezone.now()
    processing.release(now - processing.LEASE)
    closed = processing.close_overdue(now)
    callbacks = delivery.Callbacks()
    released = sweep.release_stuck(callbacks, now)
    expired = sweep.expire_overdue(callbacks, now)
    due = list(sweep.due(callbacks, now - OUTBOX_GRACE).values_list("pk", flat=True)[:1000])
    again = list(dict.fromkeys([*released, *due]))
    for start in range(0, len(again), BATCH):
        deliver_batch.delay(again[start : start + BATCH])
    waiting = _queue_waiting(
        processing.unanswered(now).filter(received_at__lte=now - INBOUND_GRACE)
    )
    return {
        "released": len(released),
        "expired": expired,
        "closed": closed,
        "requeued": len(due),
        "reprocessed": len(waiting),
    }


def _queue_waiting(rows: QuerySet[InboundMessage]) -> list[int]:
    """These messages (up to 1000) handed to the workers, in turn; their ids. With the
    doorbell in use one task answers them all (the worker drains every waiting message),
    so one is queued; without it, a task each."""
    waiting = list(rows.order_by("fair_at", "pk").values_list("pk", flat=True)[:1000])
    if waiting and doorbell.in_use():
        process_inbound.delay()
        return waiting
    for pk in waiting:
        process_inbound.delay(pk)
    return waiting


@shared_task(name="beckn.answer_left_waiting", ignore_result=True)
def answer_left_waiting(host: str, started_at: str) -> dict[str, int]:
    """Queued by a worker host once it is ready (beckn.worker_life): every message left
    waiting is answered now, whatever its age (its task was lost with a worker that died
    or a broker that was flushed, and no sweep need wait for INBOUND_GRACE). The messages
    and callbacks that worker processes now dead held (a worker killed, then started
    again as this one) are answered and sent now rather than when their lease runs out;
    with no other live worker host, so is everything leased before this host started
    (leases of no known holder among them)."""
    now = timezone.now()
    if any(beat.consumer and beat.host != host for beat in heartbeat.live(now)):
        processing.release(now - processing.LEASE)  # what dead processes held, as the sweep
        released = sweep.release_stuck(delivery.Callbacks(), now)
    else:
        # every lease taken before this host started was a dead worker's: due now, not
        # when that lease would have run out
        started = dt.datetime.fromisoformat(started_at)
        processing.release(started)
        lease = conf.seconds("BECKN_CALLBACK_LEASE")
        released = sweep.release_stuck(delivery.Callbacks(), now, started + lease)
    for start in range(0, len(released), BATCH):
        deliver_batch.delay(released[start : start + BATCH])
    waiting = _queue_waiting(processing.unanswered(now))
    return {"released": len(released), "reprocessed": len(waiting)}


@shared_task(name="beckn.catalog_push_due", ignore_result=True)
def catalog_push_due() -> int:
    """Beat: the catalog's changes recorded, and each BAP subscribed to them (ONDC
    `catalog_inc` mode start) sent those since its last push (services.catalog_refresh)."""
    from beckn.services import catalog_refresh

    return catalog_refresh.push_due(timezone.now())


@shared_task(name="beckn.cds_publish_due", ignore_result=True)
def cds_publish_due() -> int:
    """Beat: catalogs changed since their last publish (or never published) go to the
    operator's Catalog Discovery Service (services.cds)."""
    from beckn.services import cds

    return cds.publish_due()


@shared_task(name="beckn.prune_messages", ignore_result=True)
def prune_messages() -> dict[str, int]:
    """Beat, every ten minutes: what has been kept for BECKN_KEEP_MESSAGES_DAYS goes."""
    pruned = retention.prune(timezone.now())
    return {"requests": pruned.requests, "callbacks": pruned.callbacks}


class CeleryPublisher:
    """The services' publisher (beckn.services.jobs)."""

    def deliver(self, outbox_id: int) -> None:
        deliver.delay(outbox_id)

    def process(self, inbound_id: int) -> None:
        if doorbell.ring():  # else a queued task will find this message
            process_inbound.delay(inbound_id)
