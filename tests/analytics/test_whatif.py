"""What-if replays: the same money as the quote service session by session, budgets run
out in session order, cancel, progress, tenancy."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from analytics.calc import figures
from analytics.models import WhatIfRun
from analytics.models.whatif import WhatIfStatus
from analytics.services.whatif import past_sessions
from analytics.services.whatif.run import execute, request_cancel, window_of
from analytics.services.whatif.start import new_run
from offers.models import Offer
from offers.services import SessionAsk, quote_session_with_offers
from tests.analytics.conftest import IST, Ledger, at
from tests.offers.factories import OfferFactory
from tests.pricing.factories import SurgeFactory, TariffFactory

D = Decimal
DAY = dt.date(2025, 3, 3)
SEGMENTS = {"c1": "fleet", "c2": "", "c3": "student", "": ""}


@pytest.fixture
def world(network):
    op = network.op_a
    TariffFactory(operator=op)
    TariffFactory(operator=network.op_b)
    OfferFactory(operator=op, code="live-10", percent=D("10"), additive=True, max_discount=None)
    draft = OfferFactory(
        operator=op, code="draft-fixed", status="draft", benefit_kind="fixed", percent=None,
        amount=D("50"), base="gross", max_discount=None, min_session_value=None,
    )  # fmt: skip
    ledger = Ledger(network.station_a)
    ledger.plain(start=at(DAY - dt.timedelta(days=3), 9), customer="c1")  # before: returning
    for i in range(12):
        day = DAY + dt.timedelta(days=i // 3)
        who = ["c1", "c2", "c3", ""][i % 4]
        ledger.plain(start=at(day, 8 + 4 * (i % 3)), customer=who, energy=str(5 + i), net="150")
    Ledger(network.station_b).plain(start=at(DAY, 9), customer="zz", energy="20")
    return network, draft


def quoted_by_day(network, window) -> dict[str, D]:
    """The quote service, one session at a time: net revenue (before tax, as the
    dashboards) summed per local day."""
    out: dict[str, D] = defaultdict(D)
    for s in past_sessions.stream(window):
        ask = SessionAsk(
            charger=network.charger_a, start=s.start, kwh=s.kwh, end=s.end,
            customer_key=s.customer_key, what_if=(("segment", s.segment), ("tier", s.tier)),
            now=s.start, explain=False,
        )  # fmt: skip
        quote = quote_session_with_offers(ask).quote
        out[s.start.astimezone(IST).date().isoformat()] += figures.quote_net_revenue(quote)
    return dict(out)


def run_of(subject, user, days=4, **kwargs) -> WhatIfRun:
    run, _ = new_run(subject, user=user, date_from=DAY, date_to=DAY + dt.timedelta(days=days - 1),
                  **kwargs)  # fmt: skip
    assert execute(run.pk) == WhatIfStatus.DONE
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_the_replay_charges_what_the_quote_service_charges_session_by_session(world):
    network, draft = world
    run = run_of(draft, network.analyst_a)
    window = window_of(run)
    baseline = quoted_by_day(network, window)
    draft.status = "active"
    draft.save()
    candidate = quoted_by_day(network, window)
    days = {d["date"]: d for d in run.result["days"]}
    assert {d: D(v["baseline_net"]) for d, v in days.items()} == baseline
    assert {d: D(v["candidate_net"]) for d, v in days.items()} == candidate
    summary = run.result["summary"]
    assert summary["sessions"] == 12 and summary["redemptions"] == 12
    assert D(summary["net_change"]) == sum(candidate.values()) - sum(baseline.values())
    assert D(summary["actual_net"]) == D("150") * 12  # recorded untaxed
    assert D(summary["net_change_vs_actual"]) == sum(candidate.values()) - D("1800")
    # the exclusive ₹50 beats the additive 10 % everywhere: it displaces it
    assert run.result["displaced"][0]["offer"] == "live-10"
    assert summary["customers"] == 3 and summary["returning_customers"] == 1
    assert summary["anonymous_sessions"] == 3
    draft.refresh_from_db()
    assert draft.status == "active"  # the test's doing; the run never publishes


@pytest.mark.django_db
def test_a_budget_runs_out_in_session_order(world):
    network, draft = world
    draft.budget = D("320")  # 50 a session: six sessions and a 20 cut on the seventh
    draft.save()
    run = run_of(draft, network.pricing_a)
    summary = run.result["summary"]
    assert D(summary["discount_cost"]) == D("320")
    assert summary["redemptions"] == 7
    assert run.result["exhausted"] == [{"limit": "budget", "date": "2025-03-05", "day": 3}]


@pytest.mark.django_db
def test_a_surge_change_is_priced_on_the_energy_recorded(world):
    network, _ = world
    rule = SurgeFactory(operator=network.op_a, paused=True, window_start=dt.time(0),
                        window_end=dt.time(23, 59), amount=D("2"))  # fmt: skip
    run = run_of(rule, network.pricing_a, days=1)
    kwh = sum(D(5 + i) for i in range(3))
    assert D(run.result["summary"]["surge_change"]) == kwh * 2
    assert run.subject_status == "paused" and run.result["summary"]["touched"] == 3


@pytest.mark.django_db
def test_stations_limit_the_replay_and_other_operators_are_never_read(world):
    network, draft = world
    run = run_of(draft, network.admin_a, stations=[network.station_a])
    assert run.result["summary"]["sessions"] == 12
    assert [s["station"] for s in run.result["stations"]] == ["a-station"]
    none = run_of(draft, network.admin_a, region_codes=["KA"])
    assert none.result["summary"]["sessions"] == 0


@pytest.mark.django_db
def test_progress_is_written_per_chunk_and_a_cancel_stops_the_run(world, monkeypatch):
    network, draft = world
    from analytics.services.whatif import run as runner

    monkeypatch.setattr(runner, "CHUNK", 5)
    seen = []
    real = runner._progress

    def spy(run_id, done):
        seen.append(WhatIfRun.objects.get(pk=run_id).progress_total)
        real(run_id, done)
        seen.append(WhatIfRun.objects.get(pk=run_id).progress_done)
        if done == 10:
            request_cancel(WhatIfRun.objects.get(pk=run_id))

    monkeypatch.setattr(runner, "_progress", spy)
    run, _ = new_run(
        draft, user=network.analyst_a, date_from=DAY, date_to=DAY + dt.timedelta(days=3)
    )
    assert execute(run.pk) == WhatIfStatus.CANCELLED
    run.refresh_from_db()
    assert seen == [12, 5, 12, 10, 12]  # total known first; the cancel is read after chunk 3
    assert run.status == WhatIfStatus.CANCELLED and run.finished_at is not None
    assert execute(run.pk) == "skipped"


@pytest.mark.django_db
def test_a_queued_run_cancelled_never_starts(world):
    network, draft = world
    run, _ = new_run(draft, user=network.analyst_a, date_from=DAY, date_to=DAY)
    request_cancel(run)
    assert execute(run.pk) == "skipped"
    run.refresh_from_db()
    assert run.status == WhatIfStatus.CANCELLED and run.result == {}


@pytest.mark.django_db
def test_the_window_and_the_candidate_are_checked_by_the_model(world):
    _, draft = world
    with pytest.raises(ValidationError, match="at most 90 days"):
        new_run(draft, user=None, date_from=DAY, date_to=DAY + dt.timedelta(days=90))
    bad = {**_terms(draft), "percent": "250", "benefit_kind": "percent"}
    with pytest.raises(ValidationError) as exc:
        new_run(draft, user=None, date_from=DAY, date_to=DAY, candidate=bad)
    assert "candidate" in exc.value.message_dict
    assert not WhatIfRun.objects.exists()


@pytest.mark.django_db
def test_a_window_outside_the_years_is_refused_and_a_run_that_cannot_start_fails(
    world, monkeypatch
):
    """Year 1 is a form error. A run that cannot even start (on SQLite, a row of year 1
    saved before dates were checked: counting its sessions raised OverflowError) fails with
    why, not left queued in one of the operator's slots for ever."""
    from analytics.services.whatif.parallel import begin

    network, draft = world
    year_one = dt.date(1, 1, 1)
    with pytest.raises(ValidationError, match="from 2000-01-01 to 2099-12-31"):
        new_run(draft, user=None, date_from=year_one, date_to=year_one + dt.timedelta(days=4))
    run, _ = new_run(draft, user=network.analyst_a, date_from=DAY, date_to=DAY)

    def overflow(window):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(past_sessions, "count", overflow)
    assert begin(run.pk) == WhatIfStatus.FAILED
    run.refresh_from_db()
    assert run.status == WhatIfStatus.FAILED and "OverflowError" in run.error
    assert run.finished_at is not None
    assert execute(run.pk) == "skipped"  # the message coming back does not start it again


def _terms(offer):
    from analytics.models.candidates import offer_definition

    return offer_definition(offer)


@pytest.mark.django_db
def test_an_unsaved_change_to_a_live_offer_is_compared_with_the_live_one(world):
    network, _ = world
    live = Offer.objects.get(code="live-10")
    changed = {**_terms(live), "percent": "20"}
    run = run_of(live, network.pricing_a, candidate=changed)
    assert run.subject_status == "change to live"
    summary = run.result["summary"]
    assert summary["redemptions"] == 12 and summary["touched"] == 12
    assert D(summary["candidate_net"]) < D(summary["baseline_net"])
    assert run.result["displaced"] == []  # the live version is replaced, not displaced
