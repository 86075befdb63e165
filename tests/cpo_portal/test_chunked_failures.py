"""A chunked job whose parts all ran but whose finish() fails (cpo_portal.background.chunked):
the job is marked failed with the error and its runner told once, never left running (the last
part's message is acknowledged, so no worker would run it again)."""

from __future__ import annotations

import pytest

from cpo_portal.background import chunked
from cpo_portal.models.chunked_jobs import ChunkedJob, JobStatus
from tests.cpo_portal.chunk_runners import FAILS_TO_FINISH

pytestmark = pytest.mark.django_db

RUNNER = "tests.cpo_portal.chunk_runners.FAILS_TO_FINISH"


def test_a_finish_that_raises_fails_the_job_and_tells_the_runner_once():
    FAILS_TO_FINISH.heard.clear()
    job = chunked.start(RUNNER, "subject-1", {}, chunks=2, total=2)
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    assert chunked.execute_chunk(job.pk, 1) == JobStatus.FAILED
    job = ChunkedJob.objects.get(pk=job.pk)
    assert (job.status, job.error) == (JobStatus.FAILED, "ValueError: the results do not add up")
    assert job.finished_at is not None
    assert FAILS_TO_FINISH.heard == [(JobStatus.FAILED, "ValueError: the results do not add up")]
    assert not chunked.running("subject-1")
    assert chunked.execute_chunk(job.pk, 1) == "skipped"  # a late second delivery does nothing
    assert len(FAILS_TO_FINISH.heard) == 1
