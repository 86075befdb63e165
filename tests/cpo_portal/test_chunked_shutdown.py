"""A worker host told to stop (SIGTERM) in the middle of a chunked job: it finishes the
chunk it holds and hands the others back; another worker does them. Every chunk is run
once and its result written once; the job finishes (cpo_portal.background.chunked)."""

from __future__ import annotations

import os
import signal
import sys
import uuid

import pytest
from django.conf import settings
from kombu import Connection

from cpo_portal.background import chunked
from cpo_portal.models import ChunkedJob, JobChunk
from tests.support.faults.harness import database_url
from tests.support.procs import ROOT, Process, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
RUNNER = "tests.cpo_portal.chunk_runners.SLOW"


def worker(name: str, prefix: str, tmp_path) -> Process:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_KEY_PREFIX": prefix,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",
        "PYTHONPATH": str(ROOT),
    }
    argv = [sys.executable, "-m", "celery", "-A", "cpo_portal", "worker", "--concurrency", "1",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h"]  # fmt: skip
    return Process(name, argv, env, tmp_path / f"{name}.log", "ready.").start()


@pytest.mark.django_db(transaction=True)
def test_sigterm_mid_job_finishes_the_chunk_in_hand_and_hands_back_the_rest(tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker")
    prefix = f"shutdown-{uuid.uuid4().hex[:8]}:"
    first = worker("first", prefix, tmp_path)
    try:
        first.wait_ready()
        job = ChunkedJob.objects.create(runner=RUNNER, subject="test:shutdown",
                                        params={"steps": 8, "pause": 0.25}, chunks=3)  # fmt: skip
        JobChunk.objects.bulk_create(JobChunk(job=job, index=i) for i in range(3))
        options = {"global_keyprefix": prefix}
        with Connection(settings.CELERY_BROKER_URL, transport_options=options) as connection:
            chunked.send(job, connection=connection)
        wait_until(lambda: JobChunk.objects.filter(job=job, progress__gt=0).exists(), 60,
                   "the first chunk under way")  # fmt: skip
        # SIGTERM to the main process (as systemd's KillMode=mixed): Celery's warm shutdown
        assert first.popen is not None
        os.kill(first.popen.pid, signal.SIGTERM)
        assert first.popen.wait(timeout=60) == 0, first.tail()
        held = JobChunk.objects.filter(job=job, done=True).count()
        assert held == 1, first.tail()  # the chunk it held, finished before it left
        second = worker("second", prefix, tmp_path)
        try:
            wait_until(lambda: ChunkedJob.objects.get(pk=job.pk).status != "running", 90,
                       "the job to finish")  # fmt: skip
        finally:
            second.stop()
    finally:
        first.kill()
    job.refresh_from_db()
    parts = list(JobChunk.objects.filter(job=job).order_by("index"))
    assert job.status == "done", job.error
    assert [p.result for p in parts] == [0, 1, 4]
    assert [p.runs for p in parts] == [1, 1, 1]  # none run twice, none lost
    assert all(p.progress == 8 for p in parts)
