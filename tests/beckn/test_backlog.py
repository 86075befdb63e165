"""A BAP may wait for at most BECKN_MAX_PENDING_PER_BAP answers: beyond it a request gets a
429 NACK with a retry hint, never an ACK; the limit frees up as callbacks are done or
expire. Counted in the database with the default cache, in Redis with a Redis cache."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from beckn.models import InboundMessage, Outbox, OutboxState, Subscriber
from beckn.protocol import errors
from beckn.services import backlog, delivery
from cpo_portal.outbound import courier, sweep
from tests.beckn import bap as msgs
from tests.beckn import sending
from tests.support.beckn import answer


def select(client, network, bap):
    body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
    return bap.post(client, "select", body)


@pytest.fixture
def limited(settings, bap, our_key, no_queue):
    settings.BECKN_MAX_PENDING_PER_BAP = 2
    settings.BECKN_PENDING_RETRY_AFTER = 3
    return settings


def assert_refused(response, waiting: int) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "3"
    error = response.json()["error"]
    assert response.json()["message"]["ack"]["status"] == "NACK"
    assert error["code"] == errors.POLICY_ERROR.code
    assert f"already waiting for {waiting} answers" in error["message"]
    assert "retry in 3s" in error["message"]


@pytest.mark.django_db
def test_over_the_limit_a_request_is_refused_and_frees_up_once_answered(
    client, network, bap, limited, fake, monkeypatch
):
    assert [select(client, network, bap).status_code for _ in range(2)] == [200, 200]
    assert_refused(select(client, network, bap), 2)
    assert InboundMessage.objects.count() == 2  # the refused one was never stored

    first = InboundMessage.objects.order_by("pk").first()
    answer(first.pk)  # answered: its callback waits in the outbox, still counted
    assert_refused(select(client, network, bap), 2)

    row = Outbox.objects.get(inbound=first)
    monkeypatch.setattr(
        delivery.Courier,
        "attempt",
        lambda self, row: courier.Outcome(200, "", "", OutboxState.DELIVERED),
    )
    assert sending.deliver(row.pk).state == OutboxState.DELIVERED
    assert select(client, network, bap).status_code == 200  # the delivered one freed a place
    assert_refused(select(client, network, bap), 2)


@pytest.mark.django_db
def test_expired_and_undeliverable_callbacks_free_their_places(
    client, network, bap, limited, fake, django_capture_on_commit_callbacks
):
    for _ in range(2):
        assert select(client, network, bap).status_code == 200
    for _ in range(2):
        assert answer() is not None
    Outbox.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep.expire_overdue(delivery.Callbacks(), timezone.now()) == 2
    assert select(client, network, bap).status_code == 200

    url = Subscriber.objects.get().url
    Subscriber.objects.update(url="")  # nowhere to send: the answer is undeliverable at once
    with django_capture_on_commit_callbacks(execute=True):  # the place is freed on commit
        answer(InboundMessage.objects.order_by("pk").last().pk)
    assert Outbox.objects.order_by("pk").last().state == OutboxState.UNDELIVERABLE
    Subscriber.objects.update(url=url)  # (with no URL, its requests get no ACK at all)
    assert [select(client, network, bap).status_code for _ in range(3)] == [200, 200, 429]


def admit(bap_id: str, message_id: str, expires_at: dt.datetime, now: dt.datetime) -> int | None:
    return backlog.admit_one(backlog.Message(bap_id, message_id, expires_at), now)


def test_in_redis_admission_is_counted_released_and_expires(redis_cache):
    now = timezone.now()
    later = now + dt.timedelta(minutes=5)
    assert admit("bap-a", "m1", later, now) is None
    assert admit("bap-a", "m1", later, now) is None  # a retry is not counted twice
    assert admit("bap-a", "m2", now + dt.timedelta(seconds=5), now) is None
    assert admit("bap-a", "m3", later, now) == 2
    assert admit("bap-b", "m1", later, now) is None  # every BAP has its own limit
    backlog.release([("bap-a", "m1")])
    assert admit("bap-a", "m3", later, now) is None
    assert admit("bap-a", "m4", later, now) == 2
    # m2's answer expires (its ttl): the place is free again, no release needed
    assert admit("bap-a", "m4", later, now + dt.timedelta(seconds=6)) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_claiming_the_same_rows_at_once_each_get_their_own(bap, our_key):
    """The batch claim is one conditional UPDATE ... RETURNING: eight workers given the same
    twenty rows at the same moment never both get one."""
    from tests.beckn.sending import make_row
    from tests.races import race

    ids = [make_row(bap, ttl_seconds=600).pk for _ in range(20)]
    now = timezone.now()
    claims = race([lambda: [row.pk for row in sending.claim_many(ids, now)]] * 8)
    got = [pk for claim in claims for pk in claim]  # type: ignore[union-attr]
    assert sorted(got) == ids
    assert set(Outbox.objects.values_list("state", flat=True)) == {OutboxState.SENDING}
    assert set(Outbox.objects.values_list("attempts", flat=True)) == {1}
