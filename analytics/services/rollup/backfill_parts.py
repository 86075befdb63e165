# ruff: noqa: S608  (SQL built from model table names and integer ids; values are parameters)
"""The rollups' backfill split into parts that Celery workers compute at once
(cpo_portal.background.chunked), with the same rollup rows as the backfill in one task (backfill()).

The units are the one task's (an operator's week, backfill_units), dealt to the parts in
turn. A part computes its units from the ledger into tables of its own (UNLOGGED, named by
run and part, created when the run starts), never into the rollups, so a cancelled or
failed run leaves the rollups as they were: the fine tables (DailyRollup, HourlyRollup,
DailyCustomer, CellCustomer) and what follows from a day alone (OfferDaily, StationDaily,
the days' CustomerSet rows). It holds an advisory lock on (run, part) while it works,
empties its tables when it starts and marks them complete in its last unit's transaction:
a part delivered again after its worker died starts afresh; one delivered again after it
completed changes nothing. The last part to finish merges every part's rows into the
rollups once, in the transaction that marks the run done (chunked), under the live
rollup's lock: per table, it deletes the range's rows that no part has as they are and
inserts the parts' rows the table then lacks (merge_sql), so rows that are already right
are not written again; then what spans days, per operator over the whole range (the
offers' scope cells and scope revenue, the months' customer sets, the hourly blocks and
months). That merge is serial: its share of the time does not shrink with workers, and
it is largest when every row of the range changes.

The live rollup runs on beat meanwhile. The parts read the rows it had rolled up when the
run started (q.Applied at the run's watermarks); if it has moved on by the merge, the
weeks that the rows it read since then touch are rebuilt at its new watermarks inside the
merge, so no row is counted twice or missed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from analytics.models import CustomerSet, OfferScopeDaily
from analytics.models.measures import key_of
from analytics.services import customer_sets, hourly_periods
from analytics.services.rollup import apply as a
from analytics.services.rollup import backfill_whole as single
from analytics.services.rollup import incremental
from analytics.services.rollup import partitions as p
from cpo_portal.background import chunked
from cpo_portal.models import ChunkedJob, JobChunk, Operator

# what a part computes for its own days, by the rollup.sql.Names attribute of its table
# ("sets": the days' customer sets)
NAMED = [
    "daily",
    "channel_daily",
    "hourly",
    "customers",
    "cell_customers",
    "offer_daily",
    "station_daily",
]
WORK = {**{kind: p.TABLES[kind] for kind in NAMED}, "sets": CustomerSet}
MAX_PARTS = 64


def _table(run_id: int, index: int | str, kind: str) -> str:
    return connection.ops.quote_name(f"analytics_backfill_{int(run_id)}_{index}_{kind}")


def _columns(model) -> str:
    fields = model._meta.concrete_fields
    return ", ".join(connection.ops.quote_name(f.column) for f in fields if not f.primary_key)


def _real(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _done_table(run_id: int) -> str:
    return _table(run_id, "parts", "done")


def start(
    first: dt.date, last: dt.date, operators: list[Operator] | None, parts: int
) -> ChunkedJob:
    """Start a backfill in `parts` parts (fewer if there are fewer units); the chunked job
    is the run (its id is the run id). Its parts are queued once the caller's transaction
    commits (or now, outside one)."""
    if connection.vendor != "postgresql":
        raise ValueError("a backfill in parts needs PostgreSQL")
    if not 1 <= parts <= MAX_PARTS:
        raise ValueError(f"the number of parts is between 1 and {MAX_PARTS}")
    units = single.backfill_units(first, last, operators)
    incremental.run_incremental()  # catch up: every row committed by now counts
    params = {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "operators": list(dict.fromkeys(op.pk for op, _, _ in units)),
        "marks": single.watermarks(),
    }
    with transaction.atomic():
        job = chunked.start(
            Parts.runner, Parts.kind, params, max(1, min(parts, len(units)))
        )  # named by its own id, the run's, once it has one
        job.subject, job.progress_total = RUNNER_OBJECT.subject(job.pk), len(units)
        job.params = {**params, "run": job.pk}
        job.save(update_fields=["subject", "progress_total", "params"])
        with connection.cursor() as cursor:
            for index in range(job.chunks):
                for kind, model in WORK.items():
                    cursor.execute(
                        f"CREATE UNLOGGED TABLE {_table(job.pk, index, kind)} AS "
                        f"SELECT {_columns(model)} FROM {_real(model)} WITH NO DATA"
                    )
            cursor.execute(f"CREATE UNLOGGED TABLE {_done_table(job.pk)} (part integer)")
    return job


def _units(params: dict) -> list[tuple[Operator, dt.date, dt.date]]:
    by_pk = Operator.objects.in_bulk(params["operators"])
    chosen = [by_pk[pk] for pk in params["operators"] if pk in by_pk]
    first, last = dt.date.fromisoformat(params["first"]), dt.date.fromisoformat(params["last"])
    return single.backfill_units(first, last, chosen)


def progress(run_id: int) -> tuple[str, int]:
    """The run's status and its one progress figure, in per cent of its units."""
    job = ChunkedJob.objects.filter(pk=run_id).first()
    if job is None or job.subject != RUNNER_OBJECT.subject(run_id):
        raise LookupError(f"no backfill run {run_id}")
    if job.status == "done":
        return job.status, 100
    done, total = chunked.progress_of(job.subject)
    return job.status, (100 * done // total) if total else 0


def cancel(run_id: int) -> bool:
    """Ask every part of the run to stop; False if it was not running."""
    progress(run_id)  # LookupError for a run that is not a backfill
    return bool(RUNNER_OBJECT.cancel(run_id))


# -- the runner cpo_portal.background.chunked calls ------------------------------------------------


class Parts(chunked.Parts):
    kind = "rollup_backfill"
    runner = "analytics.services.rollup.backfill_parts.RUNNER_OBJECT"

    def run_chunk(self, params: dict, index: int, chunks: int, checkpoint: chunked.Checkpoint):
        run_id = params["run"]
        units = enumerate(_units(params))
        mine = [u for i, u in units if chunked.part_of(i, chunks) == index]
        tables = {kind: _table(run_id, index, kind) for kind in WORK}
        names = dataclasses.replace(p.names(), **{k: tables[k] for k in NAMED})
        applied = single.applied_of(params["marks"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s::int, %s::int)", [run_id, index])
            try:
                cursor.execute(f"SELECT 1 FROM {_done_table(run_id)} WHERE part = %s", [index])
                if (
                    cursor.fetchone()
                    or JobChunk.objects.filter(job_id=run_id, index=index, done=True).exists()
                ):
                    return {"units": len(mine)}  # complete: delivered again, nothing to do
                with transaction.atomic():
                    for table in tables.values():
                        cursor.execute(f"TRUNCATE {table}")
                for done, (operator, a, b) in enumerate(mine):
                    checkpoint(done)
                    with transaction.atomic():
                        part = p.partition(operator, a, b)
                        p.stage_fine(cursor, names, part, applied)
                        p.derive_days(cursor, names, part)
                        sets = customer_sets.day_sets(operator.pk, a, b, tables["customers"])
                        _insert(cursor, tables["sets"], CustomerSet, sets)
                        if done == len(mine) - 1:
                            cursor.execute(
                                f"INSERT INTO {_done_table(run_id)} VALUES (%s)", [index]
                            )
                checkpoint(len(mine))
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [run_id, index])
        return {"units": len(mine)}

    def finish(self, params: dict, results: Sequence[Any]) -> None:
        """Inside chunked's transaction: the parts' rows into the rollups, once."""
        run_id, chunks = params["run"], len(results)
        units = _units(params)
        first, last = dt.date.fromisoformat(params["first"]), dt.date.fromisoformat(params["last"])
        p.locked()
        n = p.names()
        with connection.cursor() as cursor:
            # Sorts and hashes of the whole range stay in memory; no JIT compiling (up to
            # half a second a statement, for statements that run once).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
            # Whole-range joins: hashed, whatever the estimates of freshly written rows
            # say (a nested loop over a range thought to be one row is quadratic).
            cursor.execute("SET LOCAL enable_nestloop = off")
            scope = [first, last, params["operators"]]
            for kind, model in WORK.items():
                for statement in merge_sql(model, [_table(run_id, i, kind) for i in range(chunks)]):
                    cursor.execute(statement, scope)
            cursor.execute("SET LOCAL enable_nestloop = on")
            rows = OfferScopeDaily.objects.filter(operator_id__in=params["operators"])
            rows.filter(date__range=(first, last)).delete()
            for operator in dict.fromkeys(op for op, _, _ in units):
                whole = p.partition(operator, first, last)
                # a few thousand (offer, day) sums of some 400,000 joined rows: hashed,
                # not sorted (the planner cannot tell how few the offers' days are)
                cursor.execute("SET LOCAL enable_sort = off")
                p.derive_scope(cursor, n, whole)
                cursor.execute("SET LOCAL enable_sort = on")
                customer_sets.refresh_months(operator.pk, first, last)
                hourly_periods.refresh(operator.pk, first, last)
            now = single.watermarks()
            if now != params["marks"]:  # the live rollup read more rows meanwhile
                for operator, a, b in _moved(params, now, units):
                    p.rebuild(operator, a, b, single.applied_of(now))
            _drop(cursor, run_id, chunks)

    def stopped(self, params: dict, status: str, error: str) -> None:
        with connection.cursor() as cursor:
            _drop(cursor, params["run"], ChunkedJob.objects.get(pk=params["run"]).chunks)


def merge_sql(model, tables: list[str]) -> list[str]:
    """Make the rollup table's rows of the run's range (placeholders, in each statement:
    first date, last date, operator ids) the rows of the parts' `tables`, writing only
    what differs:

    1. DELETE the rows that no part has as they are (its key with other figures, or a
       key no part has);
    2. INSERT the parts' rows whose key the table now lacks.

    A backfill that finds the rollups right (the usual repair check) writes nothing; one
    over an empty range only inserts, into indexes without the dead entries of the rows
    it replaces; one whose every row differs deletes and inserts them all, as the single
    task does. (An UPDATE of the differing rows instead costs a third more there: most
    of these tables leave no room on their pages, so the new versions go through every
    index anyway.) The rows end exactly the parts'."""
    key = key_of(model)
    columns = _columns(model)
    values = [c for c in columns.split(", ") if c.strip('"') not in key]
    parts = " UNION ALL ".join(f"SELECT {columns} FROM {table}" for table in tables)
    same_key = a.match("t", "p", key)
    same = ", ".join(f"t.{c}" for c in values), ", ".join(f"p.{c}" for c in values)
    mine = "t.date >= %s AND t.date <= %s AND t.operator_id = ANY(%s)"
    return [
        f"""DELETE FROM {_real(model)} t WHERE {mine}
        AND NOT EXISTS (SELECT 1 FROM ({parts}) p
                        WHERE {same_key} AND ({same[0]}) IS NOT DISTINCT FROM ({same[1]}))""",
        f"""INSERT INTO {_real(model)} ({columns})
        SELECT {columns} FROM ({parts}) p
        WHERE NOT EXISTS (SELECT 1 FROM {_real(model)} t WHERE {mine} AND {same_key})""",
    ]


def _insert(cursor, table: str, model, objects: list) -> None:
    """Unsaved model objects into a table of the model's columns."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [[f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields] for o in objects]
    if rows:
        marks = ", ".join("%s" for _ in fields)
        cursor.executemany(f"INSERT INTO {table} ({_columns(model)}) VALUES ({marks})", rows)


def _drop(cursor, run_id: int, chunks: int) -> None:
    tables = [_table(run_id, i, kind) for i in range(chunks) for kind in WORK]
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join([*tables, _done_table(run_id)])}")


def _moved(params: dict, now: single.Marks, units) -> list[tuple[Operator, dt.date, dt.date]]:
    """The run's weeks that rows rolled up at `now` but not at the run's marks touch (with
    every other row of their orders), as rebuild units."""
    was, is_ = single.applied_of(params["marks"]), single.applied_of(now)
    n = p.names()
    touched = p.touched(f"""
        SELECT order_ref FROM {n.ledger} WHERE ({is_.ledger}) AND NOT ({was.ledger})
        UNION
        SELECT order_ref FROM {n.sessions} WHERE ({is_.sessions}) AND NOT ({was.sessions})
    """)
    return [
        (op, a, b) for op, a, b in units if any(a <= day <= b for day in touched.get(op.pk, ()))
    ]


RUNNER_OBJECT = Parts()
