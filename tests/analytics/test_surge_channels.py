"""The surge page, its CSV exports and the API filtered by channel: the hourly rollups
carry the channel of every session, and each surface gives that channel's figures, the
same on all three. Station A has the congestion fee 18:00-21:00; station C, of the same
operator, has no surge window and gives the comparable profile."""

from __future__ import annotations

import csv
import html
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from analytics.models import HourlyPeriod, HourlyRollup
from analytics.services.rollup import backfill, run_incremental
from tests.analytics.conftest import DAY, Ledger, at
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory
from tests.pricing.factories import SurgeFactory, TariffFactory
from tests.support.pages import figure

pytestmark = pytest.mark.django_db
RANGE = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
# (station, channel, start hour, surge paid): sessions on Monday 3 March
SESSIONS = [
    ("a", "beckn", 18, "5"),
    ("a", "beckn", 10, "0"), ("a", "beckn", 10, "0"), ("a", "beckn", 10, "0"),
    ("a", "roaming", 18, "3"), ("a", "roaming", 18, "3"),
    ("a", "roaming", 10, "0"),
    ("c", "beckn", 18, "0"), ("c", "beckn", 18, "0"),
    ("c", "beckn", 10, "0"), ("c", "beckn", 10, "0"),
    ("c", "roaming", 18, "0"),
    ("c", "roaming", 10, "0"), ("c", "roaming", 10, "0"), ("c", "roaming", 10, "0"),
]  # fmt: skip
# What each channel's figures are, worked out by hand: station A's sessions in its
# 18:00 window, and what station C's profile (its share of sessions at 18:00) expects of
# station A's sessions, shown as a whole number; the change from the two as shown.
EXPECTED = {
    "": {"sessions": 3, "expected": 3, "change": Decimal("0"), "revenue": Decimal("11.00"),
         "all_sessions": 15},  # C: 3 of 8 at 18:00, x A's 7 = 2.625, shown 3
    "beckn": {"sessions": 1, "expected": 2, "change": Decimal("-0.5"),
              "revenue": Decimal("5.00"), "all_sessions": 8},  # C: 2 of 4 x A's 4 = 2
    "roaming": {"sessions": 2, "expected": 1, "change": Decimal("1"),
                "revenue": Decimal("6.00"), "all_sessions": 7},  # C: 1 of 4 x A's 3 = 0.75
}  # fmt: skip


@pytest.fixture
def history(network):
    operator = network.op_a
    calm = StationFactory(operator=operator, code="c-station", name="Station C",
                          region_code=network.station_a.region_code)  # fmt: skip
    ConnectorFactory(charger=ChargerFactory(station=calm, code="c-charger-01"))
    TariffFactory(operator=operator)
    SurgeFactory(operator=operator, stations=[network.station_a])  # 18:00-21:00, every day
    ledgers = {"a": Ledger(network.station_a), "c": Ledger(calm)}
    for n, (station, channel, hour, surge) in enumerate(SESSIONS):
        ledgers[station].plain(start=at(DAY, hour, n), channel=channel, gross="100",
                               energy="10", surge=surge, customer=f"c{n}")  # fmt: skip
    run_incremental()
    return network


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("channel", ["", "beckn", "roaming"])
def test_the_surge_page_csv_and_api_give_the_channels_figures(client, history, channel):
    network, want = history, EXPECTED[channel]
    query = {**RANGE, "channel": channel} if channel else dict(RANGE)
    client.force_login(network.analyst_a)

    page = client.get("/analytics/surge/", query)
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert figure(text, "fig-compared") == str(want["sessions"])
    assert figure(text, "fig-expected") == str(want["expected"])
    assert figure(text, "fig-surge") == f"₹{want['revenue']}"
    if channel:
        label = {"beckn": "Beckn", "roaming": "OCPI roaming"}[channel]
        assert f'<option value="{channel}" selected>{label}</option>' in text
        assert f"came by <strong>{label}</strong>" in text

    summary = {
        r["Figure"]: r["Value"]
        for r in csv_rows(client.get("/analytics/surge/", {**query, "export": "summary"}))
    }
    assert summary["Sessions in compared surge windows"] == str(want["sessions"])
    assert summary["Expected from comparable stations"] == str(want["expected"])
    assert Decimal(summary["Change in sessions"]) == want["change"]
    assert Decimal(summary["Surge revenue"]) == want["revenue"]
    series = csv_rows(
        client.get("/analytics/surge/", {**query, "granularity": "month", "export": "series"})
    )
    assert [(r["Period"], r["Sessions"], r["Surge revenue"]) for r in series] == [
        ("2025-03-01", str(want["all_sessions"]), str(want["revenue"]))
    ]

    api = APIClient()
    api.force_authenticate(network.analyst_a)
    got = api.get("/api/analytics/surge-impact/", query)
    assert got.status_code == 200, got.content[:300]
    body = got.json()
    assert body["channel"] == channel
    assert body["compared_sessions"] == want["sessions"] == body["sessions"]
    assert body["expected_sessions"] == want["expected"]
    assert Decimal(body["session_change"]) == want["change"]
    assert Decimal(body["surge_revenue"]) == want["revenue"]
    # the three surfaces agree on every headline figure
    assert body["surge_windows"] == int(summary["Surge windows (station-hours with surge)"]) > 0
    assert body["compared_stations"] == int(summary["Stations compared"]) == 1
    assert Decimal(body["shifted_sessions"]) == Decimal(summary["Sessions shifted to other hours"])
    assert figure(text, "fig-windows") == str(body["surge_windows"])
    # the hourly rows behind them, by channel, from the API
    rows = api.get("/api/analytics/hourly-rollups/", {**query, "limit": 100}).json()["results"]
    assert sum(r["sessions"] for r in rows) == want["all_sessions"]
    assert sum(Decimal(r["surge_revenue"]) for r in rows) == want["revenue"]
    assert {r["channel"] for r in rows} == ({channel} if channel else {"beckn", "roaming"})


def test_hourly_rows_carry_the_channel_and_surge_day_is_the_stations(history):
    network = history
    rows = HourlyRollup.objects.filter(operator=network.op_a, station=network.station_a)
    assert sorted(rows.values_list("hour", "channel", "sessions", "surge_day")) == [
        (10, "beckn", 3, True), (10, "roaming", 1, True),
        (18, "beckn", 1, True), (18, "roaming", 2, True),
    ]  # fmt: skip
    calm = HourlyRollup.objects.filter(operator=network.op_a).exclude(station=network.station_a)
    assert not calm.filter(surge_day=True).exists()
    by_channel = dict(
        HourlyPeriod.objects.filter(operator=network.op_a, grain="M")
        .values_list("channel")
        .annotate(Sum("sessions"))
    )
    assert by_channel == {"beckn": 8, "roaming": 7}
    before = sorted(HourlyRollup.objects.values_list("station", "hour", "channel", "sessions"))
    backfill(DAY, DAY, progress=False)  # the rebuild gives the same rows
    assert sorted(HourlyRollup.objects.values_list("station", "hour", "channel", "sessions")) == (
        before
    )


def test_the_api_refuses_a_channel_it_does_not_know_and_a_station_of_another_operator(
    history,
):
    network = history
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    assert api.get("/api/analytics/surge-impact/", {"channel": "pigeon"}).status_code == 400
    assert api.get("/api/analytics/hourly-rollups/", {"channel": "pigeon"}).status_code == 400
    api.force_authenticate(network.superuser)
    other = {"operator": network.op_a.pk, "station": network.station_b.pk}
    assert api.get("/api/analytics/surge-impact/", other).status_code == 400


def test_an_offer_page_asked_for_a_channel_says_what_it_counts(client, history):
    from tests.analytics.conftest import make_offer

    network = history
    offer = make_offer(network.op_a, "offer-w")
    ledger = Ledger(network.station_a)
    ledger.row("redeemed", offer, start=at(DAY, 9), discount="10", order_ref="w-1")
    ledger.row("settled", offer, start=at(DAY, 9), discount="10", order_ref="w-1")
    run_incremental()
    client.force_login(network.analyst_a)
    plain = html.unescape(client.get(f"/analytics/offers/{offer.pk}/", RANGE).content.decode())
    roaming = html.unescape(
        client.get(
            f"/analytics/offers/{offer.pk}/", {**RANGE, "channel": "roaming"}
        ).content.decode()
    )
    assert 'id="channel-note"' not in plain
    assert "The channel filter (OCPI roaming) does not apply to an offer's page" in roaming
    # the figures are every channel's, the same as without the filter
    assert figure(roaming, "fig-redemptions") == figure(plain, "fig-redemptions") == "1"
    assert figure(roaming, "fig-discount") == figure(plain, "fig-discount") == "₹10.00"
