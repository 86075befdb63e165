"""Celery tasks. The schedule lives in django-celery-beat's PeriodicTask table (created by
the app's migrations, editable in the admin), not in code."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from analytics.services.rollup import TASK_NAME, run_incremental
from analytics.services.whatif.parallel import begin

log = logging.getLogger(__name__)


@shared_task(name=TASK_NAME, ignore_result=True)
def rollup_ledger() -> dict[str, float | int]:
    """Roll up what the ledger gained since the last run (idempotent; runs serialise on
    the cursor row's lock, so an overlapping run just waits and then finds nothing new)."""
    result = run_incremental()
    log.info(
        "rollup: %d ledger rows, %d partitions, watermark %d, %.2fs",
        result.rows,
        result.partitions,
        result.last_id,
        result.seconds,
    )
    return {"rows": result.rows, "partitions": result.partitions, "last_id": result.last_id}


@shared_task(name="offers.analytics.tasks.run_whatif", ignore_result=True)
def run_whatif(run_id: int) -> str:
    """Replay one what-if run, in parallel parts where they are independent
    (services.whatif.parallel.begin)."""
    return begin(run_id)


def queue_whatif(run_id: int) -> None:
    """Queue the run once the transaction that saved it commits."""
    transaction.on_commit(lambda: run_whatif.delay(run_id))
