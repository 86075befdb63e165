"""Rolling the ledger up: incrementally by ledger id (incremental), or a date range at a
time (backfill_whole in one task, backfill_parts across workers).

Idempotent by construction: a partition (operator, local date) is always rebuilt whole
from the ledger inside one transaction under the rollup's lock (partitions), and the live
rollup applies each ledger row once (incremental, delta), so running anything twice gives
the same rows.
"""

from analytics.services.rollup.backfill_whole import backfill
from analytics.services.rollup.incremental import RunResult, run_incremental
from analytics.services.rollup.partitions import SOURCES, date_runs

# The live rollup's Celery task, by its registered name: the beat schedule's PeriodicTask
# row (made by the app's migrations), messages already queued and the queue routes name it.
TASK_NAME = "offers.analytics.tasks.rollup_ledger"

__all__ = ["SOURCES", "TASK_NAME", "RunResult", "backfill", "date_runs", "run_incremental"]
