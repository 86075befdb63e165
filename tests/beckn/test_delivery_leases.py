"""Callbacks and the workers that send them: a worker that outlived its lease, died mid-send
or was held up by slow BAPs, a subscriber that moved or left, and the sweep taking rows back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from beckn import tasks
from beckn.models import (
    DeliveryAttempt,
    Outbox,
    OutboxState,
    Subscriber,
)
from beckn.protocol.signing import generate_keypair
from beckn.services import delivery, jobs
from beckn.simulator.receiver import CallbackReceiver
from cpo_portal.outbound import courier, sweep
from tests.beckn import bap as msgs
from tests.beckn import sending
from tests.beckn.sending import make_row

pytestmark = pytest.mark.django_db


def test_a_worker_that_outlived_its_lease_does_not_overwrite_the_row(local, bap):
    """Worker 1 hangs past its lease; the sweep releases the row and worker 2 re-claims it.
    Worker 1's failure must not put worker 2's row back to pending (a third send)."""
    row = make_row(bap)
    now = timezone.now()
    first = sending.claim(row.pk, now)
    later = now + dt.timedelta(seconds=120)
    assert sweep.release_stuck(delivery.Callbacks(), later) == [row.pk]
    second = sending.claim(row.pk, later)
    assert second is not None and second.leased_until != first.leased_until
    courier.reschedule(delivery.Callbacks(), first, later, "worker 1: read timeout")
    courier.finish(delivery.Callbacks(), first, later, OutboxState.REJECTED, "worker 1: HTTP 400")
    row.refresh_from_db()
    assert (row.state, row.leased_until) == (OutboxState.SENDING, second.leased_until)
    courier.finish(
        delivery.Callbacks(), first, later, OutboxState.DELIVERED, ""
    )  # but an arrival counts
    row.refresh_from_db()
    assert row.state == OutboxState.DELIVERED


def test_an_attempt_cut_short_by_a_dead_worker_is_recorded_once(local, bap):
    """A SIGKILLed worker records nothing; the sweep writes that attempt's row (so the admin
    shows as many attempts as the row counts), once, and a worker that was only slow and
    finishes after all replaces it with what really happened."""
    row = make_row(bap)
    now = timezone.now()
    assert sending.deliver(row.pk, now) is not None  # attempt 1, recorded by its worker
    Outbox.objects.filter(pk=row.pk).update(state=OutboxState.PENDING, next_attempt_at=now)
    claimed = sending.claim(row.pk, now)  # attempt 2: its worker is killed mid-POST
    later = now + dt.timedelta(seconds=120)
    assert sweep.release_stuck(delivery.Callbacks(), later) == [row.pk]
    assert (
        sweep.release_stuck(delivery.Callbacks(), later) == []
    )  # nothing stuck any more: no second row
    attempts = list(DeliveryAttempt.objects.filter(outbox=row).order_by("number"))
    assert [a.number for a in attempts] == [1, 2] == list(range(1, claimed.attempts + 1))
    cut = attempts[1]
    assert (cut.outcome, cut.status_code, cut.error) == (
        OutboxState.SENDING, None, sweep.STOPPED_MID_SEND,
    )  # fmt: skip
    assert cut.started_at == claimed.leased_until - dt.timedelta(
        seconds=delivery.conf.get("BECKN_CALLBACK_LEASE")
    )


def test_a_slow_worker_s_own_record_replaces_the_sweep_s(local, bap, monkeypatch, settings):
    """The sweep ran while the worker was still in its POST (lease too short); when the
    worker finishes, what really happened replaces the "no outcome" row: one row, the real
    status."""
    settings.BECKN_CALLBACK_LEASE = 0  # over before the POST ends
    row = make_row(bap)
    real = delivery.Courier.attempt

    def slow(self, claimed):
        assert sweep.release_stuck(
            delivery.Callbacks(), timezone.now() + dt.timedelta(seconds=120)
        ) == [row.pk]
        assert DeliveryAttempt.objects.get(outbox=row).error == sweep.STOPPED_MID_SEND
        return real(self, claimed)

    monkeypatch.setattr(delivery.Courier, "attempt", slow)
    sending.deliver(row.pk)
    attempt = DeliveryAttempt.objects.get(outbox=row)  # one row for attempt 1
    assert (attempt.number, attempt.status_code, attempt.outcome, attempt.error) == (
        1, 200, OutboxState.DELIVERED, "",
    )  # fmt: skip


@pytest.fixture
def moved(bpp, our_key):
    """Where the BAP's callbacks go after it moves."""
    ours = {(msgs.BPP_ID, our_key.key_id): our_key.public_key}
    server = CallbackReceiver(lookup=lambda s, k: ours.get((s, k))).start()
    yield server
    server.stop()


def test_a_queued_callback_goes_to_the_url_registered_when_it_is_sent(local, moved, bap):
    row = make_row(bap)
    assert row.target_url == local.url + "/beckn/on_status"  # queued for the old URL
    new_key = generate_keypair()[1]
    # re-registered: same ids, a new URL and key
    call_command(
        "beckn_subscriber", "add", "--subscriber-id", bap.subscriber_id, "--type", "BAP",
        "--url", moved.url + "/beckn", "--key-id", bap.key_id, "--signing-public-key", new_key,
    )  # fmt: skip
    assert tasks.deliver(row.pk) == OutboxState.DELIVERED
    assert moved.wait_for("on_status", row.message_id).signer == f"{msgs.BPP_ID}|bpp-key-1"
    assert local.received == []
    attempt = DeliveryAttempt.objects.get(outbox=row)
    row.refresh_from_db()
    assert attempt.target_url == row.target_url == moved.url + "/beckn/on_status"


def _suspend(bap):
    row = Subscriber.objects.get(subscriber_id=bap.subscriber_id)
    row.status = "SUSPENDED"
    row.save()


@pytest.mark.parametrize(
    "leave",
    [
        lambda bap: call_command(
            "beckn_subscriber", "remove", "--subscriber-id", bap.subscriber_id
        ),
        _suspend,
    ],
    ids=["removed", "suspended"],
)
def test_a_queued_callback_is_not_sent_once_the_subscriber_is_gone(local, bap, leave):
    row = make_row(bap)
    assert row.state == OutboxState.PENDING
    leave(bap)
    assert tasks.deliver(row.pk) == OutboxState.UNDELIVERABLE
    assert local.received == []
    row.refresh_from_db()
    attempt = DeliveryAttempt.objects.get(outbox=row)
    assert (attempt.outcome, attempt.target_url, attempt.status_code) == ("undeliverable", "", None)
    why = f"not sent: {bap.subscriber_id} has no registered callback URL now"
    assert attempt.error.startswith(why) and row.last_error == attempt.error


def test_a_dead_worker_s_callback_is_sent_again_inside_a_30_second_ttl(local, bap, settings):
    """A worker SIGKILLed mid-send leaves its row leased; the lease is short enough that the
    sweep (every BECKN_REQUEUE_EVERY) hands it back and it is delivered before the ttl."""
    row = make_row(bap, ttl_seconds=30)
    now = timezone.now()
    assert sending.claim(row.pk, now) is not None  # then the worker dies
    lease = delivery.conf.get("BECKN_CALLBACK_LEASE")
    swept = now + dt.timedelta(seconds=lease + settings.BECKN_REQUEUE_EVERY)
    assert sweep.release_stuck(delivery.Callbacks(), swept) == [row.pk]
    assert sending.deliver(row.pk, swept).state == OutboxState.DELIVERED
    row.refresh_from_db()
    assert row.delivered_at < row.expires_at - delivery.Callbacks.final_try


def test_a_worker_held_up_by_slow_baps_renews_its_lease(local, bap):
    rows = [make_row(bap), make_row(bap)]
    now = timezone.now()
    claimed = sending.claim_many([row.pk for row in rows], now)
    later = now + dt.timedelta(seconds=10)  # the first POST took its whole timeout
    assert sending.renew(claimed, later) == {row.pk for row in rows}
    lease = dt.timedelta(seconds=delivery.conf.get("BECKN_CALLBACK_LEASE"))
    assert all(row.leased_until == later + lease for row in claimed)
    assert (
        sweep.release_stuck(delivery.Callbacks(), now + lease + dt.timedelta(seconds=1)) == []
    )  # still ours


def test_rows_written_leased_at_different_moments_are_all_renewed(
    local, bap, django_capture_on_commit_callbacks
):
    now = timezone.now()
    # the rows are listed once committed, while the collecting block is still open
    with jobs.collecting(held=True) as written, django_capture_on_commit_callbacks(execute=True):
        rows = [make_row(bap), make_row(bap)]
    Outbox.objects.filter(pk=rows[1].pk).update(leased_until=now + dt.timedelta(seconds=3))
    written[1].leased_until = now + dt.timedelta(seconds=3)  # answered a moment later
    later = now + dt.timedelta(seconds=10)
    assert sending.renew(written, later) == {row.pk for row in rows}
    assert delivery.Courier().send_held(written, later).keys() == {row.pk for row in rows}


def test_a_row_the_sweep_took_back_is_not_sent_by_the_late_worker(
    local, bap, settings, monkeypatch
):
    """No duplicate callback: the worker's first POST outlasts its lease, the sweep hands the
    second row back meanwhile (another worker may send it), so this worker leaves it."""
    settings.BECKN_CALLBACK_LEASE = 1  # under one attempt: renewed before every POST
    first, second = make_row(bap), make_row(bap)
    real = delivery.Courier.attempt

    def slow(self, row):
        later = timezone.now() + dt.timedelta(seconds=120)
        assert second.pk in sweep.release_stuck(delivery.Callbacks(), later)
        return real(self, row)

    monkeypatch.setattr(delivery.Courier, "attempt", slow)
    results = sending.deliver_many([first.pk, second.pk])
    assert list(results) == [first.pk]
    local.wait_for("on_status", first.message_id)
    second.refresh_from_db()
    assert (second.state, second.leased_until) == (OutboxState.PENDING, None)
    sent = [got.body["context"]["message_id"] for got in local.received]
    assert sent == [first.message_id]
