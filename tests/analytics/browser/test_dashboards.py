"""The dashboards in a real browser: charts drawn (canvas not blank, datasets present),
filters redraw them, phone width works; and a CPO staff journey through the admin."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.services.rollup import run_incremental
from tests.analytics.browser.conftest import log_in
from tests.analytics.conftest import DAY, at, make_offer
from tests.browser import pick

pytestmark = pytest.mark.django_db(transaction=True)
RANGE = "date_from=2025-03-01&date_to=2025-03-31"

INK = """(id) => {
    const chart = window.cpoCharts[id];
    const canvas = chart.canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked++; }
    return {
        inked, pixels: data.length / 4,
        datasets: chart.data.datasets.length,
        points: chart.data.datasets.map(d => d.data.filter(v => v !== null).length),
        sums: chart.data.datasets.map(d => d.data.reduce((a, v) => a + (v || 0), 0)),
        titles: Object.fromEntries(Object.entries(chart.scales).map(([axis, scale]) => [
            axis, scale.options.title.display ? [].concat(scale.options.title.text).join(" ") : "",
        ])),
    };
}"""


@pytest.fixture
def month(network, ledger_a):
    """Two offers at station A over nine days (happy hour with a holdout), sessions
    without offers, evening surges."""
    happy = make_offer(network.op_a, "happy-hour", holdout="30")
    weekend = make_offer(network.op_a, "weekend-deal", type_label="WEEKEND_SPECIAL")
    for i in range(9):
        day = DAY + dt.timedelta(days=i)
        for offer, n in ((happy, 1 + i % 3), (weekend, 1)):
            for k in range(n):
                ledger_a.row("redeemed", offer, start=at(day, 10 + k), discount="12")
                ledger_a.row("settled", offer, start=at(day, 10 + k), discount=str(10 + i))
        ledger_a.row("held_out", happy, start=at(day, 11), customer="held", discount="12")
        ledger_a.plain(start=at(day, 19), gross="150", surge="6")
        ledger_a.plain(start=at(day, 8), gross="90")
    run_incremental()
    return happy, weekend


def charts(page, ids):
    page.wait_for_function(
        f"() => window.cpoCharts && Object.keys(window.cpoCharts).length >= {len(ids)}"
    )
    drawn = {i: page.evaluate(INK, i) for i in ids}
    for chart_id, ink in drawn.items():  # every axis drawn says what it measures
        assert ink["titles"] and all(ink["titles"].values()), (chart_id, ink["titles"])
    return drawn


def test_roi_dashboard_draws_its_charts_and_filters_redraw_them(
    page, live_server, network, month, tmp_path
):
    happy, _ = month
    log_in(page, live_server, network.analyst_a.username, "/analytics/")
    page.goto(f"{live_server.url}/analytics/?{RANGE}")
    drawn = charts(page, ["redemptions", "revenue", "roi", "stations"])
    for chart_id, ink in drawn.items():
        assert ink["datasets"] >= 1 and min(ink["points"]) >= 1, chart_id
        assert ink["inked"] > ink["pixels"] * 0.01, f"{chart_id} looks blank"
    assert drawn["redemptions"]["sums"][0] == 27  # 18 happy hour + 9 weekend deal
    page.screenshot(path=tmp_path / "roi-dashboard.png", full_page=True)

    page.select_option("#id_offer", label=str(happy))  # the form submits itself on change
    page.wait_for_url("**offer=*")
    filtered = charts(page, ["redemptions", "revenue", "roi", "stations"])
    assert filtered["redemptions"]["sums"][0] == 18
    assert page.inner_text("#fig-redemptions") == "18"
    assert filtered["roi"]["points"] == [1]

    page.fill("#id_date_to", "2025-03-05")
    page.dispatch_event("#id_date_to", "change")
    page.wait_for_url("**date_to=2025-03-05*")
    narrowed = charts(page, ["redemptions"])
    assert narrowed["redemptions"]["sums"][0] == 1 + 2 + 3  # happy hour on 3, 4 and 5 March


def test_offer_drilldown_and_surge_page_draw_their_charts(page, live_server, network, month):
    happy, _ = month
    log_in(page, live_server, network.pricing_a.username, "/analytics/")
    page.goto(f"{live_server.url}/analytics/offers/{happy.pk}/?{RANGE}")
    for chart_id, ink in charts(page, ["redemptions", "method", "bands"]).items():
        assert ink["datasets"] >= 1 and ink["inked"] > 0, chart_id
    page.goto(f"{live_server.url}/analytics/surge/?{RANGE}")
    drawn = charts(page, ["profile", "surge_series"])
    assert drawn["surge_series"]["sums"][0] == 9  # nine evenings paid surge
    assert drawn["surge_series"]["titles"]["y1"] == "Surge revenue (₹, before tax)"
    assert all(ink["inked"] > ink["pixels"] * 0.01 for ink in drawn.values())


def test_pages_fit_a_phone(page, live_server, network, month, tmp_path):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, live_server, network.admin_a.username, "/analytics/")
    for path in ("/analytics/", "/analytics/surge/"):
        page.goto(f"{live_server.url}{path}?{RANGE}")
        page.wait_for_function("() => Object.keys(window.cpoCharts || {}).length > 0")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways ({width}px)"
    page.screenshot(path=tmp_path / "surge-phone.png", full_page=True)


def test_staff_journey_log_in_create_an_offer_and_preview_its_price(page, live_server, network):
    """A pricing manager signs in, creates a 10% offer in the admin, and previews a
    5 kWh session with it: 90 energy + 10 fee - 9 discount = 91, plus 18% GST = 107.38."""
    from tests.pricing.factories import TariffFactory

    TariffFactory(operator=network.op_a)
    log_in(page, live_server, network.pricing_a.username)
    page.goto(f"{live_server.url}/admin/offers/offer/add/")
    page.fill("#id_code", "browser-ten")
    page.fill("#id_title", "Ten percent off")
    page.select_option("#id_status", "active")
    page.select_option("#id_benefit_kind", "percent")
    page.fill("#id_percent", "10")
    page.select_option("#id_base", "energy")
    for box in page.query_selector_all("input[name=days_of_week]"):
        box.check()  # the admin form asks for the days explicitly
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert "browser-ten" in page.content()

    page.goto(f"{live_server.url}/admin/offers/offer/simulate/")
    pick(page, "id_charger", network.charger_a.code)
    page.fill("#id_start", "2025-09-24T10:00")
    page.fill("#id_kwh", "5")
    pick(page, "id_offers", "browser-ten")
    page.click("input[type=submit][value='Price it']")
    page.wait_for_selector("table.quote-compare")
    discount = "table.quote-compare tr.line-discount td[data-label='Difference']"
    assert page.inner_text(discount) == "\u2212₹9.00"
    assert page.inner_text("#total-with") == "₹107.38"


def test_swagger_ui_runs_from_our_own_static_files(page, live_server, network):
    """Under the CSP (no inline script), with drf-spectacular-sidecar's files, no CDN."""
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    log_in(page, live_server, network.analyst_a.username, "/api/docs/")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/analytics/offer-roi/")
    assert outside == []
