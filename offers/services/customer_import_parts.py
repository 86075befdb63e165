"""A large customer import split into parts that Celery workers run at once
(cpo_portal.background.chunked), with the same customers, counts and messages as one task's import
(customer_import_jobs.run_import).

Every part reads the whole file and takes the rows of its customers (a stable hash of
the customer key; a row without a valid contact by its line), so all the rows of one
customer meet in one part, in file order, and a later row still wins. A part saves its
customers in batches as the single import does; the last part to finish adds up the
counts and keeps the first MAX_ERRORS messages by line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpo_portal.background import chunked
from offers.models import CustomerImport, ImportStatus

from .customer_import import MAX_ERRORS, import_customers, text_of
from .customer_import_jobs import INTERNAL_ERROR, fail, run_import

LINE = re.compile(r"line (\d+)")


def parts_for(job: CustomerImport) -> int:
    """One part per CUSTOMER_IMPORT_PART_LINES data lines, at most CUSTOMER_IMPORT_PARTS."""
    wanted = -(-job.total_lines // max(1, int(settings.CUSTOMER_IMPORT_PART_LINES)))
    return max(1, min(int(settings.CUSTOMER_IMPORT_PARTS), wanted))


def begin(job_id: int) -> str:
    """The Celery task's body: a large file in parts, any other as one task."""
    with transaction.atomic():
        job = CustomerImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return "skipped"
        parts = parts_for(job)
        if parts > 1:
            if PARTS.running(job_id):  # the message came back
                return "skipped"
            job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
            job.save(update_fields=["status", "started_at"])
            PARTS.start(job_id, {"job": job_id}, parts, job.total_lines)
            return "split"
    run_import(job_id)
    return "done"


def _line(message: str) -> int:
    found = LINE.match(message)
    return int(found.group(1)) if found else 0


class Parts(chunked.Parts):
    kind = "customer-import"
    runner = "offers.services.customer_import_parts.PARTS"

    def run_chunk(self, params: dict, index: int, chunks: int, checkpoint: chunked.Checkpoint):
        job = CustomerImport.objects.select_related("operator").get(pk=params["job"])
        text = text_of(bytes(job.upload))  # checked when it was uploaded

        def progress(read: int, saved: int, to_save: int) -> None:
            checkpoint(saved)
            done, _ = self.progress(job.pk)
            CustomerImport.objects.filter(pk=job.pk).update(rows_read=read, rows_saved=done)

        result = import_customers(
            job.operator,
            io.StringIO(text, newline=""),
            progress,
            keep=lambda key, line: chunked.part_of(key or line, chunks) == index,
        )
        return {
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "skipped": result.skipped,
            "errors": result.errors,
        }

    def finish(self, params: dict, results: Sequence[Any]) -> None:
        errors = sorted((e for r in results for e in r["errors"]), key=_line)[:MAX_ERRORS]
        CustomerImport.objects.filter(pk=params["job"]).update(
            status=ImportStatus.DONE,
            rows_read=results[0]["rows"],
            created=sum(r["created"] for r in results),
            updated=sum(r["updated"] for r in results),
            skipped=sum(r["skipped"] for r in results),
            errors=errors,
            upload=b"",
            finished_at=timezone.now(),
        )

    def stopped(self, params: dict, status: str, error: str) -> None:
        # a file the reader refuses is refused by every part: its message, as one import's
        refused = error.removeprefix("ValueError: ") if error.startswith("ValueError") else ""
        fail(params["job"], refused or INTERNAL_ERROR)


PARTS = Parts()
