"""Customer CSV imports as background jobs: the web request stores the upload and queues
it; a Celery worker runs the import (offers.services.customer_import) and reports progress
on the job row, which the admin shows."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cpo_portal.models import Operator
from offers.models import CustomerImport, ImportStatus

from .customer_import import import_customers, text_of

log = logging.getLogger(__name__)
INTERNAL_ERROR = (
    "the import stopped on an internal error; customers saved so far are kept, and "
    "importing the file again finishes it"
)


NOT_QUEUED = "the import could not be queued (the task broker is unreachable); upload it again"


def queue_import(
    operator: Operator, upload: UploadedFile, enqueue: Callable[[int], object], user=None
) -> CustomerImport:
    """Store the upload and queue it for a worker: `enqueue(job_id)` (the Celery task's
    `delay`, given by the caller, since the task module builds on this one) is called once
    the transaction commits."""
    raw = upload.read()
    job = CustomerImport.objects.create(
        operator=operator,
        file_name=(upload.name or "upload.csv")[:200],
        upload=raw,
        total_lines=max(raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1) - 1, 0),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )

    def send() -> None:
        try:
            enqueue(job.pk)
        except Exception:  # the broker is unreachable: say so on the job, keep no upload
            log.exception("customer import %s could not be queued", job.pk)
            fail(job.pk, NOT_QUEUED)

    transaction.on_commit(send)
    return job


def _update(job_id: int, **fields) -> None:
    CustomerImport.objects.filter(pk=job_id).update(**fields)


def fail(job_id: int, message: str) -> None:
    """The job failed, saying why; its upload is not kept."""
    _update(job_id, status=ImportStatus.FAILED, message=message[:500], upload=b"",
            finished_at=timezone.now())  # fmt: skip


def run_import(job_id: int) -> None:
    """Run a queued job. A job already finished is left alone; one left running by a
    worker that died is run again from the start (the import is idempotent)."""
    claimed = CustomerImport.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return
    job = CustomerImport.objects.select_related("operator").get(pk=job_id)

    def progress(read: int, saved: int, to_save: int) -> None:
        _update(job_id, rows_read=read, rows_saved=saved, rows_to_save=to_save)

    try:
        text = text_of(bytes(job.upload))
        result = import_customers(job.operator, io.StringIO(text, newline=""), progress)
    except ValueError as exc:
        fail(job_id, str(exc))
        return
    except Exception:
        log.exception("customer import %s failed", job_id)
        fail(job_id, INTERNAL_ERROR)
        raise
    _update(
        job_id,
        status=ImportStatus.DONE,
        rows_read=result.rows,
        created=result.created,
        updated=result.updated,
        skipped=result.skipped,
        errors=result.errors,
        upload=b"",
        finished_at=timezone.now(),
    )
