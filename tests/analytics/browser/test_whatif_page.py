"""The what-if run page in a real browser: the progress bar follows the run (polled by
static/analytics/whatif.js, no inline script), and when the run ends the page shows its
result and draws its charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from tests.analytics.browser.conftest import log_in
from tests.analytics.conftest import DAY, at
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_run_page_follows_the_run_and_draws_the_result(page, live_server, network, ledger_a):
    TariffFactory(operator=network.op_a)
    offer = OfferFactory(operator=network.op_a, code="a-evening", percent=Decimal("20"))
    for day in range(3):
        ledger_a.plain(start=at(DAY + dt.timedelta(days=day), 18), energy="12")
    run, _ = new_run(
        offer, user=network.analyst_a, date_from=DAY, date_to=DAY + dt.timedelta(days=2)
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))  # a script that failed
    log_in(page, live_server, network.analyst_a.username,
           f"/admin/analytics/whatifrun/{run.pk}/change/")  # fmt: skip
    assert page.locator("#whatif-progress").get_attribute("value") == "0"
    execute(run.pk)
    page.wait_for_selector("table.whatif-summary", timeout=20_000)  # reloaded when done
    assert page.locator("#whatif-progress").get_attribute("value") == "100"
    page.wait_for_function("() => window.cpoCharts && window.cpoCharts['whatif-days']")
    points = page.evaluate("window.cpoCharts['whatif-days'].data.labels.length")
    assert points == 3
    assert "a cheaper price might have brought more sessions" in page.content().lower()
    assert errors == []


AXES = """(id) => {
    const chart = window.cpoCharts[id];
    return {
        labels: chart.data.labels,
        titles: Object.fromEntries(Object.entries(chart.scales).map(
            ([axis, scale]) => [axis, scale.options.title.display
                ? [].concat(scale.options.title.text).join(' ') : ''])),
        ticks: chart.scales.y.ticks.map(t => chart.scales.y.getLabelForValue(t.value)),
    };
}"""


def test_the_result_charts_title_every_axis_and_list_only_stations_with_a_value(
    page, live_server, network, ledger_a
):
    """A run of an offer at one station of five: the per-station chart has that station's
    bars alone, and every axis of both charts is titled with what it measures and its unit,
    at laptop and phone width."""
    from tests.analytics.conftest import Ledger
    from tests.browser import screenshots_dir
    from tests.factories import ChargerFactory, ConnectorFactory, StationFactory

    TariffFactory(operator=network.op_a)
    offer = OfferFactory(operator=network.op_a, code="a-one-station", percent=Decimal("20"))
    offer.stations.set([network.station_a])
    ledgers = [ledger_a]
    for n in range(4):
        station = StationFactory(operator=network.op_a, code=f"a-other-{n}")
        ConnectorFactory(charger=ChargerFactory(station=station, code=f"a-other-{n}-c1"))
        ledgers.append(Ledger(station))
    for ledger in ledgers:
        for d in range(2):
            ledger.plain(start=at(DAY + dt.timedelta(days=d), 18), energy="12")
    run, _ = new_run(
        offer, user=network.analyst_a, date_from=DAY, date_to=DAY + dt.timedelta(days=1)
    )
    execute(run.pk)
    log_in(page, live_server, network.analyst_a.username,
           f"/admin/analytics/whatifrun/{run.pk}/change/")  # fmt: skip
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        page.wait_for_function("() => window.cpoCharts && window.cpoCharts['whatif-stations']")
        stations = page.evaluate(AXES, "whatif-stations")
        assert stations["labels"] == [network.station_a.code]  # not the four unchanged ones
        assert stations["ticks"] == [network.station_a.code]
        assert stations["titles"]["y"] == "Station"
        assert "net revenue change (₹)" in stations["titles"]["x"]
        days = page.evaluate(AXES, "whatif-days")
        assert days["titles"]["x"] == "Day"
        assert "Discount, surge change" in days["titles"]["y"] and "₹" in days["titles"]["y"]
        assert days["titles"]["y1"] == "Net revenue change (₹ a day)"
        page.locator("section.charts").screenshot(path=folder / f"whatif-charts-{width}.png")
