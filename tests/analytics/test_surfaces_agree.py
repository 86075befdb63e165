"""Every surface of a figure agrees: for the same operator, filters and period, the ROI
dashboard, an offer's page, the surge page, their CSVs, the API, a what-if, the offer list
(uses, budget spent on settled uses) and the staff home give the same sessions, uses,
discount cost, net revenue (before tax) and surge revenue, on a tricky week: sessions
settled either side of local midnight (Asia/Kolkata, the operator's and the station's:
the same UTC date), an order cancelled before settlement and one refunded after it, an
open order, a surge session with tax and a finder fee, sessions of other channels, and
another operator's sessions on the same days (never in the first operator's figures)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.services.rollup import run_incremental
from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from cpo_portal import formatting
from offers.models import Offer
from offers.services.ledger import record_quote, redeem, settle
from offers.services.ledger import reverse as cancel
from offers.services.quoting import SessionAsk, quote_with_offers
from offers.services.standing import offers_today
from offers.services.uses import settled_uses
from tests.analytics.conftest import IST, Ledger, at, make_offer
from tests.factories import StationFactory
from tests.offers.conftest import SUNDAY_10, _fresh_catalog, deg  # noqa: F401 (fixtures)
from tests.offers.factories import OfferFactory
from tests.support.pages import figure

pytestmark = pytest.mark.django_db
D = Decimal
SUNDAY = SUNDAY_10.date()
MONDAY = SUNDAY + dt.timedelta(days=1)
PERIODS = {"sunday": (SUNDAY, SUNDAY), "monday": (MONDAY, MONDAY), "both": (SUNDAY, MONDAY)}


@pytest.fixture
def week(deg):  # noqa: F811 (the fixture imported above)
    """Operator A (Asia/Kolkata), the weekend offer with a budget:
    o0 settles Sunday 23:50 local, o1 Monday 00:10 local (both 18:xx UTC on Sunday);
    o2 is cancelled before settling; o3 settles on Sunday and is refunded in full;
    o4 stays open (confirmed, not settled). Without offers: a surge session with GST and
    a finder fee on Sunday, one started Sunday 23:30 and settled Monday 00:20; at a second
    station (region MH) a roaming session on Sunday and an own-app one with surge on
    Monday. Operator B: sessions and a settled use of its own offer on both days."""
    offer = deg.weekend
    offer.budget = D("1000")
    offer.save()
    quotes = {}
    for n in range(5):
        ask = SessionAsk(
            deg.charger, SUNDAY_10, amount=D("100"), codes=["WEEKEND25"], customer_key=f"c{n}"
        )
        quotes[n] = quote_with_offers(ask)
        record_quote(f"o{n}", quotes[n])
        redeem(f"o{n}", quotes[n], now=SUNDAY_10)
    for n, ends in ((0, at(SUNDAY, 23, 50)), (1, at(MONDAY, 0, 10)), (3, at(SUNDAY, 12))):
        settle(f"o{n}", D("5.2"), end=ends, now=ends)
    cancel("o2", reason="Cancelled by the customer", now=at(SUNDAY, 11))
    cancel("o3", reason="Refunded", now=at(SUNDAY, 13))
    plain = Ledger(deg.station_a)
    plain.plain(start=at(SUNDAY, 19), gross="150", surge="30", tax="27", finder_fee="3")
    plain.plain(start=at(SUNDAY, 23, 30), occurred=at(MONDAY, 0, 20), gross="80", tax="14.40")
    west = StationFactory(operator=deg.op_a, code="a-west", name="West of A", region_code="MH")
    Ledger(west).plain(start=at(SUNDAY, 8), gross="60", channel="roaming", customer="")
    Ledger(west).plain(start=at(MONDAY, 8), gross="40", surge="4", channel="own_app")
    other, theirs = Ledger(deg.station_b), make_offer(deg.op_b, "b-deal")
    for day in (SUNDAY, MONDAY):
        other.plain(start=at(day, 19), gross="9000", surge="900", customer="b1")
        other.row("settled", theirs, start=at(day, 20), discount="700", gross="7000")
    run_incremental()
    return deg


def _cell(html: str, field: str) -> str:
    match = re.search(rf'<td class="field-{field}">(.*?)</td>', html, re.S)
    assert match, field
    return match.group(1)


def _csv(client: Client, url: str, query: dict[str, Any]) -> list[dict[str, str]]:
    response = client.get(url, query)
    assert response.status_code == 200, (url, query)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def _expected(week, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The figures worked out here from what the fixture wrote, local dates of settlement."""
    sessions = {SUNDAY: 4, MONDAY: 3}  # o0, o3, the surge one, west / o1, the late one, west
    uses = {SUNDAY: 2, MONDAY: 1}
    net_plain = {SUNDAY: D("210"), MONDAY: D("120")}
    days = [d for d in (SUNDAY, MONDAY) if first <= d <= last]
    rows = [
        r
        for r in settled_uses().filter(offer=week.weekend)
        if first <= r.occurred_at.astimezone(IST).date() <= last
    ]
    net_offers = sum((r.net_amount - r.tax_amount - r.finder_fee_amount for r in rows), D(0))
    return {
        "sessions": sum(sessions[d] for d in days),
        "uses": sum(uses[d] for d in days),
        "discount": sum((r.discount for r in rows), D(0)),
        "net": sum((net_plain[d] for d in days), net_offers),
        "surge": (D("30") if SUNDAY in days else D(0)) + (D("4") if MONDAY in days else D(0)),
    }


@pytest.mark.parametrize("period", PERIODS)
def test_pages_csvs_and_api_agree_across_local_midnight(week, period):
    first, last = PERIODS[period]
    want = _expected(week, first, last)
    assert settled_uses().filter(offer=week.weekend).count() == 3  # o0, o1, o3
    client, api = Client(), APIClient()
    client.force_login(week.analyst_a)
    api.force_authenticate(week.analyst_a)
    query = {"operator": week.op_a.pk, "date_from": first, "date_to": last}
    offer = week.weekend

    roi = client.get(reverse("analytics:roi"), query).content.decode()
    shown = {
        "sessions": figure(roi, "fig-sessions"),
        "uses": figure(roi, "fig-redemptions"),
        "discount": figure(roi, "fig-discount"),
        "net": figure(roi, "fig-net"),
    }
    assert shown == {
        "sessions": formatting.number(want["sessions"]),
        "uses": formatting.number(want["uses"]),
        "discount": formatting.money_text(want["discount"]),
        "net": formatting.money_text(want["net"]),
    }

    series = _csv(
        client, reverse("analytics:roi"), {**query, "granularity": "day", "export": "series"}
    )
    assert sum(int(r["Sessions"]) for r in series) == want["sessions"]
    assert sum(int(r["Uses (settled)"]) for r in series) == want["uses"]
    assert sum(D(r["Discount cost"]) for r in series) == want["discount"]
    assert sum(D(r["Net revenue with offers (before tax)"]) for r in series) == want["net"]
    stations = _csv(client, reverse("analytics:roi"), {**query, "export": "stations"})
    assert sum(int(r["Sessions"]) for r in stations) == want["sessions"]
    assert sum(D(r["Net revenue (before tax)"]) for r in stations) == want["net"]
    offers_csv = _csv(client, reverse("analytics:roi"), {**query, "export": "offers"})
    assert [(r["Offer"], int(r["Uses (settled)"]), D(r["Discount cost"])) for r in offers_csv] == [
        (offer.code, want["uses"], want["discount"])
    ]

    points = api.get(reverse("analytics-api:series"), {**query, "granularity": "day"}).json()
    points = points["results"] if isinstance(points, dict) else points
    assert sum(p["sessions"] for p in points) == want["sessions"]
    assert sum(p["redemptions"] for p in points) == want["uses"]
    assert sum(D(p["discount_cost"]) for p in points) == want["discount"]
    assert sum(D(p["net_revenue"]) for p in points) == want["net"]
    assert sum(D(p["surge_revenue"]) for p in points) == want["surge"]
    (roi_row,) = api.get(reverse("analytics-api:offer-roi"), query).json()
    assert (roi_row["offer_code"], roi_row["redemptions"], D(roi_row["discount_cost"])) == (
        offer.code,
        want["uses"],
        want["discount"],
    )
    cells = api.get(reverse("analytics-api:daily-rollup-list"), {**query, "limit": 100}).json()
    cells = cells["results"]
    assert sum(c["sessions"] for c in cells) == want["sessions"]
    assert sum(D(c["net_revenue"]) for c in cells) == want["net"]
    for name in ("analytics-api:hourly-rollup-list", "analytics-api:channel-rollup-list"):
        cells = api.get(reverse(name), {**query, "limit": 100}).json()["results"]
        assert sum(c["sessions"] for c in cells) == want["sessions"], name
        assert sum(D(c["net_revenue"]) for c in cells) == want["net"], name
        assert sum(D(c["surge_revenue"]) for c in cells) == want["surge"], name

    page = client.get(reverse("analytics:offer", args=[offer.pk]), query).content.decode()
    assert figure(page, "fig-redemptions") == formatting.number(want["uses"])
    assert figure(page, "fig-discount") == formatting.money_text(want["discount"])
    bands = _csv(client, reverse("analytics:offer", args=[offer.pk]), {**query, "export": "bands"})
    assert sum(int(r["Uses (settled)"]) for r in bands) == want["uses"]

    surge = client.get(reverse("analytics:surge"), query).content.decode()
    assert figure(surge, "fig-surge") == formatting.money_text(want["surge"])
    summary = _csv(client, reverse("analytics:surge"), {**query, "export": "summary"})
    assert D({r["Figure"]: r["Value"] for r in summary}["Surge revenue"]) == want["surge"]
    surge_series = _csv(client, reverse("analytics:surge"), {**query, "export": "series"})
    assert sum(D(r["Surge revenue"]) for r in surge_series) == want["surge"]
    assert sum(int(r["Sessions"]) for r in surge_series) == want["sessions"]
    impact = api.get(reverse("analytics-api:surge-impact"), query).json()
    assert D(impact["surge_revenue"]) == want["surge"]

    candidate = OfferFactory(operator=week.op_a, code="a-candidate", percent=D("10"))
    run, _ = new_run(candidate, user=week.analyst_a, date_from=first, date_to=last)
    execute(run.pk)
    result = api.get(reverse("analytics-api:whatif-run-detail", args=[run.pk])).json()["result"]
    replayed = (result["summary"]["sessions"], D(result["summary"]["actual_net"]))
    assert replayed == (want["sessions"], want["net"])


def test_the_offer_list_agrees_with_the_dashboards_uses_and_discount(week):
    """All time: the offer list's uses and the settled part of its budget bar are the ROI
    dashboard's uses and discount cost (the order refunded after it settled included, as
    everywhere); the staff home's uses since local midnight are the dashboard's of that
    day, just before and just after midnight."""
    client = Client()
    client.force_login(week.analyst_a)
    query = {"operator": week.op_a.pk, "date_from": SUNDAY, "date_to": MONDAY}
    roi = client.get(reverse("analytics:roi"), query).content.decode()
    want = _expected(week, SUNDAY, MONDAY)
    listing = client.get(reverse("admin:offers_offer_changelist")).content.decode()
    assert _cell(listing, "uses").strip() == figure(roi, "fig-redemptions") == "3"
    assert f"{figure(roi, 'fig-discount')} on settled uses" in _cell(listing, "budget_used")
    assert formatting.money_text(want["discount"]) == figure(roi, "fig-discount")
    assert "b-deal" not in listing
    for now, day in ((at(SUNDAY, 23, 55), SUNDAY), (at(MONDAY, 0, 30), MONDAY)):
        home = offers_today(week.op_a, now=now)
        that_day = client.get(reverse("analytics:roi"), {**query, "date_from": day, "date_to": day})
        shown = that_day.content.decode()
        assert formatting.number(home.uses_today) == figure(shown, "fig-redemptions")
        assert formatting.money_text(home.discount_today) == figure(shown, "fig-discount")


def test_another_operators_figures_are_refused_not_shown(week):
    client, api = Client(), APIClient()
    client.force_login(week.analyst_a)
    api.force_authenticate(week.analyst_a)
    theirs = {"operator": week.op_b.pk, "date_from": SUNDAY, "date_to": MONDAY}
    assert client.get(reverse("analytics:roi"), theirs).status_code == 400
    assert client.get(reverse("analytics:surge"), theirs).status_code == 400
    for name in ("analytics-api:offer-roi", "analytics-api:surge-impact", "analytics-api:series"):
        assert api.get(reverse(name), {**theirs, "granularity": "day"}).status_code == 400, name
    b_offer = Offer.objects.get(code="b-deal")
    assert client.get(reverse("analytics:offer", args=[b_offer.pk]), theirs).status_code == 404
    mine = {"date_from": SUNDAY, "date_to": MONDAY, "granularity": "day"}
    points = api.get(reverse("analytics-api:series"), mine).json()
    points = points["results"] if isinstance(points, dict) else points
    assert {p["operator"] for p in points} == {week.op_a.pk}
    assert sum(p["sessions"] for p in points) == _expected(week, SUNDAY, MONDAY)["sessions"]
    for name in ("daily-rollup", "hourly-rollup", "channel-rollup"):
        rows = api.get(reverse(f"analytics-api:{name}-list"), {"limit": 100}).json()["results"]
        assert {(r["operator"], r["operator_code"]) for r in rows} == {
            (week.op_a.pk, week.op_a.code)
        }, name


FILTERS = {
    "station": lambda w: {"station": w.station_a.pk},
    "region": lambda w: {"region": "MH"},
    "offer": lambda w: {"offer": w.weekend.pk},
    "offer type": lambda w: {"offer_type": w.weekend.type_label},
    "beckn": lambda w: {"channel": "beckn"},
    "roaming": lambda w: {"channel": "roaming"},
    "own app, one station": lambda w: {"channel": "own_app", "region": "MH"},
}


@pytest.mark.parametrize("name", FILTERS)
def test_filtered_figures_agree_on_the_page_its_csv_and_the_api(week, name):
    """The same filters give the same sums on the ROI page, its series CSV and the API's
    series, and the same sessions and surge revenue on the surge page, its CSVs and the
    surge API."""
    client, api = Client(), APIClient()
    client.force_login(week.analyst_a)
    api.force_authenticate(week.analyst_a)
    query = {"operator": week.op_a.pk, "date_from": SUNDAY, "date_to": MONDAY}
    query.update(FILTERS[name](week))
    roi = client.get(reverse("analytics:roi"), query).content.decode()
    series = _csv(
        client, reverse("analytics:roi"), {**query, "granularity": "day", "export": "series"}
    )
    points = api.get(reverse("analytics-api:series"), {**query, "granularity": "day"}).json()
    points = points["results"] if isinstance(points, dict) else points
    page = {k: figure(roi, f"fig-{k}") for k in ("sessions", "redemptions", "discount", "net")}
    in_csv = {
        "sessions": formatting.number(sum(int(r["Sessions"]) for r in series)),
        "redemptions": formatting.number(sum(int(r["Uses (settled)"]) for r in series)),
        "discount": formatting.money_text(sum((D(r["Discount cost"]) for r in series), D(0))),
        "net": formatting.money_text(
            sum((D(r["Net revenue with offers (before tax)"]) for r in series), D(0))
        ),
    }
    in_api = {
        "sessions": formatting.number(sum(p["sessions"] for p in points)),
        "redemptions": formatting.number(sum(p["redemptions"] for p in points)),
        "discount": formatting.money_text(sum((D(p["discount_cost"]) for p in points), D(0))),
        "net": formatting.money_text(sum((D(p["net_revenue"]) for p in points), D(0))),
    }
    assert page == in_csv == in_api
    if "offer" in query or "offer_type" in query:
        return  # the surge page takes no offer filter
    surge = client.get(reverse("analytics:surge"), query).content.decode()
    summary = _csv(client, reverse("analytics:surge"), {**query, "export": "summary"})
    surge_series = _csv(client, reverse("analytics:surge"), {**query, "export": "series"})
    assert formatting.number(sum(int(r["Sessions"]) for r in surge_series)) == page["sessions"]
    impact = api.get(reverse("analytics-api:surge-impact"), query).json()
    revenue = {r["Figure"]: r["Value"] for r in summary}["Surge revenue"]
    assert (
        figure(surge, "fig-surge")
        == formatting.money_text(D(revenue))
        == formatting.money_text(sum((D(r["Surge revenue"]) for r in surge_series), D(0)))
        == formatting.money_text(D(impact["surge_revenue"]))
    )


def test_a_region_asked_in_any_spelling_is_the_stations_region(week):
    """Region codes have one spelling (cpo_portal.db.regions): " mh " asked of the API is
    the MH its stations are in, for the rollup rows, the series and a what-if's sessions."""
    api = APIClient()
    api.force_authenticate(week.analyst_a)
    query = {"operator": week.op_a.pk, "date_from": SUNDAY, "date_to": MONDAY}

    def asked(region: str) -> dict[str, Any]:
        q = {**query, "region": region}
        rows = api.get(reverse("analytics-api:daily-rollup-list"), {**q, "limit": 100}).json()
        points = api.get(reverse("analytics-api:series"), {**q, "granularity": "day"}).json()
        points = points["results"] if isinstance(points, dict) else points
        return {
            "rows": sorted(r["id"] for r in rows["results"]),
            "sessions": sum(p["sessions"] for p in points),
            "surge": api.get(reverse("analytics-api:surge-impact"), q).json()["surge_revenue"],
        }

    exact = asked("MH")
    assert exact["sessions"] > 0 and exact["rows"] and exact["surge"] != "0.00"
    assert asked(" mh ") == asked("Mh") == exact
    client = Client()
    client.force_login(week.analyst_a)
    pages = [client.get(reverse("analytics:roi"), {**query, "region": r}) for r in ("MH", " mh")]
    assert [p.status_code for p in pages] == [200, 200]
    sessions = [figure(p.content.decode(), "fig-sessions") for p in pages]
    assert sessions == [formatting.number(exact["sessions"])] * 2
    body = {"offer": week.weekend.pk, "date_from": SUNDAY, "date_to": MONDAY, "regions": [" mh"]}
    created = api.post("/api/analytics/whatif-runs/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["region_codes"] == ["MH"]
