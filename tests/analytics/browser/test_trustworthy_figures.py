"""Figures a pricing manager can trust, in a real browser: the what-if and the ROI
dashboard read the same month alike; a what-if of an opt-in offer says it cannot apply
and replays a chosen share presenting the code; the ROI table shows its answer (ROI beside
the name, sortable, linked, full width, explanations in an expander, human labels, the
chart marking rough and missing estimates); one precision rule on the surge page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from analytics.models import WhatIfRun
from analytics.services.rollup import run_incremental
from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from cpo_portal import formatting
from tests.analytics.browser.conftest import log_in
from tests.analytics.conftest import DAY, MARCH, Ledger, at, make_offer, month_of_sessions
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory
from tests.offers.factories import OfferFactory
from tests.pricing.factories import SurgeFactory, TariffFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
RANGE = "date_from=2025-03-01&date_to=2025-03-31"


def text(page, selector: str) -> str:
    return page.inner_text(selector).strip()


def test_the_what_if_and_the_roi_dashboard_show_the_same_month(page, live_server, network):
    sessions, net = month_of_sessions(network)
    offer = OfferFactory(operator=network.op_a, code="a-new", percent=D("10"))
    run, _ = new_run(offer, user=network.pricing_a, date_from=MARCH[0], date_to=MARCH[1])
    execute(run.pk)
    log_in(page, live_server, network.pricing_a.username, "/analytics/")
    page.goto(f"{live_server.url}/analytics/?{RANGE}")
    dashboard = (text(page, "#fig-sessions"), text(page, "#fig-net"))
    assert "before tax" in page.inner_text("#fig-net >> xpath=..")
    page.goto(f"{live_server.url}/admin/analytics/whatifrun/{run.pk}/change/")
    what_if = (text(page, "#whatif-sessions"), text(page, "#whatif-actual_net"))
    assert dashboard == what_if == (formatting.number(sessions), formatting.money_text(net))
    assert "before tax" in page.inner_text("table.whatif-summary")


def test_an_opt_in_offer_what_if_says_why_and_replays_a_chosen_share(page, live_server, network):
    TariffFactory(operator=network.op_a)
    ledger = Ledger(network.station_a)
    for i in range(20):
        ledger.plain(start=at(DAY + dt.timedelta(days=i % 4), 9 + i % 8), customer=f"c{i}")
    offer = OfferFactory(operator=network.op_a, code="evening-code", status="draft",
                         auto=False, percent=D("15"), min_session_value=None)  # fmt: skip
    log_in(page, live_server, network.pricing_a.username,
           f"/admin/analytics/whatifrun/add/?offer={offer.pk}")  # fmt: skip
    assert "presents its code" in text(page, "#whatif-limits")
    page.fill("#id_date_from", DAY.isoformat())
    page.fill("#id_date_to", (DAY + dt.timedelta(days=3)).isoformat())
    page.fill("#id_presented_share", "50")
    page.click("input[type=submit][value='Run the what-if']")
    page.wait_for_url("**/change/")
    run = WhatIfRun.objects.get()
    if not run.finished:
        execute(run.pk)
    page.wait_for_selector("table.whatif-summary", timeout=20_000)
    said = text(page, "#whatif-presented")
    assert "50 % of eligible sessions presented the code" in said
    assert int(text(page, "#whatif-redemptions")) > 0
    limits = text(page, "#whatif-limits")  # the replay said, not "applies to no session"
    assert "presented the code" in limits and "applies to no session" not in limits


@pytest.fixture
def offers(network, ledger_a):
    """A holdout offer, a weekend special with no baseline (left out) and an early bird
    with a one-day baseline (a rough estimate)."""
    happy = make_offer(network.op_a, "happy-hour", holdout="30")
    weekend = make_offer(network.op_a, "weekend-deal", type_label="WEEKEND_SPECIAL")
    early = make_offer(network.op_a, "early-bird", type_label="EARLY_BIRD")
    for i in range(9):
        day = DAY + dt.timedelta(days=i)
        plan = [(happy, 1 + i % 3), (weekend, 1)] + ([(early, 2)] if i else [])
        for offer, n in plan:
            for k in range(n):
                ledger_a.row("redeemed", offer, start=at(day, 10 + k), discount="12")
                ledger_a.row("settled", offer, start=at(day, 10 + k), discount=str(10 + i))
        ledger_a.row("held_out", happy, start=at(day, 11), customer="held", discount="12")
        ledger_a.plain(start=at(day, 8), gross="90")
    run_incremental()
    return happy, weekend, early


def roi_values(page) -> list[str]:
    return page.locator("#table-offers tbody td[data-key=roi]").all_inner_texts()


def test_the_roi_table_shows_its_answer(page, live_server, network, offers):
    _, weekend, early = offers
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, network.pricing_a.username, "/analytics/")
    page.goto(f"{live_server.url}/analytics/?{RANGE}")
    header = page.locator("#table-offers th[data-key=roi]").bounding_box()
    assert header is not None and header["x"] + header["width"] <= 1366  # in view, no scroll
    first = page.locator("#table-offers tbody td").first
    assert first.evaluate("td => getComputedStyle(td).position") == "sticky"
    body = page.inner_text("body")
    assert "WEEKEND_SPECIAL" not in body and "Weekend special" in body
    options = page.locator("#id_offer_type option").all_inner_texts()
    assert "Weekend special" in options and "WEEKEND_SPECIAL" not in options
    assert "no estimate" in page.inner_text(
        f"#table-offers tr:has(a[href*='/offers/{weekend.pk}/'])"
    )
    details = page.locator("#table-offers td.more details").first
    details.locator("summary").click()
    assert details.evaluate("d => d.open") and details.inner_text().strip()

    page.click("#table-offers th[data-key=roi] a")  # largest first, no estimate last
    page.wait_for_url("**sort=offers.-roi*")
    shown = roi_values(page)
    numbers = [float(v.split("\n")[0].replace("\u2212", "-")) for v in shown if v[0] != "—"]
    assert numbers == sorted(numbers, reverse=True) and shown[-1].startswith("—")
    page.click("#table-offers th[data-key=roi] a")
    page.wait_for_url("**sort=offers.roi*")

    page.wait_for_function("() => window.cpoCharts && window.cpoCharts.roi")
    labels = page.evaluate("window.cpoCharts.roi.data.labels")
    values = page.evaluate("window.cpoCharts.roi.data.datasets[0].data")
    assert "no estimate" in labels[-1] and values[-1] is None
    drawn = [v for v in values if v is not None]
    assert drawn == sorted(drawn, reverse=True)
    rough = [i for i, label in enumerate(labels) if "low confidence: 1-day baseline" in label]
    assert len(rough) == 1
    colours = page.evaluate("window.cpoCharts.roi.data.datasets[0].backgroundColor")
    assert colours[rough[0]] != colours[labels.index(next(x for x in labels if "Happy" in x))]

    page.click(f"#table-offers a[href*='/analytics/offers/{early.pk}/']")
    page.wait_for_url(f"**/analytics/offers/{early.pk}/*")
    page.click(".crumbs a")  # and back
    page.wait_for_url("**/analytics/?*")

    page.set_viewport_size({"width": 1920, "height": 1080})
    width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert width > 1850  # full width, no cap


@pytest.fixture
def surge_week(network):
    """Five weekdays. A calm station (no surge) takes a third of its sessions at 18:00; station
    A has a surge 18:00-21:00 and 7 sessions a day, one at 18:00: 35/3 = 11.67 expected in
    its windows, 5 happened."""
    TariffFactory(operator=network.op_a)
    SurgeFactory(operator=network.op_a, stations=[network.station_a], amount=D("2"))
    calm = StationFactory(operator=network.op_a, code="a-calm", name="Calm station")
    ConnectorFactory(charger=ChargerFactory(station=calm, code="a-calm-01"))
    a, b = Ledger(network.station_a), Ledger(calm)
    for i in range(5):
        day = DAY + dt.timedelta(days=i)
        for hour in (10, 12, 18):
            b.plain(start=at(day, hour))
        for hour in (9, 10, 11, 12, 13, 14, 18):
            a.plain(start=at(day, hour), surge="2" if hour == 18 else "0")
    run_incremental()


def test_one_precision_rule_on_the_surge_page(page, live_server, network, surge_week):
    week = "date_from=2025-03-03&date_to=2025-03-07"
    log_in(page, live_server, network.analyst_a.username, "/analytics/surge/")
    page.goto(f"{live_server.url}/analytics/surge/?{week}")
    row = page.locator("#table-stations tr", has_text=network.station_a.name)
    in_table = row.locator("td[data-key=change]").inner_text()
    expected = row.locator("td[data-key=expected]").inner_text()
    compared = row.locator("td[data-key=compared_sessions]").inner_text()
    assert re.fullmatch(r"\d+", expected) and re.fullmatch(r"\d+", compared)  # whole
    shifted = row.locator("td[data-key=shifted]").inner_text()
    assert re.fullmatch(r"\u2212?\d+", shifted)
    from_shown = (D(compared) / D(expected) - 1) * 100
    assert in_table == formatting.percent(from_shown, signed=True)  # from the shown figures
    row.locator("a").first.click()  # the station's own page
    page.wait_for_url(f"**station={network.station_a.pk}*")
    assert text(page, "#fig-change") == in_table  # the station's own page agrees
    assert (text(page, "#fig-expected"), text(page, "#fig-compared")) == (expected, compared)
    assert re.fullmatch(r"\u2212?\d+", text(page, "#fig-shifted"))
