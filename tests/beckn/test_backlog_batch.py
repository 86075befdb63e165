"""Admission against the BAPs' backlogs and their senders' rate limits is one Redis call:
each message in turn, so a call never takes more places than the limit leaves; requests
of one BAP at once get exactly the budget ACKed, the others a 429 NACK, never stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from beckn.models import InboundMessage
from beckn.protocol import errors
from beckn.services import backlog, intake, ratelimit
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
    assert backlog.admit_one(backlog.Message("bap-a", "m0", later), now) is None
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
    third = backlog.Message("bap-a", "m9", later)  # its third place of 10
    assert backlog.admit_one(third, now) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_over_the_budget_get_exactly_the_budget_acked(
    redis_cache, bap, network, no_queue, monkeypatch
):
    """Two answers awaited, a limit of 5: of 12 signed selects from the BAP at once, exactly
    3 are ACKed and stored, the 9 others refused with a 429 NACK."""
    from tests.races import race

    redis_cache.BECKN_MAX_PENDING_PER_BAP = 5
    redis_cache.BECKN_PENDING_RETRY_AFTER = 3
    later = timezone.now() + dt.timedelta(minutes=5)
    for message_id in ("old-1", "old-2"):
        assert (
            backlog.admit_one(backlog.Message(bap.subscriber_id, message_id, later), timezone.now())
            is None
        )
    message = msgs.select(network.op_a.code, network.charger_a.code)
    signed = [bap.signed("select", message) for _ in range(12)]
    answers = race(
        [
            lambda raw=raw, headers=headers: intake.accept(
                "select", raw, headers, lambda pk: None, timezone.now()
            )
            for raw, headers in signed
        ]
    )
    statuses = sorted(a.status for a in answers)  # type: ignore[union-attr]
    assert statuses == [200] * 3 + [429] * 9, answers
    refused = [a for a in answers if a.status == 429]  # type: ignore[union-attr]
    for answer in refused:
        assert answer.body["message"]["ack"]["status"] == "NACK"  # type: ignore[union-attr]
        assert answer.body["error"]["code"] == errors.POLICY_ERROR.code  # type: ignore[union-attr]
        assert answer.headers["Retry-After"] == "3"  # type: ignore[union-attr]
    acked = {a.inbound_id for a in answers if a.status == 200}  # type: ignore[union-attr]
    assert set(InboundMessage.objects.values_list("pk", flat=True)) == acked
    assert (
        backlog.admit_one(backlog.Message(bap.subscriber_id, "one-more", later), timezone.now())
        == 5
    )
