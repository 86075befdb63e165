"""The requests that share an INSERT (services.group_insert) are admitted against their
BAPs' backlogs in one Redis call: each in turn, so a batch never takes more places than
the limit leaves, and a refused request is answered with its 429 NACK, never stored."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import DataError
from django.utils import timezone

from beckn.models import InboundMessage
from beckn.protocol import errors
from beckn.services import backlog, group_insert, inbound_store, intake, ratelimit
from tests.beckn import bap as msgs


def _row(message_id: str, bap_id: str = "bap-a") -> dict:
    now = timezone.now()
    return {
        "bap_id": bap_id, "message_id": message_id, "action": "select",
        "transaction_id": "t-1", "body": {"context": {"message_id": message_id}},
        "body_digest": "d", "key_id": "k", "received_at": now,
        "expires_at": now + dt.timedelta(minutes=5),
    }  # fmt: skip


def test_one_call_admits_a_batch_in_turn(redis_cache):
    now = timezone.now()
    later = now + dt.timedelta(minutes=5)
    assert backlog.admit("bap-a", "m0", later, now) is None
    message = backlog.Message
    verdicts = backlog.admit_many(
        [
            message("bap-a", "m1", later),
            message("bap-a", "m0", later),  # a retry of one counted already
            message("bap-b", "m1", later),  # another BAP, its own limit
            message("bap-a", "m2", later),  # m1 took bap-a's last place
            message("bap-b", "m2", later),
            message("bap-b", "m3", later),
        ],
        now,
    )
    assert verdicts == [None, None, None, 2, None, 2]
    backlog.release([("bap-a", "m0")])
    again = [message("bap-a", "m2", later), message("bap-a", "m3", later)]
    assert backlog.admit_many(again, now) == [None, 2]


def test_the_same_call_counts_each_sender_s_rate(redis_cache):
    """A message over its sender's rate limit is counted and refused, never admitted."""
    redis_cache.BECKN_MAX_PENDING_PER_BAP = 10
    now = timezone.now()
    later = now + dt.timedelta(minutes=5)
    messages = [backlog.Message("bap-a", f"m{n}", later, per_minute=2) for n in range(4)]
    messages.insert(1, backlog.Message("bap-b", "m0", later))  # no rate limit
    limited = backlog.RATE_LIMITED
    assert backlog.admit_many(messages, now) == [None, None, None, limited, limited]
    assert not ratelimit.allow("bap-a", 2)  # the same counter: 5 requests this minute
    assert backlog.admit("bap-a", "m9", later, now) is None  # its third place of 10


@pytest.mark.django_db
def test_a_batch_stores_only_its_admitted_rows(redis_cache):
    backlog.admit("bap-a", "m0", timezone.now() + dt.timedelta(minutes=5), timezone.now())
    rows = [_row("m1"), _row("m2"), _row("m3"), _row("m1", bap_id="bap-b")]
    outcome = intake.admit_and_insert_many(rows)
    assert isinstance(outcome[0], int) and isinstance(outcome[3], int)
    assert [getattr(o, "waiting", None) for o in outcome[1:3]] == [2, 2]
    stored = set(InboundMessage.objects.values_list("bap_id", "message_id"))
    assert stored == {("bap-a", "m1"), ("bap-b", "m1")}
    assert intake.admit_and_insert_many([_row("m2"), _row("m3")])[0].waiting == 2  # type: ignore[union-attr]
    assert InboundMessage.objects.count() == 2


@pytest.mark.django_db
def test_a_statement_retried_row_by_row_counts_each_row_once(redis_cache, monkeypatch):
    """A failed statement is retried row by row (services.group_insert): the rows keep the
    verdict of their one admission, not a second count against their rate limit."""
    real = inbound_store.insert_many

    def fails_for_several(rows):
        if len(rows) > 1:
            raise DataError("one bad row among several")
        return real(rows)

    monkeypatch.setattr(inbound_store, "insert_many", fails_for_several)
    rows = [_row(f"m{n}") | {intake.PER_MINUTE: 3} for n in range(2)]
    group = group_insert.GroupInsert(intake.admit_and_insert_many)
    slots = [group_insert._Slot(row) for row in rows]
    group._store(slots)
    assert all(isinstance(slot.outcome(), int) for slot in slots)
    assert InboundMessage.objects.count() == 2
    assert ratelimit.allow("bap-a", 3)  # the third request of the minute
    assert not ratelimit.allow("bap-a", 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_over_the_budget_get_exactly_the_budget_acked(
    redis_cache, bap, network, no_queue, monkeypatch
):
    """Two answers awaited, a limit of 5: of 12 signed selects from the BAP at once, exactly
    3 are ACKed and stored, the 9 others refused with a 429 NACK, in shared admissions."""
    from tests.races import race

    redis_cache.BECKN_MAX_PENDING_PER_BAP = 5
    redis_cache.BECKN_GROUP_INSERT = True
    redis_cache.BECKN_PENDING_RETRY_AFTER = 3
    group_insert._groups.clear()
    later = timezone.now() + dt.timedelta(minutes=5)
    for message_id in ("old-1", "old-2"):
        assert backlog.admit(bap.subscriber_id, message_id, later, timezone.now()) is None
    sizes: list[int] = []
    real = inbound_store.insert_many
    admit_many = backlog.admit_many

    def counted(messages, now):
        sizes.append(len(messages))
        return admit_many(messages, now)

    def slow(rows):
        time.sleep(0.1)  # a slow round trip, so that requests queue behind it, even when busy
        return real(rows)

    monkeypatch.setattr(backlog, "admit_many", counted)
    monkeypatch.setattr(inbound_store, "insert_many", slow)
    message = msgs.select(network.op_a.code, network.charger_a.code)
    signed = [bap.signed("select", message) for _ in range(12)]
    answers = race(
        [
            lambda raw=raw, headers=headers: intake.accept(
                "select", raw, headers, lambda pk, bap_id: None, timezone.now()
            )
            for raw, headers in signed
        ]
    )
    shared = list(sizes)
    statuses = sorted(a.status for a in answers)  # type: ignore[union-attr]
    assert statuses == [200] * 3 + [429] * 9, answers
    refused = [a for a in answers if a.status == 429]  # type: ignore[union-attr]
    for answer in refused:
        assert answer.body["message"]["ack"]["status"] == "NACK"  # type: ignore[union-attr]
        assert answer.body["error"]["code"] == errors.POLICY_ERROR.code  # type: ignore[union-attr]
        assert answer.headers["Retry-After"] == "3"  # type: ignore[union-attr]
    acked = {a.inbound_id for a in answers if a.status == 200}  # type: ignore[union-attr]
    assert set(InboundMessage.objects.values_list("pk", flat=True)) == acked
    assert backlog.admit(bap.subscriber_id, "one-more", later, timezone.now()) == 5
    assert sum(shared) == 12 and max(shared) > 1, shared  # admissions were shared
