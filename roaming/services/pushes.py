"""Pushing Tariffs and Locations to partners' receiver interfaces (client-owned objects:
PUT {receiver}/{our country}/{our party}/{id}).

`enqueue` writes one pending Push per registered partner and object (a change made while
one waits joins it: a unique constraint, INSERT ... ON CONFLICT DO NOTHING). `send_due`
claims due rows (SELECT ... FOR UPDATE SKIP LOCKED), builds each object as it is now and
sends it with the partner's token: PUT while it is published, DELETE for a retired tariff,
and a PATCH `publish: false` for a station that is gone (Locations have no DELETE). A
partner's 4xx or OCPI 2xxx is final; a timeout, 5xx or 3xxx is tried again with
exponential backoff and jitter up to MAX_ATTEMPTS. Every attempt is a PushAttempt row,
written in a `finally` so that a call that dies some other way is recorded too; each call
is cut at OCPI_CALL_DEADLINE (roaming.services.client).
Sending the object as it is now makes a retry, a duplicate or an out-of-order delivery
harmless: each leaves the partner with the current object.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from roaming.models import Module, Partner, PartnerState, Push, PushAttempt, PushState
from roaming.services import client, locations, parties, published_tariffs, tokens

from .envelope import timestamp

MAX_ATTEMPTS = 10
BACKOFF_BASE = 30.0  # seconds before the 2nd attempt; doubles each time
BACKOFF_CAP = 3600.0
LEASE = dt.timedelta(minutes=2)
BATCH = 20


def receivers(operator_id: int, module: str) -> list[Partner]:
    partners = Partner.objects.filter(operator_id=operator_id, state=PartnerState.REGISTERED)
    return [p for p in partners if p.endpoint(module)]


def enqueue(operator_id: int, module: str, object_ids: Iterable[str]) -> list[int]:
    """Pending pushes of these objects to every registered partner that receives the
    module; returns the partner ids to send to (after the commit)."""
    ids = sorted(set(object_ids))
    partners = receivers(operator_id, module) if ids else []
    now = timezone.now()
    rows = [
        Push(partner=p, module=module, object_id=oid, next_attempt_at=now)
        for p in partners
        for oid in ids
    ]
    Push.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return [p.pk for p in partners]


def backoff(attempt: int) -> float:
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempt - 1))
    return base * random.uniform(0.8, 1.2)


def _claim(partner_id: int) -> list[Push]:
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Push.objects.select_for_update(skip_locked=True)
            .filter(partner_id=partner_id, state=PushState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        Push.objects.filter(pk__in=due).update(
            state=PushState.SENDING, leased_until=now + LEASE, attempts=F("attempts") + 1
        )
    return list(Push.objects.filter(pk__in=due).select_related("partner__operator"))


def send_due(partner_id: int) -> int:
    """Send the partner's due pushes; returns how many were tried."""
    tried = 0
    while batch := _claim(partner_id):
        for push in batch:
            deliver(push)
        tried += len(batch)
    return tried


def requeue_stuck() -> list[int]:
    """Rows whose sender died mid-send go back to pending; the partners with due rows."""
    now = timezone.now()
    for push in Push.objects.filter(state=PushState.SENDING, leased_until__lt=now):
        _finish(push, PushState.PENDING, "the sender stopped before an answer", now)
    due = Push.objects.filter(state=PushState.PENDING, next_attempt_at__lte=now)
    return sorted(set(due.values_list("partner_id", flat=True)))


def request_for(push: Push) -> tuple[str, dict[str, Any] | None]:
    """(method, body) that leaves the partner with the object as it is now."""
    operator_id = push.partner.operator_id
    if push.module == Module.TARIFFS:
        tariff = published_tariffs.find(operator_id, push.object_id)
        return ("PUT", published_tariffs.tariff_object(tariff)) if tariff else ("DELETE", None)
    station = locations.find(operator_id, push.object_id)
    if station is None:
        return "PATCH", {"publish": False, "last_updated": timestamp()}
    return "PUT", locations.objects([station])[0]


def deliver(push: Push) -> str:
    """One attempt; the push's new state."""
    partner = push.partner
    started = timezone.now()
    base = partner.endpoint(push.module)
    if partner.state != PartnerState.REGISTERED or not base:
        _record(push, started, "", "", None, PushState.FAILED, "the partner is not registered")
        return _finish(push, PushState.FAILED, "the partner is not registered", started)
    method, payload = request_for(push)
    country, party = parties.country_code(), parties.party_id(partner.operator)
    url = f"{base.rstrip('/')}/{country}/{party}/{push.object_id}"
    sent = "" if payload is None else json.dumps(payload, separators=(",", ":"))
    headers = parties.routing_headers(partner.operator, partner.country_code, partner.party_id)
    answer: client.Answer | None = None
    outcome: tuple[str, str] | None = None
    try:
        answer = client.call(method, url, tokens.unseal(partner.outbound_token), payload, headers)
        outcome = _judge(push, answer)
    except (client.PartnerCallError, tokens.TokenError) as exc:
        outcome = _retry_or_fail(push), str(exc)
    finally:
        # Written down whatever happened: a call that died some other way is an attempt
        # with no answer, retried like a timeout (and the error goes on up).
        state, error = outcome or (_retry_or_fail(push), STOPPED)
        _record(push, started, method, url, answer, state, error, body=sent)
        state = _finish(push, state, error, started)
    return state


STOPPED = "the call stopped without an answer"


def _judge(push: Push, answer: client.Answer) -> tuple[str, str]:
    """(state, error) after an answer; the error in our words (the partner's text is kept
    in the attempt's response excerpt only)."""
    if answer.ok:
        return PushState.DELIVERED, ""
    if _final(answer):
        return PushState.REJECTED, answer.summary()
    return _retry_or_fail(push), answer.summary()


def _final(answer: client.Answer) -> bool:
    """The partner refused the object itself: sending it again will not help."""
    if 400 <= answer.http_status < 500 and answer.http_status not in (408, 429):
        return True
    return answer.status_code is not None and 2000 <= answer.status_code < 3000


def _retry_or_fail(push: Push) -> str:
    return PushState.PENDING if push.attempts < MAX_ATTEMPTS else PushState.FAILED


def _record(push, started, method, url, answer, outcome, error, body="") -> None:
    PushAttempt.objects.create(
        push=push,
        number=push.attempts,
        started_at=started,
        duration_ms=(
            answer.duration_ms
            if answer
            else int((timezone.now() - started) / dt.timedelta(milliseconds=1))
        ),
        method=method,
        url=url[:600],
        status_code=answer.http_status if answer else None,
        ocpi_status=answer.status_code if answer else None,
        outcome=outcome,
        error=error,
        body=body,
        response_excerpt=(answer.text[:500] if answer else ""),
    )


def _finish(push: Push, state: str, error: str, now: dt.datetime) -> str:
    """Conditional: only a row still being sent changes. A retry whose object has a newer
    pending push meanwhile is superseded by it."""
    fields: dict[str, Any] = {"state": state, "last_error": error[:2000], "leased_until": None}
    if state == PushState.DELIVERED:
        fields["delivered_at"] = timezone.now()
    if state == PushState.PENDING:
        fields["next_attempt_at"] = now + dt.timedelta(seconds=backoff(push.attempts))
    try:
        with transaction.atomic():
            Push.objects.filter(pk=push.pk, state=PushState.SENDING).update(**fields)
    except IntegrityError:  # one_pending_push_per_object: a later change waits already
        state = PushState.SUPERSEDED
        Push.objects.filter(pk=push.pk, state=PushState.SENDING).update(
            state=state, leased_until=None, last_error=error[:2000]
        )
    return state
