"""Callback delivery loses nothing when things break, against real
Celery worker and beat processes, a private Redis and a local BAP receiver
(tests/support/faults/: harness.py, scenarios.py; bench/faults.py runs them at scale).

For each fault: every outbox message id reaches the BAP, within its ttl; a message id
that arrives twice arrives as the same bytes; every arrival carries a valid BECKN-006
signature by our key. The BAP outage lasts FAULTS_BAP_DOWN_SECONDS (default 40: past the
last doubling of the production backoff, 31.5 s in, so each callback's capped 30 s retry
falls after its ttl and must become a final try before it; bench/faults.py keeps 60).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from beckn.services import keys
from tests.support.faults import real, scenarios
from tests.support.faults.harness import Arrival, count_arrivals

DOWN_SECONDS = float(os.environ.get("FAULTS_BAP_DOWN_SECONDS") or 40)


@pytest.fixture
def bpp_id(settings):
    settings.BECKN_VERIFY_SIGNATURES = True
    settings.BECKN_REGISTRY_URL = ""
    keys.generate("bpp-key-faults")
    return settings.BECKN_SUBSCRIBER_ID


def assert_nothing_lost(outcome: scenarios.Outcome, count: int) -> None:
    print(outcome.report())
    t = outcome.tally
    assert t.sent == count, outcome.report()  # every request got its outbox row
    assert t.lost == [], outcome.report()
    assert t.received == count
    assert t.mixed_duplicates == [], outcome.report()  # repeats are the same bytes
    assert t.bad_signatures == [], outcome.report()  # every arrival signed by our key
    assert t.late == [], outcome.report()  # within the request's ttl
    assert t.strangers == 0


@real
def test_a_bap_down_past_the_longest_backoff_gets_every_callback_when_it_is_back(bpp_id):
    # the ttl ends 20 s after the BAP is back, sooner than the longest backoff (30 s): a
    # retry that would come after the ttl must become a final try before it
    outcome = scenarios.bap_down(bpp_id, count=12, down_seconds=DOWN_SECONDS, ttl_after=20)
    assert_nothing_lost(outcome, 12)
    assert outcome.facts["failed attempts while down"] >= 12  # the outage was real


@real
@pytest.mark.parametrize("threads", [1, 4], ids=["solo", "four threads, as deployed"])
def test_a_worker_killed_mid_post_still_delivers_through_the_lease(bpp_id, threads):
    outcome = scenarios.worker_killed(bpp_id, count=10, lease=10, concurrency=threads)
    assert_nothing_lost(outcome, 10)
    # the kill landed mid-POST: each held callback was claimed, arrived, and was sent again
    assert outcome.facts["rows sending when killed"] == threads
    assert outcome.facts["held rows sent again"] == threads
    assert outcome.tally.exact_duplicates >= threads


@real
def test_a_killed_workers_callbacks_go_once_its_heartbeat_is_stale_not_its_lease(bpp_id):
    """Beside a live worker host, as several worker processes of one host are: the killed
    process's leases name it, so the sweep sends its held callbacks again once its
    heartbeat is stale (BECKN_WORKER_STALE_SECONDS), long before their lease runs out."""
    lease = 60
    outcome = scenarios.worker_killed(bpp_id, count=10, lease=lease, concurrency=4, sibling=True)
    assert_nothing_lost(outcome, 10)
    assert outcome.facts["held rows sent again"] == 4
    resent_after = outcome.facts["seconds from the kill to the last"]
    assert isinstance(resent_after, float) and resent_after < lease / 2, outcome.report()


@real
def test_a_broker_restarted_empty_loses_no_callback(bpp_id):
    outcome = scenarios.broker_restart(bpp_id, count=16, delay=0.3)
    assert_nothing_lost(outcome, 16)
    # their tasks died with Redis: requests not yet processed (the worker that processes a
    # request sends its callback) and callbacks waiting for a retry
    waiting = outcome.facts["callbacks pending at the crash"]
    assert waiting + outcome.facts["requests unprocessed at the crash"] > 0
    assert outcome.facts["Celery messages lost with Redis"] > 0


# -- the tally itself: it must see what the scenarios assert on ------------------------------

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
OURS = "bpp|k1"


def arrival(message_id: str, raw: bytes = b"{}", signer: str | None = OURS, seconds: int = 0):
    return Arrival(message_id, raw, signer, "", T0 + dt.timedelta(seconds=seconds))


def test_the_tally_counts_exact_repeats_and_flags_everything_else():
    expires = {m: T0 + dt.timedelta(seconds=30) for m in ("a", "b", "c", "d", "e")}
    arrivals = [
        arrival("a", b"1"), arrival("a", b"1"), arrival("a", b"1"),  # two exact repeats
        arrival("b", b"2"), arrival("b", b"2 "),  # same id, other bytes
        arrival("c", signer=None),  # not verified
        arrival("d", seconds=31),  # after its ttl
        arrival("zz"),  # never sent
    ]  # fmt: skip
    t = count_arrivals(expires, arrivals, OURS)
    assert (t.sent, t.received, t.lost) == (5, 4, ["e"])
    assert t.exact_duplicates == 2 and t.mixed_duplicates == ["b"]
    assert t.bad_signatures == ["c"] and t.late == ["d"] and t.strangers == 1
    assert t.last_arrival == T0 + dt.timedelta(seconds=31) and not t.clean()


def test_a_clean_tally():
    expires = {"a": T0 + dt.timedelta(seconds=30)}
    t = count_arrivals(expires, [arrival("a"), arrival("a", seconds=2)], OURS)
    assert t.clean() and t.exact_duplicates == 1 and t.lost == []
