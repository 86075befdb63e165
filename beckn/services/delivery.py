"""Deliver outbox rows: claim them, sign them, POST them, record the attempts, decide what
next. Several rows due together (a worker's batch) share their queries: one claim, one
read of the signing key, one INSERT of the attempts, one UPDATE of those delivered; the
HTTP connection to each BAP is kept open between callbacks (the outbound transport's pool).
Each POST goes through the one guarded outbound client (cpo_portal.outbound: the
address vetted, no redirect followed, BECKN_CALLBACK_DEADLINE for the whole call), and
every attempt is written down, whatever it failed with.

The target is resolved from the registry at each attempt, not taken from the row (through
this process's memo of the local registry, which a registry change reaches within
BECKN_REGISTRY_CHECK_MS): a callback goes to the URL the subscriber is registered with
when it is sent, and is not sent (the row becomes undeliverable, the attempt says why)
when the subscriber is no longer registered. The row's target_url shows where it last
went or would go.

A row is claimed by a conditional UPDATE (pending and due -> sending, with a lease), so
two workers given the same row never both send it, or written already leased to the
worker that answers its request (services.outbox, jobs.collecting: Courier.send_held); a
worker that dies mid-send leaves a lease that runs out, and the sweep (services.sweep)
puts the row back to pending. The lease is short
(BECKN_CALLBACK_LEASE, 15 s) so that a dead worker's rows are sent again well inside a
30 s ttl; a live worker held up by slow BAPs renews it before each POST that could
outlast it. Retries back off exponentially with jitter until the request's ttl runs out;
a retry that would come after it is brought forward to just before it, so a BAP that
comes back in time gets its callback.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db import connection
from django.db.models import F, Field
from django.utils import timezone

from beckn import conf
from beckn.models import DeliveryAttempt, Outbox, OutboxState
from beckn.services import backlog, keys, registry, slow_baps
from cpo_portal.outbound import addresses, transport

log = logging.getLogger(__name__)
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
FINAL_TRY = timedelta(seconds=3)  # the last retry goes this long before the ttl runs out
MAX_ANSWER_BYTES = 64 * 1024  # of a BAP's answer to a callback, read at most


@dataclass(frozen=True, slots=True)
class Result:
    state: str
    next_attempt_at: datetime | None = None


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds before attempt `attempt + 1`: exponential, capped, with 'equal jitter'."""
    base = float(conf.get("BECKN_CALLBACK_BACKOFF_BASE"))
    cap = float(conf.get("BECKN_CALLBACK_BACKOFF_CAP"))
    delay = min(cap, base * 2 ** max(attempt - 1, 0))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


def claim(outbox_id: int, now: datetime) -> Outbox | None:
    rows = claim_many([outbox_id], now)
    return rows[0] if rows else None


def claim_many(outbox_ids: list[int], now: datetime) -> list[Outbox]:
    """The rows among `outbox_ids` that are pending and due, now leased to this worker: one
    conditional UPDATE ... RETURNING (PostgreSQL, and SQLite since 3.35), in id order."""
    if not outbox_ids:
        return []
    lease = now + timedelta(seconds=conf.get("BECKN_CALLBACK_LEASE"))
    ops = connection.ops
    meta = Outbox._meta
    # names from the model, quoted; every value is a parameter
    table = ops.quote_name(meta.db_table)
    pk, state, lease_col, tries, due = (
        ops.quote_name(str(cast(Field, meta.get_field(name)).column)) for name in CLAIM_COLUMNS
    )
    marks = ", ".join(["%s"] * len(outbox_ids))
    sql = (
        f"UPDATE {table} SET {state} = %s, {lease_col} = %s, {tries} = {tries} + 1 "  # noqa: S608
        f"WHERE {pk} IN ({marks}) AND {state} = %s AND {due} <= %s RETURNING *"
    )
    params = [
        OutboxState.SENDING,
        ops.adapt_datetimefield_value(lease),
        *outbox_ids,
        OutboxState.PENDING,
        ops.adapt_datetimefield_value(now),
    ]
    return sorted(Outbox.objects.raw(sql, params), key=lambda row: row.pk)


CLAIM_COLUMNS = ("id", "state", "leased_until", "attempts", "next_attempt_at")


def one_attempt() -> timedelta:
    """The longest one POST may take (its deadline), and a second to spare."""
    return timedelta(seconds=float(conf.get("BECKN_CALLBACK_DEADLINE")) + 1)


def _lease_ends_soon(row: Outbox, now: datetime) -> bool:
    return row.leased_until is not None and row.leased_until - now < one_attempt()


def renew(rows: list[Outbox], now: datetime) -> set[int]:
    """Extend this worker's lease on the rows it has yet to send, before a POST that could
    outlast it; the ids still ours. A lease is short (a dead worker's rows go back to
    pending soon, well inside the ttl), so a worker held up by slow BAPs renews it rather
    than hold a long one. Rows the sweep already released are left alone: not sent here.
    The rows' leases may differ (rows written leased, each when its answer was written)."""
    held = {row.leased_until for row in rows}
    lease = now + timedelta(seconds=conf.get("BECKN_CALLBACK_LEASE"))
    ids = [row.pk for row in rows]
    mine = Outbox.objects.filter(pk__in=ids, state=OutboxState.SENDING, leased_until__in=held)
    if mine.update(leased_until=lease) == len(ids):
        kept = set(ids)
    else:
        kept = set(
            Outbox.objects.filter(
                pk__in=ids, state=OutboxState.SENDING, leased_until=lease
            ).values_list("pk", flat=True)
        )
    for row in rows:
        if row.pk in kept:
            row.leased_until = lease
    return kept


def deliver(outbox_id: int, now: datetime | None = None) -> Result | None:
    """One attempt if the row is due; None when it is not ours to send (yet)."""
    return deliver_many([outbox_id], now).get(outbox_id)


def deliver_many(outbox_ids: list[int], now: datetime | None = None) -> dict[int, Result]:
    """One attempt for each row that is due, one after the other, with the queries shared
    (see Courier). Rows not ours to send (yet) are left out of the answer."""
    courier = Courier()
    results = courier.send(outbox_ids, now)
    courier.record()
    return results


class Courier:
    """Sends callbacks at once and writes down how it went afterwards, for many together:
    one read of the signing key, then one INSERT of the attempts and one UPDATE of the rows
    delivered, whenever `record` is called. A worker that stops
    between a send and its record leaves the row leased: the sweep releases it and it may
    be sent again (as with any worker that stops mid-send)."""

    def __init__(self) -> None:
        self._signer: keys.Signer | None = None
        self._no_key = ""
        self._attempts: list[DeliveryAttempt] = []
        self._delivered: list[Outbox] = []

    def _sign(self) -> keys.Signer | None:
        if self._signer is None and not self._no_key:
            try:
                self._signer = keys.signer()
            except keys.NoSigningKey as exc:
                self._no_key = str(exc)
        return self._signer

    def send(self, outbox_ids: list[int], now: datetime | None = None) -> dict[int, Result]:
        """Claim the rows that are due and POST each; a delivered row is marked by `record`."""
        now = now or timezone.now()
        return self.send_held(claim_many(outbox_ids, now), now)

    def send_held(self, rows: list[Outbox], now: datetime | None = None) -> dict[int, Result]:
        """POST each of the rows this worker holds the lease of (claimed, or written leased
        to it: services.outbox), in order; a delivered row is marked by `record`."""
        now = now or timezone.now()
        clock = time.monotonic()
        results: dict[int, Result] = {}
        for index, row in enumerate(rows):
            at = now + timedelta(seconds=time.monotonic() - clock)
            if _lease_ends_soon(row, at) and row.pk not in renew(rows[index:], at):
                continue  # the sweep took it back: it may be another worker's now
            results[row.pk] = self._one(row, at)
        return results

    def _one(self, row: Outbox, at: datetime) -> Result:
        if at >= row.expires_at:
            return _finish(row, at, OutboxState.EXPIRED, "the request's ttl ran out before sending")
        target = registry.callback_target(row.subscriber_id, row.action)
        if target is None:
            return _not_registered(row, at)
        if target != row.target_url:  # the subscriber's URL changed since the row was queued
            Outbox.objects.filter(pk=row.pk).update(target_url=target)
            row.target_url = target
        if not slow_baps.may_send(row, at):
            return _defer(row, at)
        started = time.monotonic()
        status, error, excerpt, state = _attempt(row, self._sign(), self._no_key)
        elapsed = time.monotonic() - started
        slow_baps.note(row.subscriber_id, elapsed)
        after = at + timedelta(seconds=elapsed)
        attempt = DeliveryAttempt(
            outbox=row,
            number=row.attempts,
            started_at=at,
            duration_ms=int(elapsed * 1000),
            target_url=row.target_url,
            status_code=status,
            outcome=state,
            error=error,
            response_excerpt=excerpt,
        )
        if row.leased_until is None or after < row.leased_until:  # the usual case
            self._attempts.append(attempt)
        else:  # outlived the lease: the sweep may have written a "no outcome" row; replace it
            _replace_attempt(attempt)
        if state == OutboxState.DELIVERED:
            self._delivered.append(row)
            return Result(state)
        if state != OutboxState.PENDING:
            return _finish(row, after, state, error)
        return _reschedule(row, after, error)

    def record(self) -> None:
        """Write the attempts made since the last record, and mark the rows delivered."""
        attempts, self._attempts = self._attempts, []
        delivered, self._delivered = self._delivered, []
        if len(attempts) == 1:  # one INSERT, without bulk's transaction
            _save_final(attempts[0])
        elif attempts:
            DeliveryAttempt.objects.bulk_create(attempts)
        if delivered:
            _delivered(delivered, timezone.now())


def _save_final(attempt: DeliveryAttempt) -> None:
    """One INSERT. An attempt written with its outcome is never changed: the row is its own
    record, without a history row (the bulk INSERT of the others writes none either)."""
    attempt.save_without_historical_record()  # type: ignore[attr-defined]  # simple-history's


def _replace_attempt(attempt: DeliveryAttempt) -> None:
    fields = ("started_at", "duration_ms", "target_url", "status_code", "outcome", "error",
              "response_excerpt")  # fmt: skip
    DeliveryAttempt.objects.update_or_create(
        outbox=attempt.outbox,
        number=attempt.number,
        defaults={name: getattr(attempt, name) for name in fields},
    )


def _not_registered(row: Outbox, now: datetime) -> Result:
    error = (
        f"not sent: {row.subscriber_id} has no registered callback URL now "
        "(removed, suspended or past its valid_until)"
    )
    attempt = DeliveryAttempt(
        outbox=row,
        number=row.attempts,
        started_at=now,
        target_url="",
        outcome=OutboxState.UNDELIVERABLE,
        error=error,
    )
    _save_final(attempt)
    return _finish(row, now, OutboxState.UNDELIVERABLE, error)


def _attempt(
    row: Outbox, sign: keys.Signer | None, no_key: str
) -> tuple[int | None, str, str, str]:
    """(status code, error, response excerpt, next state)."""
    if sign is None:
        return None, no_key, "", OutboxState.PENDING
    body = row.payload.encode("utf-8")
    headers = {"Content-Type": "application/json", "Authorization": sign(body)}
    try:
        response = post(row.target_url, body, headers)
    except addresses.UnsafeTarget as exc:
        return None, transport.reason(exc)[:500], "", OutboxState.UNDELIVERABLE
    except transport.FAILURES as exc:
        return None, transport.reason(exc)[:500], "", OutboxState.PENDING
    except Exception as exc:  # whatever it was, the attempt is written down and retried
        log.exception("callback %s to %s failed", row.pk, row.target_url)
        return None, f"failed: {transport.reason(exc)}"[:500], "", OutboxState.PENDING
    excerpt = response.body[:400].decode("utf-8", "replace")
    error, state = _judge(response)
    return response.status, error, excerpt, state


def post(url: str, body: bytes, headers: dict[str, str]) -> transport.Response:
    """One callback POST through the guarded client, with the Beckn settings."""
    return transport.request(
        "POST",
        url,
        body=body,
        headers=headers,
        allow_private=bool(conf.get("BECKN_ALLOW_PRIVATE_CALLBACKS")),
        deadline=float(conf.get("BECKN_CALLBACK_DEADLINE")),
        connect_timeout=float(conf.get("BECKN_CALLBACK_CONNECT_TIMEOUT")),
        read_timeout=float(conf.get("BECKN_CALLBACK_READ_TIMEOUT")),
        max_bytes=MAX_ANSWER_BYTES,
    )


def _judge(response: transport.Response) -> tuple[str, str]:
    code = response.status
    if 200 <= code < 300:
        nack = _nack(response.body)
        if nack is not None:
            return f"the BAP answered NACK: {nack}", OutboxState.REJECTED
        return "", OutboxState.DELIVERED
    if code in RETRYABLE_STATUS:
        return f"HTTP {code}", OutboxState.PENDING
    if 300 <= code < 400:
        return f"HTTP {code}: redirects are not followed", OutboxState.REJECTED
    return f"HTTP {code}", OutboxState.REJECTED


def _nack(body: bytes) -> str | None:
    """The BAP's NACK, in 1.1's shape (`message.ack.status`) or 2.0's (`status`)."""
    try:
        answer = json.loads(body)
        if isinstance(answer, dict) and "message" not in answer and "status" in answer:
            status = answer["status"]  # a 2.0 Ack
        else:
            status = answer["message"]["ack"]["status"]
    except (ValueError, KeyError, TypeError):
        return None
    if status != "NACK":
        return None
    error = answer.get("error") if isinstance(answer, dict) else None
    return json.dumps(error)[:300] if error else "no error given"


def _ours(row: Outbox):
    """The row while this worker still holds its lease. A worker that outlived its lease
    (the sweep released the row, perhaps another worker re-claimed it) must not overwrite
    what happened since; only a delivery is still worth recording then."""
    return Outbox.objects.filter(
        pk=row.pk, state=OutboxState.SENDING, leased_until=row.leased_until
    )


def _finish(row: Outbox, now: datetime, state: str, error: str) -> Result:
    rows = _ours(row)
    if state == OutboxState.DELIVERED:  # lease lost or not: it did arrive, spare a re-send
        rows = Outbox.objects.filter(
            pk=row.pk, state__in=[OutboxState.SENDING, OutboxState.PENDING]
        )
    rows.update(
        state=state,
        leased_until=None,
        last_error=error,
        delivered_at=now if state == OutboxState.DELIVERED else None,
    )
    backlog.release([(row.subscriber_id, row.message_id)])
    return Result(state)


def _delivered(rows: list[Outbox], now: datetime) -> None:
    """Delivered, lease lost or not (it did arrive: spare a re-send); one UPDATE."""
    Outbox.objects.filter(
        pk__in=[row.pk for row in rows], state__in=[OutboxState.SENDING, OutboxState.PENDING]
    ).update(state=OutboxState.DELIVERED, leased_until=None, last_error="", delivered_at=now)
    backlog.release((row.subscriber_id, row.message_id) for row in rows)


def _defer(row: Outbox, now: datetime) -> Result:
    """Not sent: a slow BAP has a callback in flight already (services.slow_baps). The row
    goes back to pending, due a little later, its attempt not counted."""
    due = now + slow_baps.DEFER
    _ours(row).update(
        state=OutboxState.PENDING, leased_until=None, attempts=F("attempts") - 1,
        next_attempt_at=due, last_error="waiting: another callback to this slow BAP in flight",
    )  # fmt: skip
    return Result(OutboxState.PENDING, due)


def _reschedule(row: Outbox, now: datetime, error: str) -> Result:
    due = now + timedelta(seconds=backoff(row.attempts))
    final_try = row.expires_at - FINAL_TRY
    if due > final_try:
        if now >= final_try:  # that was the final try
            return _finish(
                row, now, OutboxState.EXPIRED, f"gave up at the ttl; last error: {error}"
            )
        due = final_try  # not after the ttl: one more try just before it
    _ours(row).update(
        state=OutboxState.PENDING, leased_until=None, last_error=error, next_attempt_at=due
    )
    return Result(OutboxState.PENDING, due)
