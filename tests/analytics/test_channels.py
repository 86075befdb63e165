"""Sessions of every channel in the analytics: CDRs the operator's charging system sent
roll up with the ledger's sessions, the ROI baselines and the what-if replay count them,
and the ROI dashboard, its CSV exports and the API filter by channel."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from analytics.models import ChannelDaily, OfferDaily, OfferScopeDaily
from analytics.models.whatif import WhatIfStatus
from analytics.services.rollup import backfill, run_incremental
from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from roaming.services import cdr_intake
from tests.analytics.conftest import DAY, D, at, make_offer
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory
from tests.roaming.cdr_data import cdr

pytestmark = pytest.mark.django_db
RANGE = "date_from=2025-03-01&date_to=2025-03-31"


def cdrs_at(network, *channels: str, day: dt.date = DAY, hour: int = 9):
    """One CDR per channel asked (roaming: an eMSP's token; own_app: our app's; other: our
    RFID card) at station A, 10 kWh billed 190.00 + 34.20 VAT."""
    tokens = {"roaming": ("NL", "EMS", "RFID"), "own_app": ("IN", "CPO", "APP_USER"),
              "other": ("IN", "CPO", "RFID")}  # fmt: skip
    items = [
        (
            n,
            cdr(
                f"{day}-{hour}-{n}",
                "a-station",
                "a-charger-01",
                start=at(day, hour),
                token=tokens[channel],
            ),
        )
        for n, channel in enumerate(channels, 1)
    ]
    out = cdr_intake.take(network.op_a, items)
    assert len(out.stored) == len(channels), out.refused


@pytest.fixture
def month(network, ledger_a):
    """Offer W settled at 09:00 on 3 and 4 March; a Beckn session without offer at 18:00
    those days; CDRs at 09:00 on 3 March: two roaming, one own app."""
    offer = make_offer(network.op_a, "offer-w")
    for day in (DAY, DAY + dt.timedelta(days=1)):
        ledger_a.row("redeemed", offer, start=at(day, 9), discount="10", gross="200")
        ledger_a.row("settled", offer, start=at(day, 9), discount="10", gross="200")
        ledger_a.plain(start=at(day, 18), gross="100", energy="5")
    cdrs_at(network, "roaming", "roaming", "own_app")
    run_incremental()
    return offer


def rows_of(response):
    assert response.status_code == 200, response.content[:500]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_cdr_sessions_roll_up_with_their_channel(network, month):
    by_channel = {
        row.channel: row for row in ChannelDaily.objects.filter(operator=network.op_a, date=DAY)
    }
    assert {c: r.sessions for c, r in by_channel.items()} == {
        "beckn": 2, "roaming": 2, "own_app": 1,
    }  # fmt: skip
    roaming = by_channel["roaming"]
    assert (roaming.gross_revenue, roaming.net_revenue, roaming.tax) == (
        D("380.00"), D("380.00"), D("68.40"),
    )  # fmt: skip
    assert by_channel["beckn"].discount_cost == D("10.00")
    # every channel counts in the totals the dashboards read without a channel filter
    assert OfferDaily.objects.get(operator=network.op_a, date=DAY, offer=None).sessions == 4
    # a rebuild gives the same rows
    before = sorted(ChannelDaily.objects.values_list("date", "channel", "sessions"))
    backfill(DAY, DAY + dt.timedelta(days=1), progress=False)
    assert sorted(ChannelDaily.objects.values_list("date", "channel", "sessions")) == before


def test_a_cdr_billed_in_another_currency_never_reaches_the_channel_figures(network, month):
    """The operator counts in INR: a CDR billed in USD is refused at the door, so 190 USD
    is never summed with rupees in the roaming figures (it was: 570.00 "INR")."""
    usd = cdr("USD-1", "a-station", "a-charger-01", start=at(DAY, 9))
    usd["currency"] = "USD"
    out = cdr_intake.take(network.op_a, [(1, usd)])
    assert out.refused == [(1, "currency USD is not the operator's currency (INR): its "
                                "sessions are billed and counted in INR only")]  # fmt: skip
    run_incremental()
    roaming = ChannelDaily.objects.get(operator=network.op_a, date=DAY, channel="roaming")
    assert (roaming.sessions, roaming.gross_revenue) == (2, D("380.00"))


def test_the_roi_baseline_counts_every_channel(network, month):
    """Offer W's scope is station A, 09:00's band: the CDR sessions there count in the
    revenue its baseline compares with."""
    scope = OfferScopeDaily.objects.get(offer=month, date=DAY)
    assert (scope.sessions, scope.revenue) == (4, D("200") + 3 * D("190.00"))


def test_the_roi_dashboard_and_its_exports_filter_by_channel(client, network, month):
    client.force_login(network.analyst_a)
    week = f"/analytics/?{RANGE}&granularity=week&export=series"
    assert [r[1] for r in rows_of(client.get(week))[1:]] == ["7"]
    assert [r[1] for r in rows_of(client.get(f"{week}&channel=roaming"))[1:]] == ["2"]
    assert [r[1] for r in rows_of(client.get(f"{week}&channel=beckn"))[1:]] == ["4"]
    stations = rows_of(client.get(f"/analytics/?{RANGE}&export=stations&channel=own_app"))
    assert stations[1][:4] == ["Station of A", "a-station", "DL", "1"]
    # offers are redeemed on Beckn orders only
    assert rows_of(client.get(f"/analytics/?{RANGE}&export=offers&channel=roaming"))[1:] == []
    beckn = rows_of(client.get(f"/analytics/?{RANGE}&export=offers&channel=beckn"))
    assert [r[0] for r in beckn[1:]] == ["offer-w"]
    page = client.get(f"/analytics/?{RANGE}&channel=roaming").content.decode()
    assert '<option value="roaming" selected>OCPI roaming</option>' in page
    bad = client.get(f"/analytics/?{RANGE}&channel=carrier-pigeon")
    assert bad.status_code == 400


def test_the_api_lists_sessions_by_channel_for_the_users_operators(network, month):
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    rows = api.get("/api/analytics/channel-rollups/", {"channel": "roaming"}).json()["results"]
    assert [(r["date"], r["station_code"], r["sessions"]) for r in rows] == [
        ("2025-03-03", "a-station", 2),
    ]
    api.force_authenticate(network.analyst_b)
    assert api.get("/api/analytics/channel-rollups/").json()["results"] == []


def test_a_whatif_over_a_history_with_cdr_sessions_counts_them(network, ledger_a):
    TariffFactory(operator=network.op_a)
    draft = OfferFactory(operator=network.op_a, code="draft-10", status="draft",
                         percent=D("10"), max_discount=None)  # fmt: skip
    ledger_a.plain(start=at(DAY, 8), customer="c1", energy="10", net="150")
    cdrs_at(network, "roaming", "own_app", "other", hour=12)
    cdrs_at(network, "roaming", day=DAY + dt.timedelta(days=1), hour=9)
    run, _ = new_run(draft, user=network.analyst_a, date_from=DAY,
                     date_to=DAY + dt.timedelta(days=1))  # fmt: skip
    assert execute(run.pk) == WhatIfStatus.DONE
    run.refresh_from_db()
    summary = run.result["summary"]
    assert summary["sessions"] == 5  # one Beckn session and four CDRs
    assert summary["redemptions"] == 5
    assert D(summary["actual_net"]) == D("150") + 4 * D("190.00")


@pytest.mark.parametrize("channel", ["", "beckn", "roaming", "own_app", "other"])
def test_the_api_series_and_offer_roi_agree_with_the_dashboard_channel_by_channel(
    client, network, month, channel
):
    """The same filters on the ROI dashboard's exports and on the API give the same
    figures, for every channel and for none."""
    client.force_login(network.analyst_a)
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    asked = f"{RANGE}&granularity=week&channel={channel}"
    page = rows_of(client.get(f"/analytics/?{asked}&export=series"))[1:]
    series = api.get(f"/api/analytics/series/?{asked}").json()["results"]
    assert [int(r[1]) for r in page] == [p["sessions"] for p in series]
    by_station = api.get(f"/api/analytics/series/?{asked}&group_by=station").json()["results"]
    assert sum(p["sessions"] for p in by_station) == sum(int(r[1]) for r in page)

    offers = rows_of(client.get(f"/analytics/?{RANGE}&export=offers&channel={channel}"))[1:]
    roi = api.get(f"/api/analytics/offer-roi/?{RANGE}&channel={channel}").json()
    assert [r[0] for r in offers] == [r["offer_code"] for r in roi]
    by_offer = api.get(f"/api/analytics/series/?{asked}&group_by=offer").json()["results"]
    assert {p["group"] for p in by_offer if p["group"]} == {str(r["offer"]) for r in roi}


def test_the_api_series_by_channel_refuses_what_is_not_kept_by_channel(network, month):
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    by_band = api.get(f"/api/analytics/series/?{RANGE}&channel=roaming&group_by=hour_band")
    assert by_band.status_code == 400 and "hour band" in by_band.json()["channel"][0]
    beckn = api.get(f"/api/analytics/series/?{RANGE}&channel=beckn&no_offer=true")
    assert beckn.status_code == 400 and "no_offer" in beckn.json()
    roaming = api.get(f"/api/analytics/series/?{RANGE}&channel=roaming&no_offer=true").json()
    assert [p["sessions"] for p in roaming["results"]] == [2]
    bad = api.get(f"/api/analytics/series/?{RANGE}&channel=carrier-pigeon")
    assert bad.status_code == 400
