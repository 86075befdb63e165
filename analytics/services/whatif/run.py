"""Creating, running and cancelling what-if runs.

`replay(run)` walks the window's sessions in order of start, in chunks: per chunk one
query for the customers' facts, one to read the cancel flag and one to write the
progress. Each session is priced twice, with the baseline (the live configuration; with a
live subject run as it stands, the live configuration without it) and with the candidate,
by pricer.Configuration: the quote path's own functions. The result compares both with
what was really charged (recorded in the ledger and the sessions without offers).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from analytics.models import WhatIfRun
from analytics.models.candidates import candidate_offer, candidate_surge
from analytics.models.whatif import WhatIfStatus, WhatIfSubject
from analytics.services.filters import Filters
from analytics.services.incrementality import estimates, has_holdout
from analytics.services.whatif import past_sessions
from cpo_portal.background import chunked
from cpo_portal.models import Station
from offers.models import Offer
from offers.rules import CustomerFacts
from offers.services import catalog_for, load_customers
from pricing.engine import PricingSetupError, QuoteInputError
from pricing.services import load_surges

from .applicability import limits_of, presented_codes
from .pricer import Configuration, Network, offer_info, replace_surge, with_offer
from .tally import Tally

log = logging.getLogger(__name__)
CHUNK = 1000


PARTS_KIND = "whatif"  # the chunked jobs that replay a run in parallel (parallel.py)


class Cancelled(Exception):
    pass


@dataclasses.dataclass
class Replay:
    baseline: Configuration
    candidate: Configuration
    network: Network
    subject: str = ""
    presented_share: int | None = None  # % of eligible sessions presenting the subject's code

    def codes(self, s: past_sessions.PastSession):
        return presented_codes(s.order_ref, self.subject, self.presented_share)

    def price(self, charger, s: past_sessions.PastSession, who: CustomerFacts):
        """Both prices of one session; priced once when both share their books (an
        offer's what-if: the tariff and surges are the same). A session chosen to present
        the subject's code presents it in both configurations."""
        stage = self.baseline.priced(charger, s, who)
        if stage is None:
            return None, None
        if self.candidate.books is not self.baseline.books:
            other = self.candidate.priced(charger, s, who)
            if other is None:
                return None, None
        else:
            other = stage
        codes = self.codes(s)
        return (
            self.baseline.price(charger, s, who, stage, codes),
            self.candidate.price(charger, s, who, other, codes),
        )


def window_of(run: WhatIfRun) -> past_sessions.Window:
    return past_sessions.Window(
        operator_id=run.operator_id,
        date_from=run.date_from,
        date_to=run.date_to,
        time_zone=run.operator.time_zone,
        station_ids=tuple(run.stations.values_list("pk", flat=True)),
        region_codes=tuple(run.region_codes or ()),
    )


def configurations(run: WhatIfRun, network: Network) -> Replay:
    """The baseline and the candidate, each with offers and books loaded once."""
    operator, code = run.operator, run.subject_code
    live_subject = run.subject_status == "live"  # run as it stands: compared with not having it
    live_offers = list(catalog_for(operator).offers.values())
    surges = load_surges(operator.pk)
    if run.subject_kind == WhatIfSubject.OFFER:
        rule = candidate_offer(operator, run.candidate)
        info = offer_info(run.subject_pk, rule, run.candidate, run.subject_status)
        base_offers = with_offer(live_offers, None, code) if live_subject else live_offers
        base = Configuration(operator, network, surges, base_offers)
        cand = Configuration(
            operator,
            network,
            surges,
            with_offer(live_offers, info, code),
            books=base.books,
            watch=code,
        )
        return Replay(base, cand, network, code, run.presented_share)
    rule_s = candidate_surge(operator, run.candidate)
    base_surges = replace_surge(surges, None, code) if live_subject else surges
    base = Configuration(operator, network, base_surges, live_offers)
    cand = Configuration(operator, network, replace_surge(surges, rule_s, code), live_offers)
    return Replay(base, cand, network)


def who_of(s: past_sessions.PastSession, people: dict[str, CustomerFacts]) -> CustomerFacts:
    """The stored customer with the segment and tier recorded with the session (what a
    live quote does with SessionAsk.what_if)."""
    who = people.get(s.customer_key, CustomerFacts())
    return dataclasses.replace(who, segment=s.segment or who.segment, tier=s.tier or who.tier)


def replay(run: WhatIfRun, on_chunk: Callable[[int], None] = lambda done: None) -> dict[str, Any]:
    return result_of(run, replay_part(run, on_chunk))


def replay_part(
    run: WhatIfRun,
    on_chunk: Callable[[int], None] = lambda done: None,
    keep: Callable[[past_sessions.PastSession], bool] | None = None,
) -> Tally:
    """The tally of the window's sessions (those `keep` keeps: a part of a replay in
    parallel, parallel.py), priced in order of start."""
    window = window_of(run)
    start, end = window.bounds()
    network = Network(run.operator, start, end)
    configs = configurations(run, network)
    tally = Tally(run.subject_code, run.subject_kind, run.date_from)
    codes = dict(Station.objects.filter(operator_id=run.operator_id).values_list("pk", "code"))
    limited = configs.candidate.limits.infos.get(run.subject_code)
    done = 0
    sessions = (
        past_sessions.stream(window) if keep is None else filter(keep, past_sessions.stream(window))
    )
    for batch in past_sessions.chunks(sessions, CHUNK):
        people = load_customers(run.operator_id, (s.customer_key for s in batch))
        for s in batch:
            if configs.presented_share and configs.codes(s):
                tally.presented += 1
            day = window.day_of(s.settled_at)
            station = codes.get(s.station_id or 0, "")
            tally.record(s, day, station)
            charger = network.chargers.get(s.charger_id or 0)
            base = cand = None
            if charger is not None:
                who = who_of(s, people)
                try:
                    base, cand = configs.price(charger, s, who)
                except (QuoteInputError, PricingSetupError):  # e.g. more kWh than today's power
                    base = cand = None
            if base is None or cand is None or charger is None:
                tally.skipped += 1
                continue
            tally.add(s, day, station, base, cand)
            if limited is not None:
                left = configs.candidate.limits.facts("")[run.subject_code]
                if left.remaining_budget is not None and left.remaining_budget <= 0:
                    tally.exhaust("budget", day)
                if left.remaining_uses is not None and left.remaining_uses <= 0:
                    tally.exhaust("uses", day)
        done += len(batch)
        on_chunk(done)
    return tally


def result_of(run: WhatIfRun, tally: Tally) -> dict[str, Any]:
    start, _ = window_of(run).bounds()
    new = len(tally.customers - past_sessions.seen_before(run.operator_id, tally.customers, start))
    result = tally.result(new)
    result["incrementality"] = incrementality(run)
    # A run replayed as if a share presented the code has answered the code's limit: the
    # result says what it did (presented_share), not that the offer applies to no session.
    result["limits"] = [
        {"key": lim.key, "text": lim.text}
        for lim in limits_of(run.operator, run.subject_kind, run.candidate)
        if not (lim.code and run.presented_share)
    ]
    result["presented_share"] = run.presented_share
    return result


def incrementality(run: WhatIfRun) -> dict[str, Any] | None:
    """The holdout estimate of the offer over the same window, where it has one."""
    if run.subject_kind != WhatIfSubject.OFFER or run.subject_pk is None:
        return None
    offer = Offer.objects.filter(pk=run.subject_pk, operator_id=run.operator_id).first()
    if offer is None or not has_holdout(offer):
        return None
    f = Filters(operator=run.operator, date_from=run.date_from, date_to=run.date_to)
    est = estimates(f, [offer])[offer.pk]
    if est.method != "holdout":
        return None
    return {
        "incremental_revenue": None
        if est.incremental_revenue is None
        else str(est.incremental_revenue),
        "discount_cost": str(est.discount_cost),
        "roi": None if est.roi is None else str(est.roi),
        "note": est.note,
    }


def _progress(run_id: int, done: int) -> None:
    flag = WhatIfRun.objects.filter(pk=run_id).values_list("cancel_requested", flat=True).first()
    WhatIfRun.objects.filter(pk=run_id).update(progress_done=done)
    if flag:
        raise Cancelled


def claim(run_id: int) -> WhatIfRun | str:
    """Lock the run and mark it running, inside the caller's transaction: the run, or
    what became of it instead ("skipped", or "cancelled" for a run cancelled while queued)."""
    run = WhatIfRun.objects.select_for_update().select_related("operator").filter(pk=run_id).first()
    # a running run is started again: its worker died and the message came back
    if run is None or run.status not in (WhatIfStatus.QUEUED, WhatIfStatus.RUNNING):
        return "skipped"
    if run.cancel_requested:
        run.status, run.finished_at = WhatIfStatus.CANCELLED, timezone.now()
        run.save(update_fields=["status", "finished_at"])
        return run.status
    run.status, run.started_at = WhatIfStatus.RUNNING, timezone.now()
    run.progress_total = past_sessions.count(window_of(run))
    run.save(update_fields=["status", "started_at", "progress_total"])
    return run


def failed_to_start(run_id: int, exc: Exception) -> str:
    """A run that could not even start (its window cannot be read, say: a row saved before
    dates were checked) is failed, with why, not left queued for ever in one of its
    operator's slots."""
    log.exception("what-if run %s failed to start", run_id)
    WhatIfRun.objects.filter(
        pk=run_id, status__in=(WhatIfStatus.QUEUED, WhatIfStatus.RUNNING)
    ).update(
        status=WhatIfStatus.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:500],
        finished_at=timezone.now(),
    )
    return WhatIfStatus.FAILED


def execute(run_id: int) -> str:
    """The Celery task's body: run a queued run (or one whose worker died: tasks are
    acknowledged late, so its message comes back) and record the outcome."""
    try:
        with transaction.atomic():
            run = claim(run_id)
    except Exception as exc:  # recorded on the run, as a failure of its replay is
        return failed_to_start(run_id, exc)
    if isinstance(run, str):
        return run
    fields = ["status", "finished_at", "result", "error", "progress_done"]
    try:
        run.result = replay(run, lambda done: _progress(run.pk, done))
        run.status, run.progress_done = WhatIfStatus.DONE, run.progress_total
    except Cancelled:
        run.status = WhatIfStatus.CANCELLED
        fields.remove("progress_done")
    except Exception as exc:  # recorded on the run for whoever started it
        log.exception("what-if run %s failed", run.pk)
        run.status, run.error = WhatIfStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500]
        fields.remove("progress_done")
    run.finished_at = timezone.now()
    run.save(update_fields=fields)
    return run.status


def request_cancel(run: WhatIfRun) -> None:
    """The task (or every part of a run in parallel) stops at its next chunk; a queued
    run never starts."""
    WhatIfRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    chunked.cancel(chunked.subject_of(PARTS_KIND, run.pk))
    WhatIfRun.objects.filter(pk=run.pk, status=WhatIfStatus.QUEUED).update(
        status=WhatIfStatus.CANCELLED, finished_at=timezone.now()
    )
