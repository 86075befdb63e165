"""CSV exports carry the tables as shown; the API's filters and granularity; the OpenAPI
schema and its locally served Swagger UI."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from analytics.forms import FilterForm
from analytics.services.rollup import run_incremental
from tests.analytics.conftest import DAY, D, Ledger, at, make_offer
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db
RANGE = "date_from=2025-03-01&date_to=2025-03-31"


@pytest.fixture
def month(network, ledger_a):
    """Offer W: settled on 3, 4 and 10 March (discounts 10, 20, 30). Sessions without an
    offer on the same days, at 18:00 with a ₹5 surge."""
    offer = make_offer(network.op_a, "offer-w")
    for i, day in enumerate([DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=7)]):
        disc = str(10 * (i + 1))
        ledger_a.row("redeemed", offer, start=at(day, 9), discount=disc, gross="200")
        ledger_a.row("settled", offer, start=at(day, 9), discount=disc, gross="200", energy="12.5")
        ledger_a.plain(start=at(day, 18), gross="100", surge="5", energy="5")
    run_incremental()
    return offer


def rows_of(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_offer_table_export_matches_the_rollup(client, network, month):
    client.force_login(network.analyst_a)
    header, *rows = rows_of(client.get(f"/analytics/?{RANGE}&export=offers"))
    assert header[:4] == ["Offer", "Title", "ROI", "Type"]
    (row,) = rows
    record = dict(zip(header, row, strict=True))
    assert record["Offer"] == "offer-w" and record["Uses (settled)"] == "3"
    assert record["Discount cost"] == "60.00" and record["Net revenue (before tax)"] == "540.00"
    assert record["Method"] == "baseline"


def test_series_and_station_exports_use_the_same_filters(client, network, month):
    client.force_login(network.analyst_a)
    header, *rows = rows_of(client.get(f"/analytics/?{RANGE}&granularity=week&export=series"))
    assert header[0] == "Period" and [r[0] for r in rows] == ["2025-03-03", "2025-03-10"]
    assert [r[1] for r in rows] == ["4", "2"]  # sessions per week
    header, *rows = rows_of(
        client.get("/analytics/?date_from=2025-03-10&date_to=2025-03-10&export=stations")
    )
    assert rows == [["Station of A", "a-station", "DL", "2", "1", "30.00", "270.00", "17.500"]]
    surge = rows_of(client.get(f"/analytics/surge/?{RANGE}&granularity=month&export=series"))
    assert surge[1] == ["2025-03-01", "6", "3", "15.000", "15.00"]


def test_top_stations_rank_by_net_revenue_then_uses(client, network, ledger_a):
    """The table, its CSV and its chart put the station that earned most first (ties: the
    one with more uses), and the page marks its Net revenue column as the order."""
    offer = make_offer(network.op_a, "offer-r")
    for hour in (9, 10):  # two uses, net revenue 180
        ledger_a.row("settled", offer, start=at(DAY, hour), discount="10", gross="100")
    big, tie = (StationFactory(operator=network.op_a, name=n) for n in ("Big", "Alpha"))
    Ledger(big).plain(start=at(DAY, 9), gross="500")
    Ledger(tie).plain(start=at(DAY, 9), gross="180")
    run_incremental()
    client.force_login(network.analyst_a)
    _, *rows = rows_of(client.get(f"/analytics/?{RANGE}&export=stations"))
    assert [(r[0], r[4], r[6]) for r in rows] == [
        ("Big", "0", "500.00"),
        ("Station of A", "2", "180.00"),
        ("Alpha", "0", "180.00"),
    ]
    page = client.get(f"/analytics/?{RANGE}").content.decode()
    assert 'data-key="net" aria-sort="descending"' in page


def test_csv_cells_cannot_become_spreadsheet_formulas(client, network, ledger_a):
    offer = make_offer(network.op_a, "formula-offer")
    offer.title = "=HYPERLINK(1)"
    offer.save()
    ledger_a.row("settled", offer, start=at(DAY, 9), discount="1")
    run_incremental()
    client.force_login(network.analyst_a)
    _, row = rows_of(client.get(f"/analytics/?{RANGE}&export=offers"))
    assert row[1] == "'=HYPERLINK(1)"


@pytest.fixture
def api(network):
    client = APIClient()
    client.force_authenticate(network.analyst_a)
    return client


def test_api_filters_by_offer_station_date_and_band(api, network, month):
    def rows(query):
        return api.get(f"/api/analytics/daily-rollups/?{query}").json()["results"]

    assert len(rows("")) == 6
    assert {r["offer_code"] for r in rows(f"offer={month.pk}")} == {"offer-w"}
    assert {r["offer"] for r in rows("no_offer=true")} == {None}
    assert len(rows(f"station={network.station_a.pk}&date_from=2025-03-04&date_to=2025-03-10")) == 4
    assert {r["hour_band"] for r in rows("hour_band=peak")} == {"peak"}
    first = rows(f"offer={month.pk}&date_to=2025-03-03")[0]
    assert (first["discount_cost"], first["energy_kwh"], first["date"]) == (
        "10.00",
        "12.500",
        "2025-03-03",
    )


@pytest.mark.parametrize(
    ("granularity", "periods", "sessions"),
    [("day", ["2025-03-03", "2025-03-04", "2025-03-10"], [2, 2, 2]),
     ("week", ["2025-03-03", "2025-03-10"], [4, 2]),
     ("month", ["2025-03-01"], [6])],
)  # fmt: skip
def test_api_series_granularity(api, month, granularity, periods, sessions):
    body = api.get(f"/api/analytics/series/?{RANGE}&granularity={granularity}").json()["results"]
    assert [p["period"] for p in body] == periods
    assert [p["sessions"] for p in body] == sessions
    assert sum(D(p["discount_cost"]) for p in body) == D("60.00")


def test_api_series_without_dates_covers_the_default_range_as_the_roi_api(
    api, network, month, ledger_a
):
    """Without dates the series covers the last 90 days with data, as the dashboards, their
    CSVs and the ROI and surge APIs do (filters.resolve_range), not all history."""
    ledger_a.plain(start=at(DAY - dt.timedelta(days=120), 9), gross="100")
    run_incremental()
    body = api.get("/api/analytics/series/?granularity=month").json()["results"]
    assert [(p["period"], p["sessions"]) for p in body] == [("2025-03-01", 6)]
    everything = api.get("/api/analytics/series/?granularity=month&date_from=2024-01-01")
    assert [p["sessions"] for p in everything.json()["results"]] == [1, 6]


def test_api_series_group_by_offer_and_bad_parameters(api, month):
    body = api.get(f"/api/analytics/series/?{RANGE}&granularity=month&group_by=offer").json()
    groups = {p["group"]: p for p in body["results"]}
    assert set(groups) == {None, str(month.pk)}
    assert groups[str(month.pk)]["redemptions"] == 3
    assert api.get("/api/analytics/series/?granularity=year").status_code == 400
    assert api.get("/api/analytics/daily-rollups/?date_from=yesterday").status_code == 400


def test_api_offer_roi(api, network, month):
    (row,) = api.get(f"/api/analytics/offer-roi/?{RANGE}").json()
    assert (row["offer_code"], row["method"], row["discount_cost"]) == (
        "offer-w",
        "baseline",
        "60.00",
    )
    assert row["roi"] is None and "No baseline" in row["note"]


def test_offer_roi_api_takes_the_dashboards_filters_and_no_others(client, network):
    """The ROI API offers the dashboard's filters (the period length aside): none that it
    would accept and then ignore, such as the rollup rows' hour band or no_offer."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    params = {p["name"] for p in schema["paths"]["/api/analytics/offer-roi/"]["get"]["parameters"]}
    dashboard = set(FilterForm.base_fields) - {"granularity"} | {"operator"}
    assert params == dashboard


def test_openapi_schema_lists_the_endpoints_and_the_ui_is_served_locally(client, network):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in (
        "/api/analytics/daily-rollups/",
        "/api/analytics/daily-rollups/{id}/",
        "/api/analytics/hourly-rollups/",
        "/api/analytics/series/",
        "/api/analytics/offer-roi/",
        "/api/analytics/surge-impact/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/analytics/series/"]["get"]["parameters"]}
    assert {"operator", "offer", "station", "date_from", "date_to", "granularity"} <= params
    for path in ("/api/analytics/surge-impact/", "/api/analytics/hourly-rollups/"):
        found = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert {"operator", "station", "region", "channel", "date_from", "date_to"} <= set(found)
        assert sorted(found["channel"]["schema"]["enum"]) == [
            "beckn",
            "other",
            "own_app",
            "roaming",
        ]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    docs = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in docs and "cdn" not in docs.lower()
