"""Heavy jobs split into chunks that Celery workers run in parallel.

A runner is any object reachable by a dotted path (the job row names it, so this module
imports no app above it) with three methods:

    run_chunk(params, index, chunks, checkpoint) -> a JSON-able result of part `index`;
        it calls checkpoint(done) now and then with the items it has done so far, which
        records its progress and raises Cancelled once the job is cancelled or failed
    finish(params, results)   every part done: `results` in index order, inside the
                              transaction that marks the job done (so both or neither);
                              if it raises, the job is marked failed with the error
    stopped(params, status, error)   the job was cancelled or failed (called once)

start() saves the job and one row per chunk and, once the caller's transaction commits,
sends one message per chunk as a Celery group (any worker takes any chunk). There is no
result backend: each chunk writes its result to its own row, and the chunk that completes
the set merges them under the job row's lock, a chord kept in the database. With late
acknowledgement a chunk whose worker died is delivered again and runs again from its
start; a chunk already done is not run twice and its result is written once.

One progress figure (progress_of()): the chunks' progress summed. cancel() raises the flag
every chunk reads at its next checkpoint and every queued chunk reads before it starts.

The apps' runners subclass Parts: a kind of job (customer imports, CDR imports, what-if
replays, rollup backfills), whose job for row `pk` runs under subject_of(kind, pk), and
whose items are dealt out to the parts by part_of(key, parts).
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

from celery import group, shared_task
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from cpo_portal.models.chunked_jobs import ChunkedJob, JobChunk, JobStatus

log = logging.getLogger(__name__)
TASK_NAME = "cpo_portal.run_chunk"


class Cancelled(Exception):
    """Raised by a checkpoint once the job is to stop."""


Checkpoint = Callable[[int], None]


class Runner(Protocol):
    def run_chunk(self, params: dict, index: int, chunks: int, checkpoint: Checkpoint) -> Any: ...

    def finish(self, params: dict, results: Sequence[Any]) -> None: ...

    def stopped(self, params: dict, status: str, error: str) -> None: ...


def subject_of(kind: str, pk: int) -> str:
    """The subject the job of row `pk` runs under (its chunks, progress and cancel flag)."""
    return f"{kind}:{pk}"


def part_of(key: str | int, parts: int) -> int:
    """The part (of `parts`) that takes the item named `key`, the same in every process: a
    number modulo `parts`, a text by its crc32 (not hash(), which differs per process)."""
    if isinstance(key, int):
        return key % parts
    return zlib.crc32(key.encode()) % parts


class Parts:
    """The runner of one kind of job in parts: `kind` names its subjects, `runner` is the
    dotted path of the instance (what the job row names). Subclasses give run_chunk,
    finish and stopped (Runner)."""

    kind: ClassVar[str]
    runner: ClassVar[str]

    def subject(self, pk: int) -> str:
        return subject_of(self.kind, pk)

    def start(self, pk: int, params: dict, chunks: int, total: int = 0) -> ChunkedJob:
        return start(self.runner, self.subject(pk), params, chunks, total)

    def running(self, pk: int) -> bool:
        return running(self.subject(pk))

    def progress(self, pk: int) -> tuple[int, int]:
        return progress_of(self.subject(pk))

    def cancel(self, pk: int) -> int:
        return cancel(self.subject(pk))


def start(runner: str, subject: str, params: dict, chunks: int, total: int = 0) -> ChunkedJob:
    """Save the job and queue its chunks once the current transaction commits."""
    job = ChunkedJob.objects.create(
        runner=runner, subject=subject, params=params, chunks=chunks, progress_total=total
    )
    JobChunk.objects.bulk_create(JobChunk(job=job, index=i) for i in range(chunks))
    transaction.on_commit(lambda: send(job))
    return job


def send(job: ChunkedJob, **options: Any) -> None:
    """One message per chunk (`options`: Celery's apply_async options, e.g. a connection)."""
    group(run_chunk.si(job.pk, i) for i in range(job.chunks)).apply_async(**options)


def cancel(subject: str) -> int:
    """Ask the running jobs of `subject` to stop; the number of jobs asked."""
    return ChunkedJob.objects.filter(subject=subject, status=JobStatus.RUNNING).update(
        cancel_requested=True
    )


def running(subject: str) -> bool:
    return ChunkedJob.objects.filter(subject=subject, status=JobStatus.RUNNING).exists()


def progress_of(subject: str) -> tuple[int, int]:
    """(done, total) of the subject's jobs: the chunks' progress summed, and the totals."""
    done = JobChunk.objects.filter(job__subject=subject).aggregate(n=Sum("progress"))["n"]
    total = ChunkedJob.objects.filter(subject=subject).aggregate(n=Sum("progress_total"))["n"]
    return int(done or 0), int(total or 0)


def cpu_seconds(job_id: int) -> list[float]:
    """Each chunk's CPU time (the worker process's own), in index order."""
    rows = JobChunk.objects.filter(job_id=job_id).order_by("index")
    return list(rows.values_list("cpu_seconds", flat=True))


def _stop(job_id: int, status: str, error: str = "") -> None:
    """Mark the job cancelled or failed; the runner hears of it once, from whoever did."""
    with transaction.atomic():
        job = ChunkedJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.RUNNING:
            return
        job.status, job.error, job.finished_at = status, error[:500], timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        import_string(job.runner).stopped(job.params, status, job.error)


def _checkpoint(job_id: int, part_id: int) -> Checkpoint:
    def checkpoint(done: int) -> None:
        JobChunk.objects.filter(pk=part_id, done=False).update(progress=done)
        row = ChunkedJob.objects.filter(pk=job_id).values_list("status", "cancel_requested")
        status, cancelled = row.first() or (JobStatus.CANCELLED, True)
        if cancelled or status != JobStatus.RUNNING:
            raise Cancelled

    return checkpoint


def execute_chunk(job_id: int, index: int) -> str:
    """The task's body: run part `index` of the job, and finish the job if it was the
    last part. Returns what happened (for logs and tests)."""
    job = ChunkedJob.objects.filter(pk=job_id).first()
    part = JobChunk.objects.filter(job_id=job_id, index=index).first()
    if job is None or part is None or job.status != JobStatus.RUNNING or part.done:
        return "skipped"
    if job.cancel_requested:
        _stop(job_id, JobStatus.CANCELLED)
        return JobStatus.CANCELLED
    runner = import_string(job.runner)
    JobChunk.objects.filter(pk=part.pk).update(runs=F("runs") + 1)
    began = time.process_time()
    try:
        result = runner.run_chunk(job.params, index, job.chunks, _checkpoint(job_id, part.pk))
    except Cancelled:
        _stop(job_id, JobStatus.CANCELLED)
        return JobStatus.CANCELLED
    except Exception as exc:  # recorded on the job; the runner tells whoever started it
        log.exception("chunk %s of job %s failed", index, job_id)
        _stop(job_id, JobStatus.FAILED, f"{type(exc).__name__}: {exc}")
        return JobStatus.FAILED
    cpu = time.process_time() - began
    try:
        return _complete(job_id, part.pk, result, cpu)
    except Exception as exc:  # finish() failed: its transaction took back what it wrote
        # The task's message is acknowledged whatever happens (late acknowledgement acks a
        # task that raised), so nobody would run this part again: the job fails now, saying
        # why, instead of staying "running" for ever.
        log.exception("job %s failed as its parts were put together", job_id)
        _stop(job_id, JobStatus.FAILED, f"{type(exc).__name__}: {exc}")
        return JobStatus.FAILED


def _complete(job_id: int, part_id: int, result: Any, cpu: float) -> str:
    with transaction.atomic():
        # the job's lock: completions take turns, so exactly one of them sees the set full
        job = ChunkedJob.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.RUNNING:
            return "skipped"
        wrote = JobChunk.objects.filter(pk=part_id, done=False).update(
            done=True, result=result, cpu_seconds=cpu
        )
        if not wrote:  # a second delivery of a chunk that finished meanwhile
            return "skipped"
        if JobChunk.objects.filter(job_id=job_id, done=False).exists():
            return "chunk done"
        if job.cancel_requested:
            transaction.on_commit(lambda: _stop(job_id, JobStatus.CANCELLED))
            return JobStatus.CANCELLED
        parts = JobChunk.objects.filter(job_id=job_id).order_by("index")
        import_string(job.runner).finish(job.params, list(parts.values_list("result", flat=True)))
        job.status, job.finished_at = JobStatus.DONE, timezone.now()
        job.save(update_fields=["status", "finished_at"])
    return JobStatus.DONE


@shared_task(name=TASK_NAME, ignore_result=True)
def run_chunk(job_id: int, index: int) -> str:
    """One chunk of a chunked job (execute_chunk)."""
    return execute_chunk(job_id, index)
