"""An ACK is a promise of a signed callback within the ttl: with no live worker host, or a
backlog that cannot be answered in time at the measured drain rate, a request gets a 503
NACK (code 50000) with Retry-After instead; what admission reads costs no query per
request; a quiet BAP's message takes its turn before a flooding BAP's older backlog; and a
worker that starts answers every message left waiting (services.admission,
services.heartbeat, beckn.tasks.answer_left_waiting)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from beckn import processing, tasks, worker_life
from beckn.models import InboundMessage, InboundState, Outbox, OutboxState, WorkerHeartbeat
from beckn.protocol import errors
from beckn.services import admission, delivery, doorbell, heartbeat, intake, slow_baps
from cpo_portal.outbound import courier
from tests.beckn import bap as msgs
from tests.beckn.bap import Bap
from tests.support.beckn import answer_one

SUPPORT = {"support": {"ref_id": "ord-admission"}}


@pytest.fixture
def admitting(settings, bap, our_key, no_queue):
    """Admission as deployed: no ACK without a live worker host."""
    settings.BECKN_ADMIT_WITHOUT_WORKERS = False
    settings.BECKN_WORKER_STALE_SECONDS = 3
    return settings


def alive(host: str = "worker@a", rate: float = 0.0, ago: float = 0.0) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        host=host, pid=100, pool="solo", consumer=True, drain_rate=rate,
        beat_at=timezone.now() - dt.timedelta(seconds=ago),
    )  # fmt: skip


def support(client, bap):
    return bap.post(client, "support", bap.body("support", SUPPORT))


def accepted(sender: Bap, at: dt.datetime) -> int:
    """A support request of `sender` accepted at `at`; its inbound row's id."""
    raw, headers = sender.signed("support", SUPPORT)
    answer = intake.accept("support", raw, headers, lambda pk: None, at)
    assert answer.status == 200, answer.body
    assert answer.inbound_id is not None
    return answer.inbound_id


def flood_and_quiet(bap: Bap, now: dt.datetime) -> tuple[list[int], int]:
    """A live worker host answering one message a second; five messages of `bap` accepted
    1.5 s ago and then one of a quiet BAP accepted `now`: their inbound ids."""
    alive(rate=1.0)
    quiet = Bap(subscriber_id="quiet.bap.example")
    quiet.register()
    flood = [accepted(bap, now - dt.timedelta(seconds=1.5)) for _ in range(5)]
    return flood, accepted(quiet, now)


def assert_unable(response) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["message"]["ack"]["status"] == "NACK"
    assert body["error"]["code"] == errors.POLICY_ERROR.code
    assert "temporarily unable" in body["error"]["message"]


@pytest.mark.django_db
def test_with_no_live_worker_host_a_request_gets_a_503_nack_and_is_not_stored(
    client, bap, admitting
):
    assert_unable(support(client, bap))
    admission.forget()
    alive(ago=4)  # a heartbeat older than BECKN_WORKER_STALE_SECONDS: a dead host
    assert_unable(support(client, bap))
    assert InboundMessage.objects.count() == 0
    admission.forget()
    WorkerHeartbeat.objects.create(  # a pool process alone is no live host
        host="worker@b", pid=7, pool="prefork", consumer=False, beat_at=timezone.now()
    )
    assert_unable(support(client, bap))


@pytest.mark.django_db
def test_declined_requests_log_one_warning_a_while_not_an_error_each(
    client, bap, admitting, caplog
):
    """Django logs every 5xx as an ERROR; a flood declined for want of a worker would
    bury the log. Admission logs one WARNING (with its count) per LOG_EVERY instead."""
    admission.forget()
    with caplog.at_level("INFO"):
        for _ in range(5):
            assert_unable(support(client, bap))
    assert not [r for r in caplog.records if r.name == "django.request"]
    declined = [r for r in caplog.records if r.name == admission.__name__]
    assert [r.levelname for r in declined] == ["WARNING"]
    assert "declined 1 Beckn message" in declined[0].getMessage()
    assert "no worker is running" in declined[0].getMessage()


@pytest.mark.django_db
def test_with_a_live_worker_host_the_request_is_acked(client, bap, admitting):
    alive()
    response = support(client, bap)
    assert response.status_code == 200, response.content
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_backlog_that_cannot_be_answered_within_the_ttl_gets_a_503_another_bap_an_ack(
    client, bap, admitting
):
    alive(rate=1.0)  # one answer a second: 30 waiting take 31 s, past a 30 s ttl
    now = timezone.now()
    waiting = dict(
        bap_id=bap.subscriber_id, action="support", body={}, body_digest="x",
        received_at=now, expires_at=now + dt.timedelta(seconds=30),
    )  # fmt: skip
    InboundMessage.objects.bulk_create(
        InboundMessage(message_id=f"m-{n}", transaction_id=f"t-{n}", **waiting) for n in range(30)
    )
    response = support(client, bap)
    assert_unable(response)
    assert "31 s at 1.0 answers/s" in response.json()["error"]["message"]
    assert InboundMessage.objects.count() == 30
    quiet = Bap(subscriber_id="quiet.bap.example")
    quiet.register()
    assert support(client, quiet).status_code == 200  # its turn comes next: 2 s away


@pytest.mark.django_db
def test_admission_reads_the_workers_and_backlog_at_most_every_half_second(
    bap, admitting, monkeypatch, django_assert_num_queries
):
    alive(rate=5.0)
    clock = [1000.0]
    monkeypatch.setattr(admission.time, "monotonic", lambda: clock[0])
    now = timezone.now()
    later = now + dt.timedelta(seconds=30)
    with django_assert_num_queries(2):  # the live heartbeats, the open messages per BAP
        assert admission.decide("bap-a", later, now).refusal == ""
    clock[0] += 0.4
    WorkerHeartbeat.objects.all().delete()
    with django_assert_num_queries(0):
        assert admission.decide("bap-a", later, now).refusal == ""  # remembered
    clock[0] += 0.2
    with django_assert_num_queries(2):
        assert admission.decide("bap-a", later, now).refusal != ""  # read again: no worker


@pytest.mark.django_db
def test_while_one_request_reads_the_view_again_the_others_decide_on_the_one_held(
    bap, admitting, monkeypatch
):
    """A process's greenlets all finding the view stale at once do not each read it."""
    alive(rate=5.0)
    clock = [1000.0]
    monkeypatch.setattr(admission.time, "monotonic", lambda: clock[0])
    now = timezone.now()
    later = now + dt.timedelta(seconds=30)
    admission.decide("bap-a", later, now)  # read
    clock[0] += 0.6  # stale
    real_read, reads, meanwhile = admission.read, [], []

    def read(at):
        reads.append(at)
        if len(reads) == 1:  # another request decides while this one reads
            meanwhile.append(admission.decide("bap-a", later, now).refusal)
        return real_read(at)

    monkeypatch.setattr(admission, "read", read)
    assert admission.decide("bap-a", later, now).refusal == ""
    assert len(reads) == 1 and meanwhile == [""]  # on the view held, not a read of its own


@pytest.mark.django_db
def test_a_quiet_baps_message_is_claimed_before_a_floods_older_backlog(
    bap, admitting, fake, no_queue
):
    """Turns go round the BAPs: the flood's five messages, accepted 1.5 s earlier at one
    answer a second, take turns at -1.5, -0.5, +0.5, +1.5 and +2.5 s; the quiet BAP's
    one, accepted now with nothing waiting, takes its turn now, third."""
    now = timezone.now()
    flood, quiet_one = flood_and_quiet(bap, now)
    claimed = [answer_one(now=now) for _ in range(6)]
    assert claimed == [flood[0], flood[1], quiet_one, *flood[2:]]


@pytest.mark.django_db
def test_without_a_shared_cache_the_tasks_answer_in_turn_not_in_the_brokers_order(
    bap, admitting, fake, no_queue
):
    """The embedded default (`make run`: no Redis, so no doorbell): a task per message, in
    the order they were queued, the quiet BAP's last. Each task answers the message whose
    turn comes first, so the quiet one is answered third, not sixth, and none is left."""
    assert not doorbell.in_use()
    now = timezone.now()
    flood, quiet_one = flood_and_quiet(bap, now)
    answered: list[int] = []
    for pk in [*flood, quiet_one]:  # the broker's order, as the worker takes them
        tasks.process_inbound(pk)
        done = InboundMessage.objects.filter(state=InboundState.DONE).exclude(pk__in=answered)
        answered.extend(done.values_list("pk", flat=True))
    assert answered == [flood[0], flood[1], quiet_one, *flood[2:]]
    assert sorted(Outbox.objects.values_list("inbound_id", flat=True)) == sorted(answered)


@pytest.mark.django_db
def test_a_worker_that_starts_answers_every_message_left_waiting_and_held_callbacks(
    client, network, bap, our_key, fake, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    """Left `received` by a worker that died a second ago (too young for the sweep's
    grace), and a callback written leased to that worker: a worker host that starts with
    no other alive answers the one and sends the other at once."""
    bodies = [bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))]
    bodies.append(bap.body("select", msgs.select(network.op_a.code, network.charger_a.code)))
    with django_capture_on_commit_callbacks(execute=True):
        for body in bodies:
            assert bap.post(client, "select", body).status_code == 200
    held, left = InboundMessage.objects.order_by("pk")
    with monkeypatch.context() as died:  # its callback written, never sent
        died.setattr(delivery.Courier, "send_held", lambda self, rows, now=None: {})
        assert tasks.answer_next() == held.pk  # the older of the two, first in turn
    callback = Outbox.objects.get(inbound=held)
    assert callback.state == OutboxState.SENDING and callback.leased_until > timezone.now()
    swept = {"released": 0, "expired": 0, "closed": 0, "requeued": 0, "reprocessed": 0}
    assert tasks.requeue_stuck() == swept

    no_queue["process"].clear()  # the tasks queued at the ACKs: lost with the dead worker
    started = timezone.now() + dt.timedelta(milliseconds=10)
    done = tasks.answer_left_waiting("worker@restarted", started.isoformat())
    assert done == {"released": 1, "reprocessed": 1}
    assert no_queue["process"] == [left.pk] and no_queue["deliver"] == [callback.pk]
    for pk in no_queue["process"]:
        tasks.process_inbound(pk)
    assert InboundMessage.objects.get(pk=left.pk).state == InboundState.DONE
    # due now, not when the dead worker's lease would have run out: the batch sends it
    arrived = courier.Outcome(200, "", "", OutboxState.DELIVERED)
    monkeypatch.setattr(delivery.Courier, "attempt", lambda self, row: arrived)
    tasks.deliver_now(no_queue["deliver"])
    assert Outbox.objects.get(pk=callback.pk).state == OutboxState.DELIVERED


@pytest.mark.django_db
def test_a_worker_that_starts_beside_a_live_host_leaves_that_hosts_callbacks_alone(
    client, network, bap, our_key, fake, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
    with django_capture_on_commit_callbacks(execute=True):
        assert bap.post(client, "select", body).status_code == 200
    monkeypatch.setattr(delivery.Courier, "send_held", lambda self, rows, now=None: {})
    assert tasks.answer_next() == InboundMessage.objects.get().pk
    alive("worker@other")
    started = timezone.now() + dt.timedelta(milliseconds=10)
    assert tasks.answer_left_waiting("worker@new", started.isoformat())["released"] == 0
    assert Outbox.objects.get().state == OutboxState.SENDING  # its own lease runs on


def test_a_ready_worker_beats_and_queues_the_answer_of_what_was_left(monkeypatch):
    started: list[tuple] = []
    queued: list[tuple] = []
    monkeypatch.setattr(heartbeat, "start", lambda *a, **kw: started.append((*a, kw)))
    monkeypatch.setattr(tasks.answer_left_waiting, "delay", lambda *a: queued.append(a))
    consumer = SimpleNamespace(hostname="worker@h", pool=None)
    worker_life._ready(sender=consumer)
    assert [(host, kw) for host, _pool, kw in started] == [
        ("worker@h", {"consumer": True, "width": 1})
    ]
    assert [host for host, _ in queued] == ["worker@h"]
    worker_life._named(sender="worker@h")
    worker_life._pool_process_started()
    assert started[-1] == ("worker@h", "prefork", {"consumer": False})
    threads = type("TaskPool", (), {"__module__": "celery.concurrency.thread"})()
    worker_life._ready(sender=SimpleNamespace(hostname="beckn@h", pool=threads, concurrency=4))
    assert started[-1] == ("beckn@h", "thread", {"consumer": True, "width": 4})


def test_the_drain_is_the_answering_processes_rates_an_unmeasured_one_as_the_others():
    beats = [
        heartbeat.Beat("w@a", True, "prefork", 0.0),  # hands messages out, answers none
        heartbeat.Beat("w@a", False, "prefork", 4.0),
        heartbeat.Beat("w@a", False, "prefork", 0.0),  # not measured yet
        heartbeat.Beat("w@b", True, "gevent", 2.0),
    ]
    assert heartbeat.drain(beats) == pytest.approx(9.0)
    assert heartbeat.drain(beats[:1]) == 0.0


@pytest.mark.django_db
def test_the_drain_rate_leaves_out_the_time_a_slow_bap_took_its_callback(monkeypatch):
    """A POST to a BAP slow to take its callbacks holds one process (slow_baps caps how
    many at once); counted in that process's rate, it would make each of its answers
    look slow, and admission would refuse the other BAPs' messages for it."""
    monkeypatch.setattr(heartbeat, "_meter", heartbeat._Meter())
    heartbeat.note_answered(heartbeat.WARM_UP, 30.0)  # loading what it keeps: not timed
    clock = [0.0]
    monkeypatch.setattr(tasks, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    slow_post = [False]

    def answer_in_turn() -> processing.Answered:
        clock[0] += 0.5  # the handler's half second
        if slow_post[0]:  # its callback's POST took six seconds more (as the courier notes)
            clock[0] += 6.0
            slow_baps.note("slow.bap.example", 6.0)
        return processing.Answered(1, more=False)

    monkeypatch.setattr(processing, "answer_in_turn", answer_in_turn)
    try:
        assert tasks.answer_next() == 1
        slow_post[0] = True
        assert tasks.answer_next() == 1
    finally:
        slow_baps.forget()
    assert heartbeat.drain_rate() == pytest.approx(2.0)  # two answers a second, not 0.9


@pytest.mark.django_db
def test_a_heartbeat_carries_the_drain_rate_and_goes_stale(settings, monkeypatch):
    settings.BECKN_WORKER_STALE_SECONDS = 3
    monkeypatch.setattr(heartbeat, "_meter", heartbeat._Meter())
    heartbeat.note_answered(heartbeat.WARM_UP, 30.0)  # loading what it keeps: not timed
    heartbeat.note_answered(4, 2.0)  # half a second each
    identity = heartbeat.Identity("worker@h", "gevent", consumer=True, pid=42)
    now = timezone.now()
    heartbeat.beat(identity, now)
    heartbeat.beat(identity, now)  # one row per process, written again
    assert heartbeat.live(now) == [("worker@h", True, "gevent", 2.0)]
    assert WorkerHeartbeat.objects.get().answered == 4 + heartbeat.WARM_UP
    assert heartbeat.live(now + dt.timedelta(seconds=3.5)) == []
    # four threads, each answering at that pace: the process answers four times as many
    heartbeat.beat(heartbeat.Identity("beckn@h", "thread", True, width=4, pid=43), now)
    assert ("beckn@h", True, "thread", 8.0) in heartbeat.live(now)
