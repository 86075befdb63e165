"""A what-if replay in parallel parts (cpo_portal.background.chunked): the same result as one
task's, one progress figure, a cancel that stops every part, a part delivered twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import WhatIfRun
from analytics.models.whatif import WhatIfStatus
from analytics.services.whatif import parallel
from analytics.services.whatif.parallel import RUNNER_OBJECT
from analytics.services.whatif.run import replay, request_cancel
from analytics.services.whatif.start import new_run
from cpo_portal.background import chunked
from cpo_portal.models import ChunkedJob
from tests.analytics.conftest import Ledger, at
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory

D = Decimal
DAY = dt.date(2025, 3, 3)


@pytest.fixture
def world(network):
    op = network.op_a
    TariffFactory(operator=op)
    OfferFactory(operator=op, code="live-10", percent=D("10"), additive=True, max_discount=None)
    OfferFactory(operator=op, code="live-5", percent=D("5"), additive=True, max_discount=None,
                 max_uses_per_customer=2)  # fmt: skip
    draft = OfferFactory(
        operator=op, code="draft-fixed", status="draft", benefit_kind="fixed", percent=None,
        amount=D("50"), base="gross", max_discount=None, min_session_value=None,
        max_uses_per_customer=3,
    )  # fmt: skip
    ledger = Ledger(network.station_a)
    for i in range(40):
        day = DAY + dt.timedelta(days=i // 10)
        who = ["c1", "c2", "c3", "c4", "c5", ""][i % 6]
        ledger.plain(start=at(day, 6 + i % 10), customer=who, energy=str(3 + i % 9), net="150")
    return network, draft


def new(world) -> WhatIfRun:
    network, draft = world
    run, _ = new_run(draft, user=network.analyst_a, date_from=DAY, date_to=DAY + dt.timedelta(3))
    return run


def run_parts(run_id: int, parts: int) -> ChunkedJob:
    """begin() as the task runs it, then every part in turn, as workers would."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "parts_for", lambda run: parts)
        assert parallel.begin(run_id) == "split"
    job = ChunkedJob.objects.get(subject=RUNNER_OBJECT.subject(run_id))
    for index in range(parts):
        chunked.execute_chunk(job.pk, index)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
@pytest.mark.parametrize("parts", [2, 3, 7])
def test_the_parts_give_the_single_tasks_result_exactly(world, parts):
    run = new(world)
    alone = replay(WhatIfRun.objects.select_related("operator").get(pk=run.pk))
    job = run_parts(run.pk, parts)
    run.refresh_from_db()
    assert job.status == "done" and run.status == WhatIfStatus.DONE
    assert run.result == alone
    assert alone["summary"]["sessions"] == 40 and alone["displaced"]  # a real comparison
    assert run.progress_done == run.progress_total == 40
    assert len(chunked.cpu_seconds(job.pk)) == parts
    worked = [p.progress for p in job.parts.all() if p.progress]
    assert len(worked) >= min(parts, 3) and sum(worked) == 40  # the work was shared


@pytest.mark.django_db
def test_a_budget_shared_by_all_customers_runs_as_one_task(world):
    _, draft = world
    draft.budget = D("300")
    draft.save()
    run = new(world)
    assert parallel.parts_for(run) == 1
    assert parallel.begin(run.pk) == WhatIfStatus.DONE
    assert not ChunkedJob.objects.exists()


@pytest.mark.django_db
def test_one_progress_figure_and_a_cancel_stops_every_part(world):
    run = new(world)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "parts_for", lambda run: 3)
        parallel.begin(run.pk)
    job = ChunkedJob.objects.get(subject=RUNNER_OBJECT.subject(run.pk))
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    run.refresh_from_db()
    done, total = chunked.progress_of(RUNNER_OBJECT.subject(run.pk))
    assert 0 < done < total == 40 and run.progress_done == done
    request_cancel(run)
    assert chunked.execute_chunk(job.pk, 1) == "cancelled"
    assert chunked.execute_chunk(job.pk, 2) == "skipped"
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.status == WhatIfStatus.CANCELLED and job.status == "cancelled"
    assert run.result == {}


@pytest.mark.django_db
def test_a_part_delivered_again_is_neither_run_twice_nor_counted_twice(world):
    run = new(world)
    alone = replay(WhatIfRun.objects.select_related("operator").get(pk=run.pk))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "parts_for", lambda run: 2)
        parallel.begin(run.pk)
        assert parallel.begin(run.pk) == "skipped"  # the task's message came back
    job = ChunkedJob.objects.get(subject=RUNNER_OBJECT.subject(run.pk))
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    assert chunked.execute_chunk(job.pk, 0) == "skipped"
    assert chunked.execute_chunk(job.pk, 1) == "done"
    assert chunked.execute_chunk(job.pk, 1) == "skipped"
    run.refresh_from_db()
    assert run.result == alone


@pytest.mark.django_db
def test_a_failing_part_fails_the_run_with_its_reason(world, monkeypatch):
    run = new(world)
    monkeypatch.setattr(parallel, "parts_for", lambda run: 2)
    parallel.begin(run.pk)
    job = ChunkedJob.objects.get(subject=RUNNER_OBJECT.subject(run.pk))

    def broken(*args, **kwargs):
        raise ValueError("no such tariff")

    monkeypatch.setattr(parallel.single, "replay_part", broken)
    assert chunked.execute_chunk(job.pk, 0) == "failed"
    assert chunked.execute_chunk(job.pk, 1) == "skipped"
    run.refresh_from_db()
    assert run.status == WhatIfStatus.FAILED and "no such tariff" in run.error
