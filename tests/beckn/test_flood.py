"""Every ACKed message is answered within its ttl while one BAP floods, the broker is
flushed and a worker is killed; a quiet BAP within its limits is never refused meanwhile.

The whole product runs as deployed (tests/support/faults/flood.py): gunicorn, two Celery
workers and beat on the production settings (the sweep's own cadence), a private Redis as
broker and cache, signed requests over HTTP, a receiver that checks every callback's
signature."""

from __future__ import annotations

import pytest

from beckn.services import keys
from tests.beckn.test_faults import real
from tests.support.faults import flood


@pytest.fixture
def bpp_id(settings):
    settings.BECKN_VERIFY_SIGNATURES = True
    settings.BECKN_REGISTRY_URL = ""
    keys.generate("bpp-key-flood")
    return settings.BECKN_SUBSCRIBER_ID


@real
def test_a_flood_a_broker_flush_and_a_killed_worker_leave_no_ack_unanswered(bpp_id):
    outcome = flood.run(bpp_id, seconds=12, threads=4)
    print(outcome.report())
    t = outcome.tally
    assert t is not None
    acked_flood = [s for s in outcome.flood if s.status == 200]
    assert len(acked_flood) >= 50, outcome.report()  # the flood was real
    assert t.lost == [], outcome.report()  # every ACKed message got its callback ...
    assert t.late == [], outcome.report()  # ... before its ttl ran out
    assert t.bad_signatures == [] and t.mixed_duplicates == [], outcome.report()
    # the quiet BAP, one select a second within its limits, is never refused
    assert len(outcome.quiet) >= 10, outcome.report()
    assert {s.status for s in outcome.quiet} == {200}, outcome.report()
