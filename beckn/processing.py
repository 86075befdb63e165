"""The asynchronous half: run the handler for an accepted message and write its reply to
the outbox, in one transaction, exactly once per message.

A refusal (Failure) undoes whatever the handler changed and is written as the reply in a
transaction of its own. So is a crash: a handler that raises, or a refusal that cannot
be written, is answered at once with a BECKN error callback (40000, "could not
process"), never left for the sweep to retry until the BAP's ttl has run out. Only when
not even that can be written (the database is away) does the message stay `received`,
for the sweep (beckn.tasks.requeue_stuck) to queue again, at most MAX_ATTEMPTS times
while its answer can still arrive in time."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import cast

from django.db import DatabaseError, connections, router, transaction
from django.db.models import F, Field, QuerySet
from django.utils import timezone

from beckn import conf
from beckn.handlers import handler_for
from beckn.messages import Failure, Reply, Request
from beckn.models import INBOUND_OPEN, InboundMessage, InboundState, Outbox
from beckn.protocol import errors
from beckn.protocol.v2 import context as v2_context
from beckn.services import outbox
from beckn.wire.v2 import reading as v2_reading
from beckn.wire.v2 import replies as v2_replies

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
COULD_NOT_PROCESS = "the BPP could not process this request; please retry with a new message_id"


def process(inbound_id: int, now: dt.datetime | None = None) -> Outbox | None:
    """Handle one message; None if it was already handled, another worker is handling it,
    or it does not exist. The row returned is the reply's first callback (an on_search
    in parts has one per part)."""
    return _answer(inbound_id, now or timezone.now())


def process_next(now: dt.datetime | None = None) -> int | None:
    """Handle the unanswered message whose turn comes first (its fair_at: services.admission)
    that no other worker is handling; its id, or None when there is none. One statement
    finds and locks it (FOR UPDATE SKIP LOCKED), so workers draining the queue side by side
    never ask for a row another one holds, nor lock one already answered. A message whose
    handling failed is counted for the sweep (record_crash)."""
    now = now or timezone.now()
    taken: list[int] = []
    try:
        _answer(None, now, taken=taken)
    except Exception as exc:
        if not taken:
            raise
        log.exception("answering inbound message %s failed", taken[0])
        record_crash(taken[0], exc)
    return taken[0] if taken else None


def _answer(
    inbound_id: int | None, now: dt.datetime, taken: list[int] | None = None
) -> Outbox | None:
    """process(inbound_id); with no id, the next message in turn (its id into `taken`)."""
    refusal: Reply | None = None
    try:
        with transaction.atomic():
            if inbound_id is None:
                inbound = _next_waiting(now)
            else:
                inbound = _locked(inbound_id, now, skip_locked=True)
            if inbound is None:
                return None
            inbound_id = inbound.pk
            if taken is not None:
                taken.append(inbound.pk)
            return _finish(inbound, _handled(inbound, now), now)
    except Failure as failure:
        refusal = failure.reply()
        crash: Exception | None = None
    except Exception as exc:
        if inbound_id is None:
            raise
        log.exception("processing inbound message %s failed", inbound_id)
        crash = exc
    assert inbound_id is not None  # set before the handler runs
    with transaction.atomic():
        inbound = _locked(inbound_id, now)
        if inbound is None:
            return None
        if refusal is not None:
            try:
                with transaction.atomic():
                    return _finish(inbound, _rendered(inbound, refusal), now)
            except Exception as exc:  # a refusal that cannot be written is still answered
                log.exception("writing the refusal of inbound message %s failed", inbound_id)
                crash = exc
        return _failed(inbound, crash, now)


def unanswered(now: dt.datetime) -> QuerySet[InboundMessage]:
    """Messages not yet handled whose answer can still arrive in time."""
    return InboundMessage.objects.filter(
        state__in=INBOUND_OPEN,
        expires_at__gt=now,
        attempts__lt=MAX_ATTEMPTS,
    )


def waiting(now: dt.datetime) -> QuerySet[InboundMessage]:
    """The unanswered messages in turn (fair_at, then id), each locked as it is read
    unless another worker holds it (then passed over). Read through the index of open
    messages in turn (inbound_fair_turn_idx), however many answered ones the table holds."""
    rows = unanswered(now).order_by("fair_at", "pk")
    return rows.select_for_update(skip_locked=True)


def _next_waiting(now: dt.datetime) -> InboundMessage | None:
    """The unanswered message whose turn comes first that no other worker holds, taken."""
    return _take(("next", False), lambda alias: waiting(_ANY_TIME).using(alias), now)


def _locked(inbound_id: int, now: dt.datetime, skip_locked: bool = False) -> InboundMessage | None:
    """The message, taken, unless it does not exist, was already handled or (with
    `skip_locked`) another worker is handling it."""

    def rows(alias: str) -> QuerySet[InboundMessage]:
        rows = InboundMessage.objects.using(alias).select_for_update(skip_locked=skip_locked)
        return rows.filter(pk=_ANY_ID).exclude(state__in=_CLOSED).order_by()

    return _take(("id", skip_locked), rows, now, inbound_id)


_TAKE_COLUMNS = ("id", "state", "processed_at", "attempts")
_ANY_ID = -1  # where the id goes in a take's text (no message has it)
_ANY_TIME = dt.datetime(1970, 1, 2, tzinfo=dt.UTC)  # where the time goes (never a message's)
_CLOSED = [InboundState.DONE, InboundState.FAILED]
_TAKES: dict[tuple[str, str, bool], tuple[str, list]] = {}


def _take(
    kind: tuple[str, bool],
    rows: Callable[[str], QuerySet[InboundMessage]],
    now: dt.datetime,
    inbound_id: int | None = None,
) -> InboundMessage | None:
    """The first of `rows` (a locking query), marked answered as it is locked: one
    `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE) RETURNING *`, so that the answer's
    transaction need not mark it at its end. A handler that raises rolls the mark back
    with everything else (the refusal or the crash is then written in a transaction of
    its own, which takes the message the same way).

    The statement's text is the same for every message and moment: it is compiled once
    per process and kind, with _ANY_ID and _ANY_TIME where the id and the time go."""
    alias = router.db_for_write(InboundMessage)
    ops = connections[alias].ops
    key = (alias, *kind)
    if key not in _TAKES:
        _TAKES[key] = _take_sql(rows(alias))
    sql, params = _TAKES[key]
    any_time, at = ops.adapt_datetimefield_value(_ANY_TIME), ops.adapt_datetimefield_value(now)
    values: list[object] = [InboundState.DONE, at]
    for p in params:
        values.append(inbound_id if p == _ANY_ID else at if p == any_time else p)
    return next(iter(InboundMessage.objects.using(alias).raw(sql, values)), None)


def _take_sql(rows: QuerySet[InboundMessage]) -> tuple[str, list]:
    """The take's text, and its parameters after the state and the time."""
    meta = InboundMessage._meta
    ops = connections[rows.db].ops
    pk, state, processed, attempts = (
        ops.quote_name(str(cast(Field, meta.get_field(name)).column)) for name in _TAKE_COLUMNS
    )
    first = rows.values("pk")[:1]
    sub, params = first.query.get_compiler(using=rows.db).as_sql()
    sql = (
        f"UPDATE {ops.quote_name(meta.db_table)} SET {state} = %s, {processed} = %s, "  # noqa: S608 (names from the model, values parameters)
        f"{attempts} = {attempts} + 1 WHERE {pk} IN ({sub}) RETURNING *"
    )
    return sql, list(params)


def _request(inbound: InboundMessage, now: dt.datetime) -> Request:
    """The handler's Request: a 2.0 request's message read into the one handlers read."""
    if v2_context.is_v2(inbound.context):
        v2_action = v2_context.V2_ACTION.get(inbound.action, inbound.action)
        return Request(
            inbound, now, read_as=v2_reading.internal_message(v2_action, inbound.message, now)
        )
    return Request(inbound, now)


class _Undo(Exception):
    """Leaves a preview's savepoint, rolled back, with the reply it gave."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("preview")
        self.reply = reply


def _handled(inbound: InboundMessage, now: dt.datetime) -> Reply:
    """The handler's reply. A 2.0 preview (`context.try: true`) is the same handler run in
    a savepoint that is then rolled back: the reply says what the request would do (the
    order cancelled and its offers reversed, the session stopped and settled, ...), and
    nothing of it stays (order, ledger, stock, ratings, callbacks it queued). It is
    rendered in 2.0 inside the savepoint, while the order is as the request left it."""
    handler = handler_for(inbound.action)
    if not v2_context.is_preview(inbound.context):
        return _rendered(inbound, handler(_request(inbound, now)))
    try:
        with transaction.atomic():
            raise _Undo(_rendered(inbound, handler(_request(inbound, now))))
    except _Undo as undone:
        return undone.reply


def _rendered(inbound: InboundMessage, reply: Reply) -> Reply:
    """The reply to a 2.0 request rendered in 2.0 (the handlers answer in one shape)."""
    if not v2_context.is_v2(inbound.context):
        return reply
    return v2_replies.render(
        inbound.action, inbound.message, reply, bpp_id=conf.bpp_id(), bpp_uri=conf.bpp_uri()
    )


def _finish(inbound: InboundMessage, reply: Reply, now: dt.datetime) -> Outbox:
    """Write the reply's callbacks (already in the request's version; the message was
    marked handled as it was taken: _take); its first callback."""
    # A select's draft order is never saved (its quote is held): its callback has no order.
    order = reply.order if reply.order is not None and reply.order.pk is not None else None
    rows = outbox.add_many(
        [
            (inbound, message, reply.error if i == 0 else None, order)
            for i, message in enumerate([reply.message, *reply.more])
        ],
        now,
    )
    return rows[0]


def _failed(inbound: InboundMessage, exc: BaseException | None, now: dt.datetime) -> Outbox:
    """The handler crashed: the BAP gets an error callback now, and the crash is kept
    (the attempt was counted as the message was taken: _take)."""
    inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
    inbound.state = InboundState.FAILED
    error = {"code": errors.BUSINESS_ERROR.code, "message": COULD_NOT_PROCESS}
    message = None
    if v2_context.is_v2(inbound.context):  # 2.0's callbacks carry a message beside an error
        message = v2_replies.fallback(inbound.action, inbound.message)
    row = outbox.add(inbound, message, error=error, now=now)
    inbound.save(update_fields=["error", "state"])
    return row


def record_crash(inbound_id: int, exc: BaseException) -> None:
    """Not even the error callback could be written: count the attempt, if the database
    takes it, for the sweep."""
    try:
        InboundMessage.objects.filter(pk=inbound_id, state=InboundState.RECEIVED).update(
            attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    except DatabaseError:
        log.warning("could not count the failed attempt of inbound message %s", inbound_id)
