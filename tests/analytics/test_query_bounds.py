"""Every query parameter of the staff API and the dashboards is bounded: huge or malformed
numbers, negative page sizes and far-off or far-apart dates get a 400 that says why, never
a 500 and never minutes of work. The date rule is one (services.filters.check_dates /
resolve_range), shared by the dashboards, their exports and the API.

Run on PostgreSQL too: 10**20 overflowed its bigint where SQLite raised something else.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest
from rest_framework.test import APIClient

from analytics.services.filters import (
    DATE_MAX,
    DATE_MIN,
    MAX_SPAN_DAYS,
    check_dates,
    resolve_range,
)
from analytics.services.rollup import run_incremental
from cpo_portal.web.pagination import MAX_LIMIT
from pricing.models import GridSignal
from tests.analytics.conftest import DAY, at, make_offer

pytestmark = pytest.mark.django_db

PAGED = [
    "/api/analytics/daily-rollups/",
    "/api/analytics/hourly-rollups/",
    "/api/analytics/series/",
    "/pricing/api/grid-signals/",
]
API_DATED = [
    "/api/analytics/daily-rollups/",
    "/api/analytics/hourly-rollups/",
    "/api/analytics/series/",
    "/api/analytics/offer-roi/",
    "/api/analytics/surge-impact/",
]
NO_OFFER = ("/api/analytics/hourly-rollups/", "/api/analytics/surge-impact/")
DASHBOARDS = ["/analytics/", "/analytics/surge/", "/analytics/offers/{offer}/"]
HUGE = "100000000000000000000"  # 10**20

BAD_PAGING = [
    ("limit", "1e20"),
    ("limit", HUGE),
    ("limit", "-1"),
    ("limit", "0"),
    ("limit", "1.5"),
    ("limit", "ten"),
    ("limit", str(MAX_LIMIT + 1)),
    ("offset", "1e20"),
    ("offset", HUGE),
    ("offset", "-1"),
    ("offset", "2.5"),
]
# (date_from, date_to, what the answer says)
BAD_DATES = [
    ("0001-01-01", "9999-12-31", "Pick a date from 2000-01-01 to 2099-12-31."),
    ("0001-01-01", "", "Pick a date from 2000-01-01 to 2099-12-31."),
    ("", "9999-12-31", "Pick a date from 2000-01-01 to 2099-12-31."),
    ("9999-12-31", "", "Pick a date from 2000-01-01 to 2099-12-31."),
    ("2025-01-01", "9999-11-30", "Pick a date from 2000-01-01 to 2099-12-31."),
    ("2025-03-31", "2025-03-01", "The end date is before the start date."),
    ("2020-01-01", "2025-03-31", "Pick at most three years (1098 days)."),
    ("99999-01-01", "", "Enter a valid date."),
]
BAD_IDS = ["operator", "station", "offer"]
BAD_ID_VALUES = [HUGE, "-1", "1e20", "1.5", "9223372036854775808"]


@pytest.fixture
def world(network, ledger_a):
    """Offer W settled on 3 March 2025 and a session without an offer; rolled up."""
    offer = make_offer(network.op_a, "offer-w")
    ledger_a.row("redeemed", offer, start=at(DAY, 9), discount="10", gross="200")
    ledger_a.row("settled", offer, start=at(DAY, 9), discount="10", gross="200")
    ledger_a.plain(start=at(DAY, 18), gross="100", surge="5", energy="5")
    run_incremental()
    GridSignal.objects.create(operator=network.op_a, raised_by=network.pricing_a)
    return offer


@pytest.fixture
def api(network):
    client = APIClient()
    client.force_authenticate(network.pricing_a)  # sees the API and the grid signals
    return client


def said(response) -> str:
    return html.unescape(response.content.decode())


def failures(check, cases) -> list:
    """Every case checked (one setup per endpoint), every mismatch reported at once."""
    wrong = []
    for case in cases:
        try:
            check(*case)
        except AssertionError as error:
            wrong.append((case, str(error).splitlines()[0][:300]))
    return wrong


@pytest.mark.parametrize("path", PAGED)
def test_paging_out_of_bounds_is_a_400_that_names_the_parameter(api, world, path):
    def check(name, value):
        response = api.get(path, {name: value})
        assert response.status_code == 400, (response.status_code, said(response)[:200])
        low, high = (1, MAX_LIMIT) if name == "limit" else (0, 1_000_000_000)
        assert response.json() == {name: [f"Give a whole number from {low} to {high}."]}

    assert failures(check, BAD_PAGING) == []


@pytest.mark.parametrize("path", PAGED)
def test_paging_within_bounds_still_pages(api, world, path):
    response = api.get(path, {"limit": str(MAX_LIMIT), "offset": "0"})
    assert response.status_code == 200, said(response)
    assert response.json()["count"] >= 1
    response = api.get(path, {"limit": "", "offset": "1000000000"})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("path", API_DATED)
def test_api_date_ranges_out_of_bounds_are_a_400_that_says_why(api, world, path):
    def check(date_from, date_to, reason):
        response = api.get(path, {"date_from": date_from, "date_to": date_to})
        assert response.status_code == 400, (response.status_code, said(response)[:200])
        assert reason in said(response), said(response)[:300]

    assert failures(check, BAD_DATES) == []


@pytest.mark.parametrize("path", DASHBOARDS)
def test_dashboard_date_ranges_out_of_bounds_are_a_400_that_says_why(client, network, world, path):
    client.force_login(network.analyst_a)
    url = path.format(offer=world.pk)

    def check(date_from, date_to, reason, export):  # the page and its CSV export alike
        query = {"date_from": date_from, "date_to": date_to, "export": export}
        response = client.get(url, {k: v for k, v in query.items() if v})
        assert response.status_code == 400, (response.status_code, said(response)[:200])
        assert reason in said(response), said(response)[:300]
        assert "__all__" not in said(response)  # in words, by the field at fault
        if date_from:  # the page shows the filters again with what was typed
            assert f'value="{date_from}"' in said(response) or "Enter a valid date" in said(
                response
            )

    cases = [(*case, export) for case in BAD_DATES for export in ("", "offers")]
    assert failures(check, cases) == []


@pytest.mark.parametrize("path", [*API_DATED, *DASHBOARDS])
def test_malformed_or_huge_ids_are_refused(api, client, network, world, path):
    client.force_login(network.analyst_a)

    def check(name, value):
        if path.startswith("/api/"):
            response = api.get(path, {name: value})
        else:
            response = client.get(path.format(offer=world.pk), {name: value})
        # 404 where the operator asked is not the one of the page's own offer.
        expected = {400, 404} if "{offer}" in path and name == "operator" else {400}
        if path in NO_OFFER and name == "offer":
            expected = {200}  # no offer dimension: not one of its filters
        assert response.status_code in expected, (response.status_code, said(response)[:200])

    assert failures(check, [(n, v) for n in BAD_IDS for v in BAD_ID_VALUES]) == []


@pytest.mark.parametrize(
    "path",
    [
        f"/api/analytics/daily-rollups/{HUGE}/",
        f"/api/analytics/hourly-rollups/{HUGE}/",
        "/api/analytics/daily-rollups/-1/",
        f"/pricing/api/grid-signals/{HUGE}/",
        f"/analytics/offers/{HUGE}/",
    ],
)
def test_huge_ids_in_the_path_are_not_found(api, client, network, world, path):
    client.force_login(network.pricing_a)
    response = (api if path.startswith("/api/") or "/api/" in path else client).get(path)
    assert response.status_code == 404


def test_a_valid_range_still_answers(api, client, network, world):
    params = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    assert api.get("/api/analytics/offer-roi/", params).json()[0]["redemptions"] == 1
    client.force_login(network.analyst_a)
    assert client.get("/analytics/", params).status_code == 200


def test_the_range_rule(network):
    check_dates(DATE_MIN, DATE_MIN + dt.timedelta(days=MAX_SPAN_DAYS))
    check_dates(None, DATE_MAX)
    # A lone end date near the lower bound: the default start is clamped, not refused.
    start, end = resolve_range(network.op_a, None, DATE_MIN + dt.timedelta(days=3))
    assert start == DATE_MIN
    # A lone start date runs to the last day with data, or to itself if later.
    start, end = resolve_range(network.op_a, dt.date(2099, 1, 1), None)
    assert (start, end) == (dt.date(2099, 1, 1), dt.date(2099, 1, 1))
