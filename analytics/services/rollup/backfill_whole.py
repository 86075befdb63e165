"""The backfill in one task: a date range rebuilt a week per transaction, from the rows
the live rollup has read (rollup.backfill_parts splits the same units across workers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from tqdm import tqdm

from analytics.models import RollupCursor
from analytics.services.rollup import sql as q
from analytics.services.rollup.incremental import run_incremental
from analytics.services.rollup.new_rows import Window
from analytics.services.rollup.partitions import CURSOR, SOURCES, date_runs, locked, rebuild
from cpo_portal.models import Operator

BACKFILL_CHUNK_DAYS = 7
Marks = dict[str, list]  # cursor name -> [watermark, gaps]: what the live rollup has read


def watermarks() -> Marks:
    """Where the live rollup stands: per source, its watermark and the ids it still waits
    on below it."""
    marks: Marks = {}
    for name in SOURCES:
        cursor, _ = RollupCursor.objects.get_or_create(name=name)
        marks[name] = [cursor.last_id, [[int(lo), int(hi)] for lo, hi, _ in cursor.pending_gaps]]
    return marks


def applied_of(marks: Marks) -> q.Applied:
    """The rows rolled up at `marks`, as conditions a rebuild reads with (q.Applied)."""

    def window(name: str) -> Window:
        last_id, gaps = marks[name]
        return Window(int(last_id), int(last_id), tuple((int(a), int(b)) for a, b in gaps))

    return q.Applied(window(CURSOR).applied_sql("id"), window("sessions").applied_sql("id"))


def backfill_units(
    first: dt.date, last: dt.date, operators: Iterable[Operator] | None = None
) -> list[tuple[Operator, dt.date, dt.date]]:
    """The backfill's units of work, in the order one task rebuilds them: per operator
    (default: all), a week at a time."""
    if last < first:
        raise ValueError("the end date is before the start date")
    chosen = list(operators if operators is not None else Operator.objects.order_by("pk"))
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [(op, a, b) for op in chosen for a, b in date_runs(days, BACKFILL_CHUNK_DAYS)]


def backfill(
    first: dt.date,
    last: dt.date,
    operators: Iterable[Operator] | None = None,
    progress: bool = True,
    out=None,
) -> int:
    """Rebuild [first, last] (local dates) for the operators given (default: all), a week
    per transaction. Returns the number of partitions rebuilt.

    The live rollup first catches up (so every row committed by now counts); each week is
    then rebuilt from the rows the live rollup has read, under its lock, so rows that
    arrive meanwhile are added once, by the live rollup's next run (q.Applied)."""
    chunks = backfill_units(first, last, operators)
    run_incremental()
    bar = tqdm(chunks, desc="rollup", unit="week", disable=not progress, file=out)
    for operator, a, b in bar:
        bar.set_postfix_str(f"{operator.code} {a:%Y-%m-%d}")
        with transaction.atomic():
            locked()
            rebuild(operator, a, b, applied_of(watermarks()))
    return ((last - first).days + 1) * len({op.pk for op, _, _ in chunks})
