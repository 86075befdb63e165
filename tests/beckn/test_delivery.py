"""Callback delivery: signed, to the registered URL only, retried until the ttl, recorded,
and never to a private address unless development allows it."""

from __future__ import annotations

import datetime as dt
import json
import socket
import uuid

import pytest
from django.utils import timezone

from beckn import tasks
from beckn.models import (
    DeliveryAttempt,
    InboundMessage,
    Outbox,
    OutboxState,
    Subscriber,
)
from beckn.services import delivery, outbox
from cpo_portal.db.utf8_text import Utf8Text
from cpo_portal.outbound import transport
from tests.beckn import bap as msgs
from tests.beckn import sending
from tests.beckn.sending import make_row
from tests.support.drip import Drip

pytestmark = pytest.mark.django_db


def test_delivered_signed_by_our_active_key(local, bap):
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.DELIVERED
    got = local.wait_for("on_status", row.message_id)
    assert got.signer == f"{msgs.BPP_ID}|bpp-key-1"
    assert got.body["error"]["code"] == "30010"
    row.refresh_from_db()
    assert row.state == OutboxState.DELIVERED and row.delivered_at is not None
    attempt = DeliveryAttempt.objects.get(outbox=row)
    assert (attempt.number, attempt.status_code, attempt.outcome) == (1, 200, "delivered")
    assert attempt.target_url == local.url + "/beckn/on_status"


def test_goes_to_the_registered_url_never_the_bap_uri(local, bap):
    row = make_row(bap, bap_uri="http://169.254.169.254/steal")
    assert row.target_url == local.url + "/beckn/on_status"


def test_retried_with_backoff_then_delivered(local, bap, settings):
    settings.BECKN_CALLBACK_BACKOFF_BASE = 2.0
    local.script = [(503, {"oops": True})]
    row = make_row(bap)
    start = timezone.now()
    first = sending.deliver(row.pk, now=start)
    assert first.state == OutboxState.PENDING
    wait = (first.next_attempt_at - start).total_seconds()
    assert 1.0 <= wait <= 2.5
    assert sending.deliver(row.pk, now=start) is None  # not due yet: nobody may send it
    second = sending.deliver(row.pk, now=first.next_attempt_at)
    assert second.state == OutboxState.DELIVERED
    assert list(row.delivery_attempts.values_list("status_code", "outcome")) == [
        (503, "pending"),
        (200, "delivered"),
    ]


@pytest.mark.parametrize(
    "answer, error",
    [
        ((200, {"message": {"ack": {"status": "NACK"}}, "error": {"code": "30016"}}), "NACK"),
        ((401, {}), "HTTP 401"),
        ((302, {}), "redirects are not followed"),
    ],
)
def test_rejections_are_final(local, bap, answer, error):
    local.script = [answer]
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.REJECTED
    row.refresh_from_db()
    assert error in row.last_error
    assert len(local.received) == 1  # a redirect is not followed


@pytest.mark.parametrize(
    "raw",
    [b"[" * 5_000 + b"]" * 5_000, b'{"message": {"ack": {"status": NaN}}}', b"not json"],
    ids=["nested past recursion", "nan", "not json"],
)
def test_an_answer_no_parser_should_read_is_an_ack_without_a_body(local, bap, raw):
    """A BAP's 2xx is read as every peer's answer is (transport.Response.json_body): an answer
    nested deeper than the parser can recurse is not a crash of the worker that sent it."""
    local.script = [(200, raw)]
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.DELIVERED
    assert len(local.received) == 1


def test_gives_up_when_the_ttl_runs_out(local, bap, settings):
    settings.BECKN_CALLBACK_BACKOFF_BASE = 60.0  # the first retry would be 30-60 s away
    settings.BECKN_CALLBACK_BACKOFF_CAP = 120.0
    local.script = [(503, {}), (503, {})]
    row = make_row(bap, ttl_seconds=20)
    first = sending.deliver(row.pk)
    final_try = row.expires_at - delivery.Callbacks.final_try
    assert (first.state, first.next_attempt_at) == (OutboxState.PENDING, final_try)
    result = sending.deliver(row.pk, now=final_try)
    assert result.state == OutboxState.EXPIRED
    row.refresh_from_db()
    assert "gave up at the ttl" in row.last_error and "HTTP 503" in row.last_error
    assert row.attempts == 2


def test_a_retry_past_the_ttl_becomes_a_final_try_before_it(local, bap, settings):
    """Regression (bench/faults.py): a BAP down for 40 s, back 12 s before the ttl, lost 31
    of 40 callbacks: a retry that would fall after the ttl gave up at once, up to the
    backoff cap (30 s) early. Now it is brought forward to just before the ttl."""
    settings.BECKN_CALLBACK_BACKOFF_BASE = 60.0
    settings.BECKN_CALLBACK_BACKOFF_CAP = 120.0
    local.script = [(503, {})]  # down once, then back
    row = make_row(bap, ttl_seconds=20)
    first = sending.deliver(row.pk)
    assert first.state == OutboxState.PENDING
    assert first.next_attempt_at == row.expires_at - delivery.Callbacks.final_try < row.expires_at
    assert sending.deliver(row.pk, now=first.next_attempt_at).state == OutboxState.DELIVERED
    assert len(local.received) == 2


def test_an_expired_row_is_not_sent(local, bap):
    row = make_row(bap, ttl_seconds=20)
    later = timezone.now() + dt.timedelta(seconds=60)
    assert sending.deliver(row.pk, now=later).state == OutboxState.EXPIRED
    assert local.received == []


def test_down_bap_is_retried(settings, bap, our_key):
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = True
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Subscriber.objects.update(url=f"http://127.0.0.1:{port}/beckn")
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.PENDING
    row.refresh_from_db()
    assert "Connection refused" in row.last_error or "refused" in row.last_error.lower()


def test_read_timeout_is_short(settings, bap, our_key):
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = True
    settings.BECKN_CALLBACK_READ_TIMEOUT = 0.3
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # accepts connections, never answers
        Subscriber.objects.update(url=f"http://127.0.0.1:{silent.getsockname()[1]}/beckn")
        row = make_row(bap)
        assert sending.deliver(row.pk).state == OutboxState.PENDING
    attempt = DeliveryAttempt.objects.get(outbox=row)
    assert attempt.error == "no answer within the read timeout" and attempt.duration_ms < 3000


def test_a_bap_that_drips_its_answer_is_cut_at_the_callback_deadline(settings, bap, our_key):
    """One byte every 0.3 s never trips the read timeout; BECKN_CALLBACK_DEADLINE ends the
    POST, and the attempt says so."""
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = True
    settings.BECKN_CALLBACK_DEADLINE = 1.0
    bap_server = Drip(b"", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    Subscriber.objects.update(url=f"{bap_server.url}/beckn")
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.PENDING
    attempt = DeliveryAttempt.objects.get(outbox=row)
    assert attempt.error == "deadline: no complete answer within 1 s"
    assert bap_server.taken() < len(bap_server.dripped)  # it never sent its whole answer
    bap_server.close()


def test_an_unexpected_failure_of_the_post_is_an_attempt_and_retried(local, bap, monkeypatch):
    """Whatever the POST fails with, the attempt is written down and the row retried."""

    def broken(*args, **kwargs):
        raise ValueError("something nobody expected")

    monkeypatch.setattr(transport, "request", broken)
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.PENDING
    attempt = DeliveryAttempt.objects.get(outbox=row)
    assert (attempt.outcome, attempt.error) == (
        OutboxState.PENDING,
        "failed: unexpected ValueError",
    )
    row.refresh_from_db()
    assert (row.state, row.last_error) == (OutboxState.PENDING, "failed: unexpected ValueError")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/beckn",
        "http://localhost:{port}/beckn",
        "http://[::1]:{port}/beckn",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/beckn",
        "http://192.168.1.1/beckn",
        "http://100.64.0.1/beckn",
        "http://[::ffff:127.0.0.1]:{port}/beckn",
        "http://0.0.0.0:{port}/beckn",
    ],
)
def test_private_targets_are_refused_at_connect_time(receiver, bap, url):
    port = receiver.url.rsplit(":", 1)[1]
    Subscriber.objects.update(url=url.format(port=port))
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.UNDELIVERABLE
    row.refresh_from_db()
    assert row.last_error.startswith("refused:")
    assert receiver.received == []


def test_unregistered_bap_gets_no_callback(bpp, our_key, bap):
    Subscriber.objects.all().delete()
    row = make_row(bap)
    assert row.state == OutboxState.UNDELIVERABLE
    assert "no registered callback URL" in row.last_error


def test_no_signing_key_keeps_the_row_pending(local, bap):
    from beckn.models import SigningKey

    SigningKey.objects.all().delete()
    row = make_row(bap)
    assert sending.deliver(row.pk).state == OutboxState.PENDING
    row.refresh_from_db()
    assert "beckn_keys generate" in row.last_error
    assert local.received == []


def test_beat_releases_stuck_rows_and_requeues_lost_ones(bap, our_key, no_queue):
    now = timezone.now()
    stuck = make_row(bap, ttl_seconds=600)
    Outbox.objects.filter(pk=stuck.pk).update(
        state=OutboxState.SENDING, leased_until=now - dt.timedelta(seconds=1)
    )
    lost = make_row(bap, ttl_seconds=600)
    Outbox.objects.filter(pk=lost.pk).update(next_attempt_at=now - dt.timedelta(minutes=5))
    dead = make_row(bap, ttl_seconds=600)
    Outbox.objects.filter(pk=dead.pk).update(expires_at=now - dt.timedelta(seconds=1))
    fresh = make_row(bap, ttl_seconds=600)
    summary = tasks.requeue_stuck()
    assert summary["released"] == 1 and summary["expired"] == 1
    assert sorted(no_queue["deliver"]) == sorted([stuck.pk, lost.pk])
    assert Outbox.objects.get(pk=dead.pk).state == OutboxState.EXPIRED
    assert Outbox.objects.get(pk=fresh.pk).state == OutboxState.PENDING


def test_backoff_grows_and_is_capped(settings):
    import random

    settings.BECKN_CALLBACK_BACKOFF_BASE = 1.0
    settings.BECKN_CALLBACK_BACKOFF_CAP = 8.0
    rng = random.Random(1)
    waits = [sending.backoff(n, rng) for n in range(1, 7)]
    bounds = [(0.5, 1), (1, 2), (2, 4), (4, 8), (4, 8), (4, 8)]
    assert all(lo <= w <= hi for w, (lo, hi) in zip(waits, bounds, strict=True))


def test_callback_bytes_are_the_stored_payload(local, bap):
    row = make_row(bap)
    sending.deliver(row.pk)
    got = local.wait_for("on_status", row.message_id)
    assert got.raw == row.payload.encode()
    assert json.loads(got.raw)["context"]["timestamp"].endswith("Z")
    assert uuid.UUID(got.body["context"]["message_id"])


def test_a_held_callback_is_signed_and_sent_as_the_bytes_it_was_encoded_to(bap, our_key):
    """The row a worker writes and sends itself carries its payload's UTF-8 bytes, which
    the request signs and sends as they are (not the text encoded again)."""
    now = timezone.now()
    inbound = InboundMessage(bap_id=bap.subscriber_id, body={"context": bap.context("status")},
                             action="status", expires_at=now)  # fmt: skip
    row = outbox.build(inbound, {"note": "₹3/kWh"}, None, None, now)
    assert isinstance(row.payload, Utf8Text) and row.payload.utf8 == row.payload.encode()
    row.payload.utf8 = b'{"kept":"bytes"}'  # which of the two is sent shows
    assert delivery.Callbacks().request(row).body == b'{"kept":"bytes"}'
