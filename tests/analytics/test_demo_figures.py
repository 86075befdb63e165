"""The dashboards over the seeded demo: the headline ROI is the formula over the tiles beside
it, offers left out say why (page, CSV, API); surge impact filtered per region and per
station adds up to the operator's; figures read as people read them; a refused filter
comes back with its error next to the field."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from analytics.calc import roi
from analytics.services import offer_roi, surge_impact, surge_windows
from analytics.services.filters import Filters, resolve_range
from cpo_portal import formatting
from cpo_portal.models import Charger, Operator, Station
from pricing.engine.types import LineKind
from tests.pricing.factories import price as stage_one
from tests.support.pages import figure

pytestmark = pytest.mark.django_db
# A third of the demo's sessions, over the same 120 days: enough for every case below to
# occur (offers left out, short baselines, surge windows in every region), each guarded.
DEMO_SESSIONS = 1000


@pytest.fixture
def demo(demo_world, db):
    """The demo, seeded once for this module; each test's changes are rolled back."""
    return demo_world


def whole_range(operator: Operator, **more) -> Filters:
    first, last = resolve_range(operator, None, None)
    return Filters(operator, first, last, **more)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def amount(shown: str) -> Decimal:
    """The figure as shown (a minus sign, ₹, Indian grouping) as a Decimal."""
    return Decimal(shown.replace(formatting.MINUS, "-").replace("₹", "").replace(",", ""))


def rows_of(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def staff(username: str):
    return get_user_model().objects.get(username=username)


def test_the_headline_roi_is_one_computation_over_the_rows_shown(demo):
    seen_left_out = seen_short = 0
    cpo1 = Operator.objects.get(code="cpo1.com")
    station = Station.objects.filter(operator=cpo1, region_code="HR").first()
    cases = [whole_range(op) for op in Operator.objects.all()] + [
        whole_range(cpo1, region="DL"),  # baselines within the filter
        whole_range(cpo1, station_id=station.pk),
    ]
    for f in cases:
        data = offer_roi.dashboard(f, "week")
        head = data["headline"]
        tables = {t.key: t.rows for t in data["tables"]}
        counted = [r for r in tables["offers"] if r["in_roi"]]
        assert head.incremental_revenue == sum(r["incremental"] for r in counted)
        assert head.discount_cost == sum(r["roi_discount"] for r in counted)
        assert head.roi == roi.roi(head.incremental_revenue, head.discount_cost)
        left_out = [r for r in tables["offers"] if not r["in_roi"]]
        assert tables["left_out"] == left_out
        assert (head.offers_in, head.offers_left_out) == (len(counted), len(left_out))
        assert all(r["left_out"] and r["roi"] is None for r in left_out)
        seen_left_out += len(left_out)
        seen_short += sum("Short baseline" in r["flags"] for r in counted)
        assert all("lost more than it cost" in r["flags"] for r in counted if r["roi"] < -1)
    assert seen_left_out and seen_short  # the demo shows both


def test_page_tiles_add_up_and_left_out_offers_say_why_on_page_csv_and_api(client, demo):
    client.force_login(staff("cpo1-analyst"))
    cpo1 = Operator.objects.get(code="cpo1.com")
    text = page_text(client.get("/analytics/"))
    incremental = amount(figure(text, "fig-incremental"))
    discount = amount(figure(text, "fig-roi-discount"))
    shown_roi = figure(text, "fig-roi")
    assert shown_roi == formatting.number(roi.roi(incremental, discount), 2)
    assert "No baseline: " in text
    left_out = offer_roi.dashboard(whole_range(cpo1), "week")["left_out"]
    assert left_out
    for row in left_out:
        assert f"<strong>{row['offer_code']}</strong>" in text and row["left_out"] in text

    csv_rows = rows_of(client.get("/analytics/?export=left_out"))
    assert {(r["Offer"], r["Why it is left out"]) for r in csv_rows} == {
        (r["offer_code"], r["left_out"]) for r in left_out
    }
    offers_csv = {r["Offer"]: r for r in rows_of(client.get("/analytics/?export=offers"))}
    for row in left_out:
        assert offers_csv[row["offer_code"]]["In the headline ROI"] == "no"

    api = APIClient()
    api.force_authenticate(staff("cpo1-analyst"))
    found = {r["offer_code"]: r for r in api.get("/api/analytics/offer-roi/").json()}
    for row in left_out:
        assert found[row["offer_code"]]["in_headline_roi"] is False
        assert found[row["offer_code"]]["left_out_reason"] == row["left_out"]
    assert any(r["flags"] for r in found.values())


def test_surge_impact_per_region_and_per_station_adds_up(demo):
    cpo1 = Operator.objects.get(code="cpo1.com")
    whole = surge_impact.dashboard(whole_range(cpo1), "week")["impact"]
    assert whole.surge_windows > 0
    regions = sorted(
        set(Station.objects.filter(operator=cpo1).values_list("region_code", flat=True))
    )
    sums = {"windows": 0, "revenue": Decimal(0), "sessions": 0}
    for region in regions:
        data = surge_impact.dashboard(whole_range(cpo1, region=region), "week")
        impact, rows = data["impact"], data["tables"][1].rows
        in_region = Station.objects.filter(operator=cpo1, region_code=region)
        windows = sum(int(whole.stations.get(s.pk, {}).get("windows", 0)) for s in in_region)
        assert impact.surge_windows == windows == sum(r["surge_windows"] for r in rows)
        assert impact.surge_revenue == sum(r["surge_revenue"] for r in rows)
        if region in {"DL", "HR", "UP"}:  # the evening congestion fee runs there
            assert impact.surge_windows > 0 and impact.surge_revenue > 0
        sums["windows"] += impact.surge_windows
        sums["revenue"] += impact.surge_revenue
        sums["sessions"] += impact.sessions
    assert sums == {
        "windows": whole.surge_windows,
        "revenue": whole.surge_revenue,
        "sessions": whole.sessions,
    }
    delhi = set(
        Station.objects.filter(operator=cpo1, region_code="DL").values_list("pk", flat=True)
    )
    no_window = [pk for pk, mine in whole.stations.items() if not mine["windows"]][:1]
    for station, mine in whole.stations.items():
        if not mine["surge_revenue"] or station not in delhi | set(no_window):
            continue
        data = surge_impact.dashboard(whole_range(cpo1, station_id=station), "week")
        impact, rows = data["impact"], data["tables"][1].rows
        assert impact.surge_windows == int(mine["windows"]), station
        assert [r["surge_revenue"] for r in rows] == [impact.surge_revenue]
        assert impact.surge_revenue == mine["surge_revenue"].quantize(Decimal("0.01"))
        if not impact.surge_windows:  # all-day or conditional surges only: said so
            assert rows[0]["note"] == surge_impact.NO_WINDOW


def test_a_refused_filter_comes_back_with_its_error_next_to_the_field(client, demo):
    client.force_login(staff("cpo1-pricing"))
    station = Station.objects.filter(operator__code="cpo1.com", region_code="DL").first()
    query = {
        "date_from": "2026-03-31",
        "date_to": "2026-03-01",
        "region": "DL",
        "station": str(station.pk),
    }
    for path in ("/analytics/", "/analytics/surge/"):
        response = client.get(path, query)
        assert response.status_code == 400
        text = page_text(response)
        assert "__all__" not in text
        assert re.search(
            r'name="date_to"[^>]*>\s*<span class="field-error" id="id_date_to-error">'
            r"The end date is before the start date.</span>",
            text,
        ), text[:2000]
        assert '<option value="DL" selected>' in text
        assert f'<option value="{station.pk}" selected>' in text
        assert 'value="2026-03-31"' in text


def test_dashboards_read_as_people_read_them(client, demo):
    client.force_login(staff("voltgrid-analyst"))
    text = page_text(client.get("/analytics/"))
    body = text.split("<main>", 1)[1]
    assert not re.search(r"[-\u2212]\s*₹\s*-|₹\s*-|-₹", body)  # a minus sign before the ₹
    for row in offer_roi.dashboard(whole_range(Operator.objects.get(code="voltgrid.in")), "week")[
        "left_out"
    ]:
        assert formatting.money_text(row["discount"]) in body
    assert not re.search(r">\s*-?\d+\.\d{3,}\s*<", body)  # no raw 4-place decimals
    client.force_login(staff("cpo1-analyst"))
    surge = page_text(client.get("/analytics/surge/")).split("<main>", 1)[1]
    assert not re.search(r">\s*-?\d+\.\d{3,}\s*<", surge)
    change = re.search(r">Change in sessions</td>\s*<td[^>]*>([^<]*)<", surge)
    assert change and re.fullmatch(r"[+\u2212]?\d+(\.\d)?%", change.group(1)), change


def test_surge_windows_match_a_quote_at_every_hour(demo):
    """One whole-day quote per station and kind of day gives the windows that pricing a
    probe at half past every hour gives (the evening fee in Delhi, the night fee on
    highways, none where every surge is all day)."""
    cpo1 = Operator.objects.get(code="cpo1.com")
    first, last = resolve_range(cpo1, None, None)
    days = {w: surge_windows.last_day(first, last, w) for w in (False, True)}
    found = surge_windows.surge_windows(cpo1, first, last)
    chargers = Charger.objects.filter(operator=cpo1).select_related("station", "operator")
    probes: dict[int, Charger] = {}
    for charger in chargers.order_by("station_id", "-power_kw", "code"):
        probes.setdefault(charger.station_id, charger)
    hours_of = {pk: {w[2] for w in found if w[0] == pk} for pk in probes}
    picked = [  # an evening window, a night window, none at all
        next(pk for pk, hours in hours_of.items() if 18 in hours),
        next(pk for pk, hours in hours_of.items() if 23 in hours),
        next(pk for pk, hours in hours_of.items() if not hours),
    ]
    for station_id in picked:
        charger = probes[station_id]
        mine = {w for w in found if w[0] == station_id}
        expected = set()
        for weekend, day in days.items():
            zone = ZoneInfo(charger.station.time_zone)
            hours = [
                frozenset(
                    line.code
                    for line in stage_one(
                        charger,
                        dt.datetime.combine(day, dt.time(h, 30), tzinfo=zone),
                        kwh=surge_windows.PROBE_KWH,
                    ).lines
                    if line.kind is LineKind.SURGE
                )
                for h in range(24)
            ]
            always = frozenset.intersection(*hours)
            expected |= {(station_id, weekend, h) for h, c in enumerate(hours) if c - always}
        assert mine == expected, charger.station.code
    delhi = {w[2] for w in found if probes[w[0]].station.region_code == "DL"}
    assert {18, 19, 20} <= delhi
