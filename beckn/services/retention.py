"""How long Beckn messages are kept (BECKN_KEEP_MESSAGES_DAYS), and the pruning that keeps
to it (the beat task beckn.prune_messages, `manage.py beckn_prune`).

What goes, `keep` after the answer window closed (each row's expires_at):

- every accepted request (InboundMessage), whatever became of it. Its unique key is what
  makes a BAP's retry an ACK of the same message instead of a second one, but the same
  bytes sent after expires_at are refused as stale (their timestamp + ttl has passed) and
  their signature has expired long before (BECKN_SIGNATURE_MAX_LIFETIME), so a row gone
  then opens no door to a replay;
- every callback that answers no order (on_search, and on_support, on_rating and the
  errors of requests that named none) once it reached a final state, with its delivery
  attempts and their history records.

- every held quote (SelectQuote) that did not become an order, `keep` after its last
  select;
- the catalog change record (CatalogChange) older than `keep` that every active push
  subscription has sent: a `catalog_inc` window that starts before it is refused at
  intake (the BAP asks for `catalog_full` instead).

What stays: an order's callbacks and their attempts, for as long as the order (they are
what the BAP was told about it); their request's row goes, and their `inbound` becomes
empty. A select makes no order (its quote is held, beckn.SelectQuote, and stays), so its
on_select goes like an on_search's. Nothing is pruned while BECKN_KEEP_MESSAGES_DAYS is 0.

Rows go PRUNE_BATCH at a time, one transaction each, found through an index
(inbound_state_idx; outbox_prunable_idx) in no particular order, so that a batch costs
the same however large the tables are; a run stops after MAX_BATCHES of each, and the
next run (beat runs it every ten minutes) goes on. The rows are deleted by plain DELETE
statements: Django's QuerySet.delete() would load every row (request bodies included) to
send the delete signals, and django-simple-history would answer each deleted callback
with a new history record, the opposite of pruning (bench/prune.py measures both:
bench/results/retention.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import connection, models, transaction
from django.utils import timezone

from beckn import conf
from beckn.models import (
    FINAL_STATES,
    CatalogChange,
    CatalogSubscription,
    DeliveryAttempt,
    InboundMessage,
    InboundState,
    Outbox,
    SelectQuote,
)

PRUNE_BATCH = 1000
MAX_BATCHES = 100  # per table and run: at most 100,000 rows each


@dataclass(frozen=True)
class Pruned:
    requests: int = 0
    callbacks: int = 0
    attempts: int = 0
    quotes: int = 0
    changes: int = 0

    def __add__(self, other: Pruned) -> Pruned:
        return Pruned(
            self.requests + other.requests,
            self.callbacks + other.callbacks,
            self.attempts + other.attempts,
            self.quotes + other.quotes,
            self.changes + other.changes,
        )

    def __bool__(self) -> bool:
        return bool(self.requests or self.callbacks or self.quotes or self.changes)

    def __str__(self) -> str:
        return (
            f"{self.requests} requests, {self.callbacks} callbacks, "
            f"{self.attempts} delivery attempts, {self.quotes} held quotes and "
            f"{self.changes} catalog changes"
        )


def keep(days: float | None = None) -> timedelta | None:
    """How long after its answer window a message is kept: `days`, or else
    BECKN_KEEP_MESSAGES_DAYS. None: for ever (0 or less, or longer than the calendar
    reaches back)."""
    days = float(conf.get("BECKN_KEEP_MESSAGES_DAYS")) if days is None else days
    if not days > 0:
        return None
    try:
        kept = timedelta(days=days)
        timezone.now() - kept
    except OverflowError:
        return None
    return kept


def prune(now: datetime, kept: timedelta | None = None, batch: int = PRUNE_BATCH) -> Pruned:
    """Delete what has been kept long enough (the module's docstring says what)."""
    kept = kept if kept is not None else keep()
    if kept is None:
        return Pruned()
    cutoff = now - kept
    # a batch's ids are one statement's parameters (and one more for the UPDATE's NULL):
    # within what the database takes (SQLite as Django configures it: 999)
    limit = connection.features.max_query_params
    batch = min(batch, limit - 1) if limit else batch
    callbacks, attempts = _in_batches(old_callbacks(cutoff), batch, _delete_callbacks)
    requests, _ = _in_batches(old_requests(cutoff), batch, _delete_requests)
    quotes, _ = _in_batches(old_quotes(cutoff), batch, partial(_delete, SelectQuote, "id"))
    changes, _ = _in_batches(old_changes(cutoff), batch, partial(_delete, CatalogChange, "id"))
    return Pruned(requests, callbacks, attempts, quotes, changes)


def _in_batches(
    rows: models.QuerySet, batch: int, delete: Callable[[list[int]], int]
) -> tuple[int, int]:
    """`rows` deleted by `delete`, `batch` ids a transaction, for at most MAX_BATCHES: how
    many, and what `delete` counted."""
    done = counted = 0
    for _ in range(MAX_BATCHES):
        ids = batch_of(rows, batch)
        with transaction.atomic():
            counted += delete(ids)
        done += len(ids)
        if len(ids) < batch:
            break
    return done, counted


def old_quotes(cutoff: datetime) -> models.QuerySet[SelectQuote]:
    """Held quotes that became no order, last selected before `cutoff`."""
    return SelectQuote.objects.filter(order__isnull=True, updated_at__lt=cutoff)


def old_changes(cutoff: datetime) -> models.QuerySet[CatalogChange]:
    """Catalog changes from before `cutoff` that every active push has sent."""
    rows = CatalogChange.objects.filter(at__lt=cutoff)
    sent = CatalogSubscription.objects.filter(active=True).aggregate(m=models.Min("cursor"))["m"]
    return rows if sent is None else rows.filter(id__lte=sent)


def old_requests(cutoff: datetime) -> models.QuerySet[InboundMessage]:
    """Requests whose answer window closed before `cutoff`. A request arrives before its
    window closes, so received_at < cutoff is implied; it lets inbound_state_idx (state,
    received_at) find them, every state named so that the index's first column is used."""
    return InboundMessage.objects.filter(
        state__in=InboundState.values, received_at__lt=cutoff, expires_at__lt=cutoff
    )


def old_callbacks(cutoff: datetime) -> models.QuerySet[Outbox]:
    """Finished callbacks of no order whose window closed before `cutoff`."""
    return Outbox.objects.filter(
        order__isnull=True, state__in=sorted(FINAL_STATES), expires_at__lt=cutoff
    )


def batch_of(rows: models.QuerySet, batch: int) -> list[int]:
    """Up to `batch` ids, unordered: the first rows the index yields, not a sort of all."""
    return list(rows.order_by().values_list("pk", flat=True)[:batch])


def _delete_callbacks(ids: list[int]) -> int:
    """The callbacks, their attempts and the history records of both; the attempts' count."""
    if not ids:
        return 0
    DeliveryAttempt.history.model.objects.filter(outbox_id__in=ids).delete()
    attempts = _delete(DeliveryAttempt, "outbox_id", ids)
    Outbox.history.model.objects.filter(id__in=ids).delete()
    _delete(Outbox, "id", ids)
    return attempts


def _delete_requests(ids: list[int]) -> int:
    """The requests, their callbacks (an order's, kept) left pointing at none."""
    Outbox.objects.filter(inbound_id__in=ids).update(inbound=None)
    return _delete(InboundMessage, "id", ids)


def _delete(model: type[models.Model], column: str, values: Sequence[int]) -> int:
    """DELETE FROM the model's table WHERE column IN values: no rows loaded, no signals."""
    if not values:
        return 0
    ops = connection.ops
    marks = ", ".join(["%s"] * len(values))
    table, where = ops.quote_name(model._meta.db_table), ops.quote_name(column)
    sql = f"DELETE FROM {table} WHERE {where} IN ({marks})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(values))
        return cursor.rowcount
