"""Browser tests of the portal's staff pages: the same Chromium and log-in as the
dashboards' (tests/analytics/browser/conftest.py), and screenshots at laptop and phone
width written to the screenshots folder (tests/browser.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analytics.services.rollup import run_incremental
from tests.analytics.browser.conftest import log_in, page
from tests.analytics.conftest import DAY, Ledger, at
from tests.browser import CHROMIUM, screenshots_dir
from tests.offers.conftest import deg_tariff
from tests.offers.factories import OfferFactory

WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


@pytest.fixture
def month(network):
    """Operator A's DEG tariff and an evening offer settled on three days from DAY, beside a
    plain session each day, rolled up: the ROI dashboard and a what-if have figures. The
    offer."""
    deg_tariff(network.op_a)
    offer = OfferFactory(operator=network.op_a, code="a-evening", title="Evening 20% off")
    ledger = Ledger(network.station_a)
    for day in range(3):
        start = at(DAY + dt.timedelta(days=day), 18)
        ledger.row("settled", offer, start=start, discount="12")
        ledger.plain(start=at(DAY + dt.timedelta(days=day), 19), energy="12")
    run_incremental()
    return offer


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits its width)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


# Three animation frames: a resize observer runs in the first after the new layout, and a
# chart redraws its canvas in the frame after that (Chart.js throttles its resize to one).
SETTLED = """() => new Promise(done => {
  let frames = 3;
  const tick = () => (--frames ? requestAnimationFrame(tick) : done());
  requestAnimationFrame(tick);
})"""


def resized(page, size: dict[str, int]) -> None:
    """The viewport at `size`, and the page laid out again for it, its charts included
    (a fixed wait raced them on a loaded machine: a chart still at the last width made
    the page scroll sideways)."""
    page.set_viewport_size(size)
    page.evaluate(SETTLED)


def shoot(page, name: str) -> dict[str, int]:
    """Screenshots of the current page at 1366 and 390 px; the sideways scroll at each."""
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    overflow = {}
    for label, size in WIDTHS.items():
        resized(page, size)
        overflow[label] = sideways_scroll(page)
        page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)
    return overflow


__all__ = ["log_in", "page", "resized", "shoot", "sideways_scroll"]
