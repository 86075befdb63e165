"""Sessions stored in another currency than their operator's (before CDR import refused
them) count in no figure: not in the rollups the dashboards, exports and the API read
(live rollup and rebuild alike), not in a what-if run; the database check names them."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.checks import Tags, run_checks

from analytics.checks import check_session_currencies
from analytics.models import ChannelDaily, DailyRollup, HourlyRollup, OfferScopeDaily, RollupCursor
from analytics.models.whatif import WhatIfStatus
from analytics.services.filters import Filters
from analytics.services.offer_roi import totals
from analytics.services.rollup import backfill, run_incremental
from analytics.services.whatif.past_sessions import seen_before
from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from tests.analytics.conftest import DAY, D, at, key, make_offer
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_with_dollars(network, ledger_a):
    """Operator A counts in INR. Offer D settled at 09:00 (gross 200, discount 10); a
    session without offer at 18:00 (gross 100); and two sessions stored in USD, as CDR
    import took them before it refused another currency: 190 and 50 "USD"."""
    offer = make_offer(network.op_a, "offer-d")
    ledger_a.row("redeemed", offer, start=at(DAY, 9), discount="10", gross="200")
    ledger_a.row("settled", offer, start=at(DAY, 9), discount="10", gross="200")
    ledger_a.plain(start=at(DAY, 18), gross="100")
    ledger_a.plain(start=at(DAY, 9, 30), gross="190", channel="roaming", currency="USD")
    ledger_a.plain(start=at(DAY, 20), gross="50", channel="roaming", currency="USD")
    return offer


def _figures(network, offer) -> tuple:
    got = totals(Filters(network.op_a, DAY, DAY))
    hourly = HourlyRollup.objects.filter(operator=network.op_a, date=DAY)
    return (
        got["sessions"],
        got["gross"],
        got["net"],
        sorted(ChannelDaily.objects.filter(date=DAY).values_list("channel", "sessions")),
        sum(h.sessions for h in hourly),
        OfferScopeDaily.objects.get(offer=offer, date=DAY).revenue,
    )


def test_a_session_in_another_currency_counts_in_no_figure(network, day_with_dollars):
    expected = (2, D("300.00"), D("290.00"), [("beckn", 2)], 2, D("200.00"))
    run_incremental()
    assert _figures(network, day_with_dollars) == expected
    backfill(DAY, DAY + dt.timedelta(days=1), progress=False)  # the rebuild agrees
    assert _figures(network, day_with_dollars) == expected


def test_a_session_in_another_currency_arriving_later_changes_no_figure(network, ledger_a):
    ledger_a.plain(start=at(DAY, 18), gross="100")
    run_incremental()
    before = totals(Filters(network.op_a, DAY, DAY))
    ledger_a.plain(start=at(DAY, 19), gross="190", currency="USD")
    run_incremental()
    assert totals(Filters(network.op_a, DAY, DAY)) == before


def test_a_whatif_leaves_out_a_session_in_another_currency(network, ledger_a):
    TariffFactory(operator=network.op_a)
    draft = OfferFactory(operator=network.op_a, code="draft-10", status="draft",
                         percent=D("10"), max_discount=None)  # fmt: skip
    ledger_a.plain(start=at(DAY, 8), customer="c1", energy="10", net="150")
    ledger_a.plain(start=at(DAY, 12), customer="c2", net="224.20", currency="USD")
    run, _ = new_run(draft, user=network.analyst_a, date_from=DAY, date_to=DAY)
    assert execute(run.pk) == WhatIfStatus.DONE
    run.refresh_from_db()
    assert run.result["summary"]["sessions"] == 1
    assert D(run.result["summary"]["actual_net"]) == D("150")


def test_a_session_in_another_currency_does_not_make_a_customer_seen_before(network, ledger_a):
    """A what-if's new customers: one whose only earlier session is in another currency
    is new, as the figures never counted that session."""
    ledger_a.plain(start=at(DAY, 8), customer="c1", net="150")
    ledger_a.plain(start=at(DAY, 9), customer="c2", net="224.20", currency="USD")
    keys = {key("c1"), key("c2"), key("c3")}
    assert seen_before(network.op_a.pk, keys, at(DAY, 12)) == {key("c1")}


def test_the_database_check_names_the_sessions_left_out(network, day_with_dollars, ledger_b):
    ledger_b.plain(start=at(DAY, 10), gross="80", currency="EUR")
    [warning] = check_session_currencies(None, databases=["default"])
    assert warning.id == "analytics.W001"
    assert warning.msg.endswith(
        ": cpo-a.example (INR): 2 in USD; cpo-b.example (INR): 1 in EUR."
    ), warning.msg
    assert "left out of every analytics figure" in warning.msg
    assert "cannot be converted" in warning.hint
    # registered with the database checks (`manage.py check --database default`)
    found = run_checks(tags=[Tags.database], databases=["default"])
    assert "analytics.W001" in {m.id for m in found}


def test_the_database_check_is_silent_when_every_session_is_in_its_currency(network, ledger_a):
    ledger_a.plain(start=at(DAY, 18), gross="100")
    assert check_session_currencies(None, databases=["default"]) == []


def test_the_migration_rebuilds_the_rollups_only_when_a_session_was_counted_wrongly(
    network, ledger_a
):
    """Rollups made before the rule counted such sessions: they are emptied and the
    cursors reset (the next run rebuilds them), unless no session is in another currency."""
    migration = importlib.import_module(
        "analytics.migrations.0020_sessions_in_the_operators_currency"
    )
    ledger_a.plain(start=at(DAY, 18), gross="100")
    run_incremental()
    migration.forwards(apps, None)
    assert DailyRollup.objects.exists()
    assert RollupCursor.objects.get(name="sessions").last_id > 0
    ledger_a.plain(start=at(DAY, 19), gross="190", currency="USD")
    migration.forwards(apps, None)
    assert not DailyRollup.objects.exists()
    assert set(RollupCursor.objects.values_list("last_id", flat=True)) == {0}
    run_incremental()
    assert totals(Filters(network.op_a, DAY, DAY))["gross"] == D("100.00")
