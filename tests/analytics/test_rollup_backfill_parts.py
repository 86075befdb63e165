"""The rollups' backfill in parallel parts (analytics.services.rollup.backfill_parts over
cpo_portal.background.chunked): the one task's rows exactly, the live rollup running beside it, a
cancel that stops every part, a part delivered twice, one progress figure, and the
command's errors. PostgreSQL only (the parts' tables are UNLOGGED tables)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from analytics.models import (
    CellCustomer,
    CustomerSet,
    DailyCustomer,
    DailyRollup,
    HourlyPeriod,
    HourlyRollup,
    OfferScope,
)
from analytics.models.measures import key_of
from analytics.services.rollup import backfill, backfill_parts, backfill_whole, run_incremental
from cpo_portal.background import chunked
from cpo_portal.models import ChunkedJob
from tests.analytics.conftest import Ledger, at, make_offer
from tests.support.rollup_history import TABLES, columns_of, generate, snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parts need PostgreSQL"),
]

FIRST = dt.date(2025, 3, 1)
LAST = dt.date(2025, 3, 24)  # four weeks


@pytest.fixture
def history(network):
    offers = [
        make_offer(network.op_a, "a-10"),
        make_offer(network.op_a, "a-hold", holdout="20"),
        make_offer(network.op_b, "b-5", type_label="FLAT"),
    ]
    rows = generate([network.station_a, network.station_b], offers, FIRST, 19, 700, seed=3,
                    channels=("beckn", "roaming", "own_app", "other"))  # fmt: skip
    run_incremental()
    return network, rows


def wipe() -> None:
    with connection.cursor() as cursor:
        for model in (*TABLES, OfferScope):  # plain DELETEs: no cascade, no signals
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def single() -> dict[str, list]:
    wipe()
    backfill(FIRST, LAST, progress=False)
    return snapshot()


def start(parts: int) -> ChunkedJob:
    return backfill_parts.start(FIRST, LAST, None, parts)


def work_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'analytics_backfill%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("parts", [2, 3, 8])
def test_the_parts_give_the_single_tasks_rows_exactly(history, parts):
    live = snapshot()  # what the live rollup made of the same rows
    alone = single()
    for name in live:
        assert set(alone[name]) ^ set(live[name]) == set(), name
    assert alone == live
    assert len(alone["DailyRollup"]) > 300 and alone["OfferScopeDaily"]  # a real comparison
    assert sum(r[-5] for r in alone["DailyRollup"]) > 0  # redemptions were counted
    for hourly in (HourlyRollup, HourlyPeriod):  # the hourly rows are split by channel
        channel = columns_of(hourly).index("channel")
        assert {r[channel] for r in alone[hourly.__name__]} == {
            "beckn", "roaming", "own_app", "other",
        }, hourly  # fmt: skip
    wipe()
    job = start(parts)
    assert job.chunks == parts and job.progress_total == 8  # 2 operators x 4 weeks
    outcomes = [chunked.execute_chunk(job.pk, i) for i in range(parts)]
    assert outcomes == ["chunk done"] * (parts - 1) + ["done"]
    assert snapshot() == alone
    worked = [p.progress for p in ChunkedJob.objects.get(pk=job.pk).parts.all()]
    assert sum(worked) == 8 and min(worked) >= 1  # the work was shared
    assert work_tables() == []


def test_rows_the_live_rollup_reads_during_the_run_count_once(history):
    network, _ = history
    alone = single()
    job = start(2)
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    # meanwhile sessions arrive, in the range and for an order of it, and beat rolls them up
    ledger = Ledger(network.station_a)
    offer = make_offer(network.op_a, "late-offer")
    ledger.plain(start=at(FIRST + dt.timedelta(days=9), 10), customer="new", gross="300")
    ledger.row("settled", offer, start=at(FIRST + dt.timedelta(days=20), 8), discount="7")
    ledger.row("reversed", offer, start=at(FIRST + dt.timedelta(days=2), 8),
               order_ref="h-5", discount="0", seq=9)  # fmt: skip
    run_incremental()
    assert chunked.execute_chunk(job.pk, 1) == "done"
    after_merge = snapshot()
    run_incremental()  # nothing new: the beat's next run changes nothing
    assert snapshot() == after_merge
    assert after_merge == single()  # the truth: everything rebuilt from the ledger
    assert after_merge != alone


def test_the_single_task_does_not_count_twice_rows_newer_than_the_watermark(history, monkeypatch):
    """A row committed after the live rollup's last run is left to its next run: a
    rebuild that counted it would be joined by the live rollup's delta for it."""
    network, _ = history
    Ledger(network.station_a).plain(start=at(FIRST + dt.timedelta(days=4), 9), gross="500")
    # it arrived after catch-up
    monkeypatch.setattr(backfill_whole, "run_incremental", lambda: None)
    backfill(FIRST, LAST, progress=False)
    monkeypatch.undo()
    run_incremental()
    counted = snapshot()
    assert counted == single()


def test_cancel_stops_every_part_and_leaves_the_rollups_as_they_were(history):
    before = snapshot()
    job = start(3)
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    assert backfill_parts.cancel(job.pk) is True
    assert chunked.execute_chunk(job.pk, 1) == "cancelled"
    assert chunked.execute_chunk(job.pk, 2) == "skipped"
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert snapshot() == before
    assert work_tables() == []
    assert backfill_parts.cancel(job.pk) is False  # not running any more


def test_a_part_run_twice_is_merged_once(history):
    alone = single()
    wipe()
    job = start(2)
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    assert chunked.execute_chunk(job.pk, 0) == "skipped"  # delivered again after it finished
    # part 1's worker computed it all and died before recording it; the message comes back
    params = ChunkedJob.objects.get(pk=job.pk).params
    backfill_parts.RUNNER_OBJECT.run_chunk(params, 1, 2, lambda done: None)
    assert chunked.execute_chunk(job.pk, 1) == "done"
    assert chunked.execute_chunk(job.pk, 1) == "skipped"
    assert snapshot() == alone


def test_a_part_whose_worker_died_midway_starts_afresh(history):
    alone = single()
    wipe()
    job = start(2)
    params = ChunkedJob.objects.get(pk=job.pk).params

    def dies(done: int) -> None:
        if done == 2:
            raise SystemExit("worker lost")

    with pytest.raises(SystemExit):
        backfill_parts.RUNNER_OBJECT.run_chunk(params, 0, 2, dies)
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    assert chunked.execute_chunk(job.pk, 1) == "done"
    assert snapshot() == alone


def test_one_progress_figure_from_0_to_100(history):
    job = start(2)
    assert backfill_parts.progress(job.pk) == ("running", 0)
    out = StringIO()
    call_command("rollup_backfill", "--status", str(job.pk), stdout=out)
    assert out.getvalue().strip() == "running 0%"
    chunked.execute_chunk(job.pk, 0)
    assert backfill_parts.progress(job.pk) == ("running", 50)
    chunked.execute_chunk(job.pk, 1)
    assert backfill_parts.progress(job.pk) == ("done", 100)


def test_the_command_starts_a_run_in_parts_and_cancels_it(history):
    out = StringIO()
    call_command("rollup_backfill", "--from", "2025-03-01", "--to", "2025-03-24",
                 "--parts", "4", "--no-wait", stdout=out)  # fmt: skip
    run = int(out.getvalue())
    assert ChunkedJob.objects.get(pk=run).chunks == 4
    out = StringIO()
    call_command("rollup_backfill", "--cancel", str(run), stdout=out)
    assert f"run {run}" in out.getvalue()
    assert [chunked.execute_chunk(run, i) for i in range(4)] == ["cancelled", *["skipped"] * 3]
    assert ChunkedJob.objects.get(pk=run).status == "cancelled"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2025-03-01", "--to", "2025-03-02", "--parts", "0"], "--parts: takes"),
        (["--from", "2025-03-01", "--to", "2025-03-02", "--parts", "x"], "--parts: takes"),
        (["--from", "2025-03-01", "--to", "2025-03-02", "--no-wait"], "goes with --parts"),
        (["--from", "2025-03-01"], "are required"),
        (["--cancel", "999999"], "No backfill run 999999"),
        (["--status", "999999"], "No backfill run 999999"),
        (["--status", "abc"], "not a run id"),
        (["--cancel", "1", "--from", "2025-03-01"], "nothing else"),
        (["--cancel", "0"], "No backfill run 0"),
        (["--status", "0"], "No backfill run 0"),
        (["--status", "1", "--operator", "cpo1"], "nothing else"),
        (["--cancel", "1", "--no-progress", "--status", "1"], "nothing else"),
    ],
)
def test_bad_arguments_give_a_one_line_error(network, argv, message):
    with pytest.raises(CommandError, match=message) as caught:
        call_command("rollup_backfill", *argv)
    assert "\n" not in str(caught.value)


def _spoil() -> dict[str, set[int]]:
    """Make the range's fine rollups wrong three ways (a row with other figures, a row
    missing, a row no ledger row makes) and add a row outside the range; returns the ids
    of the rows left as they were, by table."""
    daily = DailyRollup.objects.filter(date__range=(FIRST, LAST)).order_by("pk")
    wrong = daily.first()
    DailyRollup.objects.filter(pk=wrong.pk).update(sessions=wrong.sessions + 5)
    gone = DailyCustomer.objects.filter(date__range=(FIRST, LAST)).order_by("pk").first()
    DailyCustomer.objects.filter(pk=gone.pk).delete()
    hourly = HourlyRollup.objects.filter(date__range=(FIRST, LAST)).order_by("pk").first()
    HourlyRollup.objects.create(
        operator_id=hourly.operator_id, date=hourly.date, station_id=hourly.station_id,
        region_code="ZZ", hour=3, weekend=False, sessions=9,
    )  # fmt: skip
    outside = DailyRollup.objects.get(pk=wrong.pk)
    outside.pk, outside.date = None, FIRST - dt.timedelta(days=3)
    outside.save()
    kept = {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in (DailyRollup, HourlyRollup, DailyCustomer, CellCustomer)
    }
    kept["DailyRollup"] -= {wrong.pk}
    return kept


def test_the_merge_writes_only_the_rows_that_differ(history):
    """Rows the parts agree with keep their ids (they were not rewritten); wrong, missing
    and extra rows of the range are corrected; rows outside the range are left alone."""
    alone = single()
    kept = _spoil()
    outside = DailyRollup.objects.get(date=FIRST - dt.timedelta(days=3))
    job = start(2)
    assert [chunked.execute_chunk(job.pk, i) for i in range(2)] == ["chunk done", "done"]
    DailyRollup.objects.filter(pk=outside.pk).delete()  # checked below; not the parts'
    assert snapshot() == alone
    for model in (DailyRollup, HourlyRollup, DailyCustomer, CellCustomer):
        now = set(model.objects.values_list("pk", flat=True))
        assert len(now - kept[model.__name__]) <= 1, model.__name__  # the corrected row
        assert now, model.__name__
    assert set(DailyRollup.objects.values_list("pk", flat=True)) - kept["DailyRollup"]
    assert HourlyRollup.objects.filter(region_code="ZZ").count() == 0


def test_the_merge_over_empty_rollups_fills_them(history):
    alone = single()
    for model in (DailyRollup, HourlyRollup, DailyCustomer, CellCustomer, CustomerSet):
        model.objects.filter(date__range=(FIRST, LAST)).delete()
    job = start(3)
    assert [chunked.execute_chunk(job.pk, i) for i in range(3)][-1] == "done"
    assert snapshot() == alone


def test_a_failed_merge_leaves_the_rollups_as_they_were(history, monkeypatch):
    """The merge writes the fine rollups first and derives what spans days after: an error
    in between takes back every row it wrote."""
    _spoil()
    before = snapshot()

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(backfill_parts.hourly_periods, "refresh", fails)
    job = start(2)
    assert chunked.execute_chunk(job.pk, 0) == "chunk done"
    assert chunked.execute_chunk(job.pk, 1) == "failed"
    assert snapshot() == before
    failed = ChunkedJob.objects.get(pk=job.pk)
    assert (failed.status, failed.error) == ("failed", "RuntimeError: the database went away")
    monkeypatch.undo()
    again = start(2)  # the operator runs the backfill again
    assert [chunked.execute_chunk(again.pk, i) for i in range(2)] == ["chunk done", "done"]
    DailyRollup.objects.filter(date=FIRST - dt.timedelta(days=3)).delete()  # not the range's
    assert snapshot() == single()


def test_a_cancelled_run_leaves_wrong_rollups_wrong(history):
    """Nothing a part computes reaches the rollups before the merge: a run cancelled after
    its parts computed everything leaves even rollups it would have corrected as they were."""
    _spoil()
    before = snapshot()
    job = start(2)
    params = ChunkedJob.objects.get(pk=job.pk).params
    for index in range(2):
        backfill_parts.RUNNER_OBJECT.run_chunk(params, index, 2, lambda done: None)
    assert backfill_parts.cancel(job.pk) is True
    assert chunked.execute_chunk(job.pk, 0) == "cancelled"
    assert snapshot() == before
    assert work_tables() == []


def test_the_merge_matches_rows_by_each_tables_unique_key():
    assert key_of(DailyRollup) == (
        "operator_id", "date", "offer_id", "station_id", "region_code", "hour_band",
    )  # fmt: skip
    assert key_of(CustomerSet) == (
        "operator_id", "date", "offer_id", "held_out",
    )  # fmt: skip
    for model in backfill_parts.WORK.values():
        key = key_of(model)
        assert key[:2] == ("operator_id", "date"), model.__name__  # the range's columns
        assert len(set(key)) == len(key)
