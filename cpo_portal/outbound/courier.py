"""Deliver outgoing rows, whoever sends them (what each plugs in: outbound.senders): claim,
lease, POST through the guarded client, record every attempt, back off and retry (what a
dead worker left is taken back by outbound.sweep).

A row is claimed by a conditional UPDATE (pending and due -> sending, with a lease), so two
workers given the same row never both send it, or written already leased to the worker
that will send it (`Courier.send_held`). A worker that dies mid-send leaves a lease that
runs out, and the sweep (`sweep.release_stuck`) puts the row back to pending, writing the attempt
that worker never recorded. The lease is short; a live worker held up by slow recipients
renews it before each POST that could outlast it. Retries back off exponentially with
jitter, until the row's expiry (the last retry brought forward to just before it) or its
sender's `max_attempts`. A retry that a unique constraint refuses (a newer row of the same
object waits already) leaves the row superseded.

Several rows due together share their queries: one claim, one INSERT of the attempts and
one UPDATE of those delivered (`Courier.record`), the last two sent as one statement on
PostgreSQL (cpo_portal.db.joint_writes), so an attempt and its row's outcome are written
together or not at all.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from cpo_portal.background import lease_holder
from cpo_portal.db import joint_writes, stamps
from cpo_portal.models.sending import Attempt, State
from cpo_portal.outbound import addresses, transport
from cpo_portal.outbound.senders import NotReady, Options, Outcome, Result, Sender

log = logging.getLogger(__name__)


def backoff(options: Options, attempt: int, rng: random.Random | None = None) -> float:
    """Seconds before attempt `attempt + 1`: exponential, capped, with 'equal jitter'."""
    delay = min(options.backoff_cap, options.backoff_base * 2 ** max(attempt - 1, 0))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


CLAIM_COLUMNS = ("id", "state", "leased_until", "leased_by", "attempts", "next_attempt_at")


def claim_many(sender: Sender, ids: Sequence[int], now: datetime) -> list[Any]:
    """The rows among `ids` that are pending and due, now leased to this worker (its
    lease_holder name beside the lease): one conditional UPDATE ... RETURNING
    (PostgreSQL, and SQLite since 3.35), in id order."""
    if not ids:
        return []
    model = sender.model
    lease = now + timedelta(seconds=sender.options().lease)
    ops = connection.ops
    # names from the model, quoted; every value is a parameter
    table = ops.quote_name(model._meta.db_table)
    pk, state, lease_col, holder, tries, due = (
        ops.quote_name(stamps.column(model, name)) for name in CLAIM_COLUMNS
    )
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {table} SET {state} = %s, {lease_col} = %s, {holder} = %s, "  # noqa: S608
        f"{tries} = {tries} + 1 "
        f"WHERE {pk} IN ({marks}) AND {state} = %s AND {due} <= %s RETURNING *"
    )
    params = [
        State.SENDING,
        ops.adapt_datetimefield_value(lease),
        lease_holder.current(),
        *ids,
        State.PENDING,
        ops.adapt_datetimefield_value(now),
    ]
    return sorted(model.objects.raw(sql, params), key=lambda row: row.pk)


def renew(sender: Sender, rows: list[Any], now: datetime) -> set[int]:
    """Extend this worker's lease on the rows it has yet to send, before a POST that could
    outlast it; the ids still ours. Rows the sweep already released are left alone: not
    sent here. The rows' leases may differ (rows written leased, each when it was written)."""
    model = sender.model
    held = {row.leased_until for row in rows}
    lease = now + timedelta(seconds=sender.options().lease)
    ids = [row.pk for row in rows]
    mine = model.objects.filter(pk__in=ids, state=State.SENDING, leased_until__in=held)
    if mine.update(leased_until=lease) == len(ids):
        kept = set(ids)
    else:
        kept = set(
            model.objects.filter(pk__in=ids, state=State.SENDING, leased_until=lease).values_list(
                "pk", flat=True
            )
        )
    for row in rows:
        if row.pk in kept:
            row.leased_until = lease
    return kept


class Courier:
    """Sends rows at once and writes down how it went afterwards, for many together: one
    INSERT of the attempts and one UPDATE of the rows delivered, whenever `record` is
    called. A worker that stops between a send and its record leaves the row leased: the
    sweep releases it and it may be sent again (as with any worker that stops mid-send)."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self._attempts: list[Attempt] = []
        self._delivered: list[Any] = []

    def send(self, ids: Sequence[int], now: datetime | None = None) -> dict[int, Result]:
        """Claim the rows that are due and POST each; a delivered row is marked by `record`."""
        now = now or timezone.now()
        return self.send_held(claim_many(self.sender, ids, now), now)

    def send_held(self, rows: list[Any], now: datetime | None = None) -> dict[int, Result]:
        """POST each of the rows this worker holds the lease of (claimed, or written leased
        to it), in order; a delivered row is marked by `record`."""
        now = now or timezone.now()
        clock = time.monotonic()
        one_attempt = timedelta(seconds=self.sender.options().deadline + 1)
        results: dict[int, Result] = {}
        for index, row in enumerate(rows):
            at = now + timedelta(seconds=time.monotonic() - clock)
            ends_soon = row.leased_until is not None and row.leased_until - at < one_attempt
            if ends_soon and row.pk not in renew(self.sender, rows[index:], at):
                continue  # the sweep took it back: it may be another worker's now
            results[row.pk] = self._one(row, at)
        return results

    def _one(self, row: Any, at: datetime) -> Result:
        sender = self.sender
        if row.expires_at is not None and at >= row.expires_at:
            return finish(sender, row, at, State.EXPIRED, "the ttl ran out before sending")
        target = sender.target(row)
        if target is None:
            return self._unsendable(row, at, sender.unregistered(row))
        if target != row.target_url:  # the recipient's URL changed since the row was queued
            sender.model.objects.filter(pk=row.pk).update(target_url=target)
            row.target_url = target
        waiting = sender.wait(row, at)
        if waiting is not None:
            return defer(sender, row, at, *waiting)
        started = time.monotonic()
        outcome = self.attempt(row)
        elapsed = time.monotonic() - started
        sender.took(row, elapsed)
        after = at + timedelta(seconds=elapsed)
        attempt = self._attempt_row(row, at, outcome, int(elapsed * 1000))
        if row.leased_until is None or after < row.leased_until:  # the usual case
            self._attempts.append(attempt)
        else:  # outlived the lease: the sweep may have written a "no outcome" row; replace it
            _replace_attempt(sender, attempt)
        if outcome.state == State.DELIVERED:
            self._delivered.append(row)
            return Result(outcome.state)
        if outcome.state != State.PENDING:
            return finish(sender, row, after, outcome.state, outcome.error)
        return reschedule(sender, row, after, outcome.error)

    def attempt(self, row: Any) -> Outcome:
        """One POST of the row through the guarded client, judged by the sender."""
        try:
            request = self.sender.request(row)
        except NotReady as exc:
            return Outcome(None, str(exc), "", State.PENDING)
        method, extra = request.method, request.extra
        options = self.sender.options()
        try:
            response = transport.request(
                method,
                row.target_url,
                body=request.body,
                headers=request.headers,
                allow_private=options.allow_private,
                deadline=options.deadline,
                connect_timeout=options.connect_timeout,
                read_timeout=options.read_timeout,
                max_bytes=options.max_bytes,
            )
        except addresses.UnsafeTarget as exc:
            error = transport.reason(exc)[:500]
            return Outcome(None, error, "", State.UNDELIVERABLE, method, extra)
        except transport.FAILURES as exc:
            return Outcome(None, transport.reason(exc)[:500], "", State.PENDING, method, extra)
        except Exception as exc:  # whatever it was, the attempt is written down and retried
            log.exception("%s %s to %s failed", sender_name(self.sender), row.pk, row.target_url)
            error = f"failed: {transport.reason(exc)}"[:500]
            return Outcome(None, error, "", State.PENDING, method, extra)
        excerpt = response.body[:400].decode("utf-8", "replace")
        state, error = self.sender.judge(row, response)
        extra = {**extra, **self.sender.answer_fields(response)}
        return Outcome(response.status, error, excerpt, state, method, extra)

    def _attempt_row(self, row: Any, at: datetime, outcome: Outcome, ms: int) -> Attempt:
        return self.sender.attempt_model(
            **{self.sender.row_field: row},
            number=row.attempts,
            started_at=at,
            duration_ms=ms,
            method=outcome.method,
            target_url=row.target_url,
            status_code=outcome.status,
            outcome=outcome.state,
            error=outcome.error,
            response_excerpt=outcome.excerpt,
            **outcome.extra,
        )

    def _unsendable(self, row: Any, at: datetime, error: str) -> Result:
        attempt = self.sender.attempt_model(
            **{self.sender.row_field: row},
            number=row.attempts,
            started_at=at,
            target_url="",
            outcome=State.UNDELIVERABLE,
            error=error,
        )
        _insert_one(attempt)
        return finish(self.sender, row, at, State.UNDELIVERABLE, error)

    def record(self) -> None:
        """Write the attempts made since the last record, and mark the rows delivered: one
        statement for both on PostgreSQL (cpo_portal.db.joint_writes)."""
        attempts, self._attempts = self._attempts, []
        delivered, self._delivered = self._delivered, []
        if attempts and delivered:
            joint_writes.insert_and_update(attempts, _delivered(self.sender, delivered))
        elif len(attempts) == 1:  # one INSERT, without bulk's transaction
            _insert_one(attempts[0])
        elif attempts:
            self.sender.attempt_model.objects.bulk_create(attempts)
        elif delivered:
            _delivered_rows(self.sender, delivered).update(**_delivered_values())
        if delivered:
            self.sender.finished(delivered)


def sender_name(sender: Sender) -> str:
    return str(sender.model._meta.verbose_name)


def _insert_one(attempt: Attempt) -> None:
    """One INSERT. An attempt written with its outcome is never changed: the row is its own
    record, without a history row (the bulk INSERT of the others writes none either)."""
    save = getattr(attempt, "save_without_historical_record", attempt.save)
    save()


def _replace_attempt(sender: Sender, attempt: Attempt) -> None:
    names = ("started_at", "duration_ms", "method", "target_url", "status_code", "outcome",
             "error", "response_excerpt")  # fmt: skip
    sender.attempt_model.objects.update_or_create(
        **{sender.row_field: getattr(attempt, sender.row_field)},
        number=attempt.number,
        defaults={name: getattr(attempt, name) for name in names},
    )


def _ours(sender: Sender, row: Any) -> models.QuerySet[Any]:
    """The row while this worker still holds its lease. A worker that outlived its lease
    (the sweep released the row, perhaps another worker re-claimed it) must not overwrite
    what happened since; only a delivery is still worth recording then."""
    return sender.model.objects.filter(
        pk=row.pk, state=State.SENDING, leased_until=row.leased_until
    )


def finish(sender: Sender, row: Any, now: datetime, state: str, error: str) -> Result:
    rows = _delivered_rows(sender, [row]) if state == State.DELIVERED else _ours(sender, row)
    rows.update(
        state=state,
        leased_until=None,
        last_error=error,
        delivered_at=now if state == State.DELIVERED else None,
    )
    sender.finished([row])
    return Result(state)


def _delivered_rows(sender: Sender, rows: list[Any]) -> models.QuerySet[Any]:
    """The rows to mark delivered, lease lost or not (it did arrive: spare a re-send)."""
    return sender.model.objects.filter(
        pk__in=[row.pk for row in rows], state__in=[State.SENDING, State.PENDING]
    )


def _delivered(sender: Sender, rows: list[Any]) -> stamps.Statement:
    """_delivered_rows(...).update(**_delivered_values()), as a statement to send with
    the attempts (its text made once per process and number of rows)."""
    states = [State.SENDING, State.PENDING]
    pks = [row.pk for row in rows]
    return stamps.update_where(sender.model, _delivered_values(), pk=pks, state=states)


def _delivered_values() -> dict[str, Any]:
    return {"state": State.DELIVERED, "leased_until": None, "last_error": "",
            "delivered_at": timezone.now()}  # fmt: skip


def defer(sender: Sender, row: Any, now: datetime, wait: timedelta, why: str) -> Result:
    """Not sent now: the row goes back to pending, due a little later, its try not counted."""
    due = now + wait
    _ours(sender, row).update(
        state=State.PENDING, leased_until=None, attempts=F("attempts") - 1,
        next_attempt_at=due, last_error=why,
    )  # fmt: skip
    return Result(State.PENDING, due)


def reschedule(sender: Sender, row: Any, now: datetime, error: str) -> Result:
    if sender.max_attempts is not None and row.attempts >= sender.max_attempts:
        return finish(sender, row, now, State.FAILED, f"retries used up; last error: {error}")
    due = now + timedelta(seconds=backoff(sender.options(), row.attempts))
    if row.expires_at is not None and due > row.expires_at - sender.final_try:
        final_try = row.expires_at - sender.final_try
        if now >= final_try:  # that was the final try
            return finish(
                sender, row, now, State.EXPIRED, f"gave up at the ttl; last error: {error}"
            )
        due = final_try  # not after the ttl: one more try just before it
    try:
        with transaction.atomic():
            _ours(sender, row).update(
                state=State.PENDING, leased_until=None, last_error=error, next_attempt_at=due
            )
    except IntegrityError:  # a unique pending row: a newer one of the same object waits
        _ours(sender, row).update(state=State.SUPERSEDED, leased_until=None, last_error=error)
        return Result(State.SUPERSEDED)
    return Result(State.PENDING, due)
