"""A what-if replay split into parts that Celery workers price at once
(cpo_portal.background.chunked), with the same result as one task's replay (run.replay).

Sessions are dealt to parts by customer (a stable hash of the customer key; anonymous
sessions by order ref), so each part sees every session of its customers in order of
start and per-customer limits run out as they would have. Offer limits shared by all
customers (a total number of uses, a money budget) run out in the order of every
session, which no part sees: a replay with such an offer, live or as the candidate, runs
as one task. Each part returns its tally (Tally, written as JSON); the last part to finish
adds them up, putting ties in the order in which they were first seen, and writes the
result, so the run's figures match the single task's to the paisa and the order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from analytics.models import WhatIfRun
from analytics.models.whatif import WhatIfStatus, WhatIfSubject
from cpo_portal.background import chunked
from offers.services import catalog_for

from . import run as single
from .past_sessions import PastSession
from .tally import Sums, Tally


def shared_limits(run: WhatIfRun) -> bool:
    """Whether an offer of the replay has a limit shared by all customers."""
    offers = catalog_for(run.operator).offers.values()
    if any(i.max_uses is not None or i.budget is not None for i in offers):
        return True
    terms = run.candidate if run.subject_kind == WhatIfSubject.OFFER else {}
    return any(terms.get(k) not in (None, "") for k in ("max_uses", "budget"))


def parts_for(run: WhatIfRun) -> int:
    return 1 if shared_limits(run) else max(1, int(settings.WHATIF_PARTS))


def begin(run_id: int) -> str:
    """The Celery task's body: a run whose parts are independent is split into
    WHATIF_PARTS chunked parts; any other runs as one task (run.execute)."""
    try:
        with transaction.atomic():
            run = single.claim(run_id)
            if isinstance(run, str):
                return run
            parts = parts_for(run)
            if parts > 1:
                if RUNNER_OBJECT.running(run.pk):  # the message came back: parts under way
                    return "skipped"
                RUNNER_OBJECT.start(run.pk, {"run": run.pk}, parts, run.progress_total)
                return "split"
    except Exception as exc:  # recorded on the run (run.failed_to_start)
        return single.failed_to_start(run_id, exc)
    return single.execute(run_id)


# -- the tally of a part, as JSON, and the parts added up ------------------------------------


def _sums(data: dict[str, Any]) -> Sums:
    return Sums(**{k: type(getattr(Sums(), k))(v) for k, v in data.items()})


def dump(t: Tally) -> dict[str, Any]:
    def sums(x: Sums) -> dict[str, Any]:
        return {k: v if isinstance(v, int) else str(v) for k, v in dataclasses.asdict(x).items()}

    return {
        "total": sums(t.total),
        "days": {d.isoformat(): sums(v) for d, v in t.days.items()},
        "stations": {k: sums(v) for k, v in t.stations.items()},
        "customers": sorted(t.customers),
        "anonymous": t.anonymous,
        "held_out": t.held_out,
        "skipped": t.skipped,
        "presented": t.presented,
        "displaced": dict(t.displaced),
        "displaced_amount": {k: str(v) for k, v in t.displaced_amount.items()},
        "stacked": dict(t.stacked),
        "exhausted": t.exhausted,
        "first_seen": [
            [kind, o, at.isoformat(), ref] for (kind, o), (at, ref) in t.first_seen.items()
        ],
    }


def _add(into: Sums, other: Sums) -> None:
    for f in dataclasses.fields(Sums):
        setattr(into, f.name, getattr(into, f.name) + getattr(other, f.name))


def merge(run: WhatIfRun, parts: Sequence[dict[str, Any]]) -> Tally:
    """The parts' tallies added up into the tally one task would have made."""
    t = Tally(run.subject_code, run.subject_kind, run.date_from)
    first: dict[tuple[str, str], tuple[dt.datetime, str]] = {}
    counts: dict[str, Counter] = {"displaced": Counter(), "stacked": Counter()}
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for p in parts:
        _add(t.total, _sums(p["total"]))
        for day, v in p["days"].items():
            _add(t.days[dt.date.fromisoformat(day)], _sums(v))
        for station, v in p["stations"].items():
            _add(t.stations[station], _sums(v))
        t.customers.update(p["customers"])
        t.anonymous += p["anonymous"]
        t.held_out += p["held_out"]
        t.skipped += p["skipped"]
        t.presented += p.get("presented", 0)  # a part dumped before the count was kept: 0
        for kind in counts:
            counts[kind].update(p[kind])
        for o, amount in p["displaced_amount"].items():
            amounts[o] += Decimal(amount)
        for kind, o, at, ref in p["first_seen"]:
            seen = (dt.datetime.fromisoformat(at), ref)
            first[(kind, o)] = min(first.get((kind, o), seen), seen)
        for limit, row in p["exhausted"].items():
            if limit not in t.exhausted or row["day"] < t.exhausted[limit]["day"]:
                t.exhausted[limit] = row
    # Counters keep their keys in the order first seen, as one task's would
    for (kind, o), _ in sorted(first.items(), key=lambda item: item[1]):
        target = t.displaced if kind == "displaced" else t.stacked
        target[o] = counts[kind][o]
        if kind == "displaced":
            t.displaced_amount[o] = amounts[o]
    t.first_seen = first
    return t


# -- the runner cpo_portal.background.chunked calls ------------------------------------------------


class Parts(chunked.Parts):
    kind = single.PARTS_KIND
    runner = "analytics.services.whatif.parallel.RUNNER_OBJECT"

    def run_chunk(self, params: dict, index: int, chunks: int, checkpoint: chunked.Checkpoint):
        run = WhatIfRun.objects.select_related("operator").get(pk=params["run"])

        def on_chunk(done: int) -> None:
            checkpoint(done)
            done_all, _ = self.progress(run.pk)
            WhatIfRun.objects.filter(pk=run.pk).update(progress_done=done_all)

        def mine(s: PastSession) -> bool:  # a customer's sessions in one part (or an order's)
            return chunked.part_of(s.customer_key or f"order:{s.order_ref}", chunks) == index

        tally = single.replay_part(run, on_chunk, mine)
        return dump(tally)

    def finish(self, params: dict, results: Sequence[Any]) -> None:
        run = WhatIfRun.objects.select_related("operator").get(pk=params["run"])
        run.result = single.result_of(run, merge(run, results))
        run.status, run.progress_done = WhatIfStatus.DONE, run.progress_total
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "status", "progress_done", "finished_at"])

    def stopped(self, params: dict, status: str, error: str) -> None:
        outcome = WhatIfStatus.CANCELLED if status == "cancelled" else WhatIfStatus.FAILED
        WhatIfRun.objects.filter(pk=params["run"], status=WhatIfStatus.RUNNING).update(
            status=outcome, error=error, finished_at=timezone.now()
        )


RUNNER_OBJECT = Parts()
