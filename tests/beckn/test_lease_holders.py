"""Leases name their holder (cpo_portal.background.lease_holder): a worker process that
takes a message or a callback writes its name beside the lease, and once its heartbeat
has gone stale what it held is released at once, by the sweep or by a worker host that
starts, rather than when each lease runs out. A live holder's rows, and rows of no known
holder, keep their lease."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from multiprocessing.connection import Connection

import pytest
from django.utils import timezone

from beckn import processing, tasks
from beckn.models import InboundMessage, InboundState, Outbox, OutboxState, WorkerHeartbeat
from beckn.services import delivery, heartbeat, publication
from cpo_portal.background import lease_holder
from cpo_portal.outbound import courier, sweep
from tests.beckn import bap as msgs
from tests.beckn.sending import make_row
from tests.support import workers
from tests.support.beckn import answer_one

pytestmark = pytest.mark.django_db
DEAD, LIVE = lease_holder.of("beckn-1@h", 1), lease_holder.of("beckn-2@h", 2)


@pytest.fixture
def holders(settings, monkeypatch):
    """beckn-2@h beats; beckn-1@h's last beat is a minute old (killed)."""
    settings.BECKN_WORKER_STALE_SECONDS = 3
    now = timezone.now()
    assert workers.one_dead_one_live(now, "beckn") == (DEAD, LIVE)
    monkeypatch.setattr(lease_holder, "_name", "")
    return now


def take(holder: str, monkeypatch) -> InboundMessage:
    """The next waiting message, taken by the worker process `holder`, which then dies
    (this thread forgets the stamps the take read, as a worker's answer would)."""
    monkeypatch.setattr(lease_holder, "_name", holder)
    try:
        taken = processing._next_waiting(timezone.now())
    finally:
        publication.answered()
    monkeypatch.setattr(lease_holder, "_name", "")
    assert taken is not None
    return taken[0]


def test_a_process_holds_leases_once_its_heartbeat_is_written(monkeypatch):
    monkeypatch.setattr(lease_holder, "_name", "")
    identity = heartbeat.Identity("beckn-3@h", "threads", consumer=True)
    heartbeat.beat(identity)
    assert lease_holder.current() == ""  # a beat alone names nothing: the thread does
    heartbeat._Beating(identity).one_beat(0)  # the first beat of its thread
    assert lease_holder.current() == lease_holder.of("beckn-3@h", os.getpid())
    assert lease_holder.current() in heartbeat.live_holders(timezone.now())


def _say_holder(conn: Connection) -> None:
    conn.send(lease_holder.current())


def test_a_forked_child_holds_no_lease_under_its_parents_name(monkeypatch):
    """A prefork pool process is forked from its worker: it holds leases under its own
    name once its own heartbeat is written, never under the parent's meanwhile."""
    monkeypatch.setattr(lease_holder, "_name", LIVE)
    fork = multiprocessing.get_context("fork")
    parent_end, child_end = fork.Pipe()
    child = fork.Process(target=_say_holder, args=(child_end,))
    child.start()
    child.join(30)
    assert parent_end.recv() == ""
    assert lease_holder.current() == LIVE  # the parent's own stays


def test_only_fresh_heartbeats_hold_leases(holders):
    assert heartbeat.live_holders(holders) == {LIVE}
    assert lease_holder.alive(holders) == {LIVE}  # what the sweep of every sender asks


def test_heartbeats_all_late_together_take_no_process_for_dead(holders):
    """The database stalled for 10 s: no process could beat, so none fell behind the
    others; the one a minute behind them is still dead."""
    later = holders + dt.timedelta(seconds=10)
    assert heartbeat.live_holders(later) == {LIVE}
    WorkerHeartbeat.objects.all().delete()
    assert heartbeat.live_holders(later) == set()


def test_the_sweep_releases_at_once_what_a_dead_process_took(
    holders, client, network, bap, our_key, fake, no_queue, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
            assert bap.post(client, "select", body).status_code == 200
    dead, live, unknown = (take(holder, monkeypatch) for holder in (DEAD, LIVE, ""))
    assert [m.taken_by for m in InboundMessage.objects.order_by("pk")] == [DEAD, LIVE, ""]
    no_queue["process"].clear()

    tasks.requeue_stuck()  # no lease has run out yet

    states = dict(InboundMessage.objects.values_list("pk", "state"))
    assert states == {
        dead.pk: InboundState.RECEIVED,  # its holder died: free to be taken again now
        live.pk: InboundState.PROCESSING,  # its holder lives: held
        unknown.pk: InboundState.PROCESSING,  # no holder known: held until its lease runs out
    }
    assert answer_one() == dead.pk
    processing.release(timezone.now() + processing.LEASE)
    assert InboundMessage.objects.get(pk=unknown.pk).state == InboundState.RECEIVED


def test_the_sweep_sends_again_at_once_what_a_dead_process_was_sending(holders, local, bap):
    rows = {holder: make_row(bap) for holder in (DEAD, LIVE, "")}
    lease = holders + dt.timedelta(seconds=15)
    for holder, row in rows.items():
        Outbox.objects.filter(pk=row.pk).update(
            state=OutboxState.SENDING, leased_until=lease, leased_by=holder, attempts=1
        )

    released = sweep.release_stuck(delivery.Callbacks(), holders)

    assert released == [rows[DEAD].pk]
    states = dict(Outbox.objects.values_list("leased_by", "state"))
    assert states == {DEAD: OutboxState.PENDING, LIVE: OutboxState.SENDING, "": OutboxState.SENDING}
    cut = rows[DEAD].delivery_attempts.get()
    assert (cut.number, cut.error) == (1, sweep.STOPPED_MID_SEND)


def test_a_claim_and_a_callback_written_held_name_their_holder(
    holders, local, bap, monkeypatch, client, network, our_key, fake, no_queue,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    monkeypatch.setattr(lease_holder, "_name", LIVE)
    row = make_row(bap)
    [claimed] = courier.claim_many(delivery.Callbacks(), [row.pk], timezone.now())
    assert claimed.leased_by == LIVE == Outbox.objects.get(pk=row.pk).leased_by

    with django_capture_on_commit_callbacks(execute=True):
        body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
        assert bap.post(client, "select", body).status_code == 200
    monkeypatch.setattr(delivery.Courier, "send_held", lambda self, rows, now=None: {})
    answered = tasks.answer_next()
    callback = Outbox.objects.get(inbound=answered)
    assert (callback.state, callback.leased_by) == (OutboxState.SENDING, LIVE)
    assert InboundMessage.objects.get(pk=answered).taken_by == LIVE


def test_a_worker_started_again_beside_a_live_sibling_releases_its_dead_self(
    holders, client, network, bap, our_key, fake, no_queue, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """beckn-1@h was killed mid-answer and started again (a new process, a new pid) while
    beckn-2@h lived on: what the dead process held is answered now, not when its lease runs
    out; what its sibling holds is left alone."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
            assert bap.post(client, "select", body).status_code == 200
    dead, live = take(DEAD, monkeypatch), take(LIVE, monkeypatch)
    no_queue["process"].clear()

    started = timezone.now()
    done = tasks.answer_left_waiting("beckn-1@h", started.isoformat())

    assert done == {"released": 0, "reprocessed": 1}  # the dead one's message, queued
    assert InboundMessage.objects.get(pk=dead.pk).state == InboundState.RECEIVED
    assert InboundMessage.objects.get(pk=live.pk).state == InboundState.PROCESSING
