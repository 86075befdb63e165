"""Group commit for the ACK path: requests of one process that reach the INSERT together
share one statement and one commit.

Under load, the ACK's INSERT is about a fifth of the request's CPU on our side and most of
PostgreSQL's, nearly all of it per statement (parse, plan, the commit's WAL flush, the
round trip), not per row: four rows in one statement cost each of them less than half
of a statement of their own (docs/beckn.md, Performance). So the first thread to arrive
leads: it sends the rows queued at that moment, its own included, and hands the answers
out. Threads that arrive while a statement is in flight queue up, and the first of them
leads the next statement. Nobody waits for a timer: an idle server sends every row at
once, and a busy one batches as many rows as arrived during one round trip.

Every row is still committed before its request is answered, each request still learns
whether its key was new, and a statement that fails is retried row by row, so one bad row
never fails another request.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import DatabaseError

log = logging.getLogger(__name__)

# Three rows of 13 columns stay within the 50 parameters up to which psycopg remembers a
# statement's parsed form; a longer one is parsed again on every call, which costs more
# than the fourth row saves. A fourth row is queued for the next statement.
MAX_ROWS = 3
Values = dict[str, Any]
R = TypeVar("R")  # what a row's request learns: its id, None for a taken key, a refusal
InsertMany = Callable[[Sequence[Values]], list[R]]


class _Slot(Generic[R]):
    __slots__ = ("error", "lead", "ready", "result", "values")

    def __init__(self, values: Values) -> None:
        self.values = values
        self.ready = threading.Event()
        self.lead = False
        self.result: R | None = None
        self.error: BaseException | None = None

    def outcome(self) -> R | None:
        if self.error is not None:
            raise self.error
        return self.result


class GroupInsert(Generic[R]):
    def __init__(self, insert_many: InsertMany[R], max_rows: int = MAX_ROWS) -> None:
        self.insert_many = insert_many
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._queue: list[_Slot[R]] = []
        self._leading = False

    def insert(self, values: Values) -> R | None:
        """What insert_many answered for this row (the new row's id, None when its key is
        taken); raises what the row raised."""
        slot: _Slot[R] = _Slot(values)
        with self._lock:
            self._queue.append(slot)
            lead = not self._leading
            self._leading = True
        if not lead:
            slot.ready.wait()
            if not slot.lead:
                return slot.outcome()
        self._send()
        return slot.outcome()

    def _send(self) -> None:
        """Send what is queued (the leader's own row is first in line), then hand the lead
        to the next queued row, if any."""
        with self._lock:
            batch, self._queue = self._queue[: self.max_rows], self._queue[self.max_rows :]
        try:
            self._store(batch)
        finally:
            with self._lock:
                successor = self._queue[0] if self._queue else None
                if successor is None:
                    self._leading = False
                else:
                    successor.lead = True
            for slot in batch:
                slot.ready.set()
            if successor is not None:
                successor.ready.set()

    def _store(self, batch: list[_Slot[R]]) -> None:
        try:
            results = self.insert_many([slot.values for slot in batch])
        except DatabaseError as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            log.warning("group insert of %d rows failed (%s); row by row", len(batch), exc)
            for slot in batch:
                self._store([slot])
            return
        except BaseException as exc:  # never leave a waiting request without an answer
            for slot in batch:
                slot.error = exc
            raise
        for slot, result in zip(batch, results, strict=True):
            slot.result = result


_groups: dict[tuple[int, Any], GroupInsert[Any]] = {}


def group(insert_many: InsertMany[R]) -> GroupInsert[R]:
    """One per process and function: a forked worker never shares its parent's queue or
    lock."""
    key = (os.getpid(), insert_many)
    found = _groups.get(key)
    if found is None:
        if any(pid != key[0] for pid, _ in _groups):
            _groups.clear()
        found = _groups[key] = GroupInsert(insert_many)
    return found
