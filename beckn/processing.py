"""The asynchronous half: run the handler for an accepted message and write its reply to
the outbox, exactly once per message.

A worker takes a message by leasing it (one autocommitted `UPDATE ... RETURNING`: its
state `processing`, the time taken and the attempt counted), so that no other worker
takes it until it is released (release(): by the sweep once LEASE has run out), and
nothing stays locked while the handler runs. The reply's
callbacks and the message marked answered are then written together: one statement on
PostgreSQL. The database keeps a message to one answer (Outbox's `one_answer_per_message`:
one row per message and part), so a worker whose lease ran out before it wrote (a
slow one, while another took the message again) writes nothing. A handler that writes
runs in one transaction with that write; one that reads only (ANSWERED_BARE: search,
whose push subscription is a transaction of its own) needs none around it.

A refusal (Failure) undoes whatever the handler changed and is written as the reply on
its own. So is a crash: a handler that raises, or a refusal that cannot be written, is
answered at once with a BECKN error callback (40000, "could not process"), never left
for the sweep to retry until the BAP's ttl has run out. Only when not even that can be
written (the database is away), or the worker dies, does the message stay open, to be
taken again once its lease has run out (the sweep, beckn.tasks.requeue_stuck, releases
and queues it; a worker host that starts with no other one alive releases the leases
at once), at most MAX_ATTEMPTS times while its answer can still arrive in time."""

from __future__ import annotations

import datetime as dt
import logging
from typing import NamedTuple, cast

from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Case, Field, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat
from django.utils import timezone

from beckn import conf
from beckn.handlers import handler_for
from beckn.messages import Failure, Reply, Request
from beckn.models import InboundMessage, InboundState, Outbox
from beckn.protocol import errors
from beckn.protocol.v2 import context as v2_context
from beckn.services import outbox, publication
from beckn.wire.v2 import reading as v2_reading
from beckn.wire.v2 import replies as v2_replies
from cpo_portal.background import lease_holder
from cpo_portal.db import stamps
from cpo_portal.models import Checked, Stamp

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
COULD_NOT_PROCESS = "the BPP could not process this request; please retry with a new message_id"


class Answered(NamedTuple):
    inbound_id: int
    # another message was waiting when this one was taken (True where the database
    # cannot say: SQLite): a drain told that none was looks no more before it waits
    more: bool


def answer_in_turn(now: dt.datetime | None = None) -> Answered | None:
    """Handle the unanswered message whose turn comes first (its fair_at: services.admission)
    that no other worker holds; None when there is none. One statement finds and leases
    it (FOR UPDATE SKIP LOCKED), so workers draining the queue side by side never take a
    row another one holds, nor one already answered, and says whether another was
    waiting. A message whose handling failed is counted for the sweep (record_crash)."""
    now = now or timezone.now()
    taken = _next_waiting(now)
    if taken is None:
        return None
    inbound, more = taken
    try:
        _answer(inbound, now)
    except Exception as exc:
        log.exception("answering inbound message %s failed", inbound.pk)
        record_crash(inbound.pk, exc)
    finally:
        publication.answered()
    return Answered(inbound.pk, more)


ANSWERED_BARE = frozenset({"search"})  # handlers that read, or keep their writes atomic
LEASE = dt.timedelta(seconds=10)  # the sweep releases a message taken longer ago (release())


class _Unwritten(Exception):
    """The reply could not be written for a conflict (the message answered already?)."""


def _answer(inbound: InboundMessage, now: dt.datetime) -> Outbox | None:
    """The taken message's reply written; its first callback (None: another worker
    answered it first)."""
    try:
        return _replied(inbound, now)
    except _Unwritten as unwritten:
        if Outbox.objects.filter(inbound=inbound.pk).exists():
            return None  # answered by a worker that took it once this one's lease ran out
        return _failed(inbound, unwritten.__cause__, now)


def _replied(inbound: InboundMessage, now: dt.datetime) -> Outbox:
    try:
        if inbound.action in ANSWERED_BARE and not v2_context.is_preview(inbound.context):
            return _finish(inbound, _handled(inbound, now), now)
        with transaction.atomic():
            return _finish(inbound, _handled(inbound, now), now)
    except Failure as failure:
        refusal = failure.reply()
    except _Unwritten:
        raise
    except Exception as exc:
        log.exception("processing inbound message %s failed", inbound.pk)
        return _failed(inbound, exc, now)
    try:
        return _finish(inbound, _rendered(inbound, refusal), now)
    except _Unwritten:
        raise
    except Exception as exc:  # a refusal that cannot be written is still answered
        log.exception("writing the refusal of inbound message %s failed", inbound.pk)
        return _failed(inbound, exc, now)


def unanswered(now: dt.datetime) -> QuerySet[InboundMessage]:
    """Messages not yet answered that no worker holds, whose answer can still arrive in
    time (a message a worker took is held until it is answered, or released: release())."""
    return InboundMessage.objects.filter(
        state=InboundState.RECEIVED,
        expires_at__gt=now,
        attempts__lt=MAX_ATTEMPTS,
    )


def waiting(now: dt.datetime) -> QuerySet[InboundMessage]:
    """The unanswered messages in turn (fair_at, then id), each locked as it is read
    unless another worker is taking it (then passed over). Read through the index of
    open messages in turn (inbound_fair_turn_idx), however many answered ones the table
    holds."""
    return unanswered(now).order_by("fair_at", "pk").select_for_update(skip_locked=True)


def release(taken_before: dt.datetime) -> int:
    """The messages taken before `taken_before`, or by a worker process known dead
    (cpo_portal.background.lease_holder.held_by_the_dead), and still not answered, free
    to be taken again: by the sweep once their LEASE has run out (their worker died, or
    is slow: then whichever answers first is the answer, the other's is dropped) or their
    worker's heartbeat went stale, or at once by a worker host that starts with no other
    alive (tasks.answer_left_waiting); how many."""
    held = Q(processed_at__lt=taken_before)
    if (dead := lease_holder.held_by_the_dead("taken_by", timezone.now())) is not None:
        held |= dead
    taken = InboundMessage.objects.filter(held, state=InboundState.PROCESSING)
    return taken.update(state=InboundState.RECEIVED)


def close_overdue(now: dt.datetime) -> int:
    """Messages no worker holds that can no longer be answered, failed: their answer can
    no longer arrive in time (the BAP's ttl ran out while they waited, as in an overload),
    or they were taken MAX_ATTEMPTS times. Open, they would stay in the indexes of open
    messages until retention prunes them, and every take would read past them first
    (their turn, fair_at, is the oldest). The reason is kept beside the last crash, if
    any; how many."""
    closed = 0
    for overdue, reason in (
        (Q(expires_at__lte=now), "its ttl ran out before it was answered"),
        (Q(attempts__gte=MAX_ATTEMPTS), f"not answered in {MAX_ATTEMPTS} attempts"),
    ):
        rows = InboundMessage.objects.filter(overdue, state=InboundState.RECEIVED)
        error = Case(
            When(error="", then=Value(reason)),
            default=Concat(Value(f"{reason}; "), "error"),
            output_field=TextField(),
        )
        closed += rows.update(state=InboundState.FAILED, error=error)
    return closed


_TAKE_COLUMNS = ("id", "state", "processed_at", "taken_by", "attempts")
_ANY_TIME = dt.datetime(1970, 1, 2, tzinfo=dt.UTC)  # where the time goes (never a message's)
_TAKES: dict[str, tuple[str, list, bool]] = {}  # by database alias
_STAMPS = "published_stamps"  # the take's column of every operator's stamps
_MORE = "more_waiting"  # and its column: another message was waiting


def _next_waiting(now: dt.datetime) -> tuple[InboundMessage, bool] | None:
    """The unanswered message whose turn comes first that no other worker holds (of
    waiting()), leased as it is locked: one autocommitted
    `UPDATE ... SET state = 'processing', processed_at = now, attempts = attempts + 1
    WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING *`, with every operator's
    published stamps beside it where the database can (Stamp.every_column): read after
    the message's commit, they are what answering it is quoted under
    (publication.taken), not a statement of their own. Beside them, whether the
    statement's snapshot held another unanswered message (locked or not: a worker may
    be taking it, so True errs towards one more look); True where it is not asked.

    The statement's text is the same for every moment: it is compiled once per process
    and database, with _ANY_TIME where the time goes."""
    alias = router.db_for_write(InboundMessage)
    ops = connections[alias].ops
    if alias not in _TAKES:
        with transaction.atomic(using=alias):  # Django compiles FOR UPDATE only inside one
            _TAKES[alias] = _take_sql(waiting(_ANY_TIME).using(alias))
    sql, params, with_stamps = _TAKES[alias]
    any_time, at = ops.adapt_datetimefield_value(_ANY_TIME), ops.adapt_datetimefield_value(now)
    values = [
        InboundState.PROCESSING,
        at,
        lease_holder.current(),
        *(at if p == any_time else p for p in params),
    ]
    read = Checked.moment()
    found = stamps.instances(InboundMessage, sql, values, alias, (_STAMPS, _MORE))
    if not found:
        return None
    inbound, (published, more) = found[0]
    kinds = publication.KINDS
    publication.taken(Stamp.every_from(published, kinds) if with_stamps else None, read)
    return inbound, more is not False


def _take_sql(rows: QuerySet[InboundMessage]) -> tuple[str, list, bool]:
    """The take's text, its parameters after the state and the time, and whether it
    returns the published stamps too."""
    meta = InboundMessage._meta
    ops = connections[rows.db].ops
    pk, state, processed, taker, attempts = (
        ops.quote_name(str(cast(Field, meta.get_field(name)).column)) for name in _TAKE_COLUMNS
    )
    first = rows.values("pk")[:1]
    sub, params = first.query.get_compiler(using=rows.db).as_sql()
    sql = (
        f"UPDATE {ops.quote_name(meta.db_table)} SET {state} = %s, {processed} = %s, "  # noqa: S608 (names from the model, values parameters)
        f"{taker} = %s, {attempts} = {attempts} + 1 WHERE {pk} IN ({sub}) RETURNING *"
    )
    published = Stamp.every_column(publication.KINDS, rows.db)
    if published is None:
        return sql, list(params), False
    column, kinds = published
    # the taken row is still unanswered in the statement's snapshot: another makes two
    two = unanswered(_ANY_TIME).using(rows.db).values("pk")[:2]
    others, other_params = two.query.get_compiler(using=rows.db).as_sql()
    more = f"(SELECT COUNT(*) FROM ({others}) AS {ops.quote_name('w')}) > 1"  # noqa: S608 (as above)
    sql = f"{sql}, {column} AS {ops.quote_name(_STAMPS)}, {more} AS {ops.quote_name(_MORE)}"
    return sql, [*params, *kinds, *other_params], True


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
        inbound.action,
        inbound.message,
        reply,
        bpp_id=conf.bpp_id(),
        bpp_uri=conf.bpp_uri(),
        sent_shape=inbound.sent_shape,
    )


def _finish(inbound: InboundMessage, reply: Reply, now: dt.datetime) -> Outbox:
    """Write the reply's callbacks (already in the request's version) and mark the
    message answered; its first callback."""
    # A select's draft order is never saved (its quote is held): its callback has no order.
    order = reply.order if reply.order is not None and reply.order.pk is not None else None
    messages = [reply.message, *reply.more]
    replies = [(m, reply.error if i == 0 else None, order) for i, m in enumerate(messages)]
    return _written(inbound, replies, now, {"state": InboundState.DONE})


def _failed(inbound: InboundMessage, exc: BaseException | None, now: dt.datetime) -> Outbox:
    """The handler crashed: the BAP gets an error callback now, and the crash is kept
    (the attempt was counted as the message was taken: _take)."""
    error = {"code": errors.BUSINESS_ERROR.code, "message": COULD_NOT_PROCESS}
    message = None
    if v2_context.is_v2(inbound.context):  # 2.0's callbacks carry a message beside an error
        message = v2_replies.fallback(inbound.action, inbound.message)
    marked = {"state": InboundState.FAILED, "error": f"{type(exc).__name__}: {exc}"[:2000]}
    return _written(inbound, [(message, error, None)], now, marked)


def _written(inbound: InboundMessage, replies: list, now: dt.datetime, marked: dict) -> Outbox:
    try:
        return outbox.answer(inbound, replies, now, marked)[0]
    except IntegrityError as exc:  # one_answer_per_message, or another constraint
        raise _Unwritten from exc


def record_crash(inbound_id: int, exc: BaseException) -> None:
    """Not even the error callback could be written: its lease given back, if the
    database takes it, for the sweep to queue it again (the attempt was counted)."""
    try:
        InboundMessage.objects.filter(pk=inbound_id, state=InboundState.PROCESSING).update(
            state=InboundState.RECEIVED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    except DatabaseError:
        log.warning("could not give back the lease of inbound message %s", inbound_id)
