"""Each role's main journey in a real browser (Debian's Chromium through Playwright): from
sign-in to the staff home and on to the role's tools. Any console error, uncaught script
error or CSP violation (Chromium reports those as console errors) fails the test; every
page visited is saved as a screenshot (tests/browser.py: screenshots_dir)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pricing.models import SurgeRule, Tariff
from tests.browser import screenshots_dir
from tests.offers.factories import OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory


class Journey:
    def __init__(self, page, live_server, role: str) -> None:
        self.page, self.base, self.role = page, live_server.url, role
        self.errors: list[str] = []
        self.shots = 0
        page.on(
            "console",
            lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))

    def shot(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        self.shots += 1
        folder = screenshots_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{self.role}-{self.shots:02d}-{name}.png"))

    def sign_in(self, username: str) -> None:
        self.page.goto(self.base + "/")  # the site's root leads to sign-in, then home
        self.shot("sign-in")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(self.base + reverse("admin:index"))
        self.shot("home")

    def follow(self, selector: str, name: str) -> None:
        self.page.click(selector)
        self.page.wait_for_load_state("load")
        self.shot(name)

    def actions(self) -> list[str]:
        return self.page.eval_on_selector_all(
            ".staff-nav a, .home-actions a", "links => links.map(a => a.dataset.action)"
        )


@pytest.fixture
def world(network, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP
    op = network.op_a
    Tariff.objects.create(
        operator=op, code="standard", name="Standard", energy_rate_per_kwh=Decimal("18")
    )
    OfferFactory(operator=op, code="happy", title="Happy hour", budget=Decimal("1000"))
    SurgeRule.objects.create(
        operator=op, code="evening", kind="peak", name="Evening peak", note="Peak fee",
        form="percent", amount=Decimal("20"),
    )  # fmt: skip
    OfferFactory(operator=network.op_b, code="b-only", title="Operator B offer")
    return network


@pytest.fixture
def journey(chromium, live_server):
    contexts = []

    def start(role: str) -> Journey:
        context = chromium.new_context(viewport={"width": 1366, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return Journey(page, live_server, role)

    yield start
    for context in contexts:
        context.close()


def test_pricing_manager_previews_a_price_and_opens_a_new_offer(world, journey):
    trip = journey("pricing-manager")
    trip.sign_in(world.pricing_a.username)
    assert "Operator A today" in trip.page.inner_text("#content")
    assert "Operator B" not in trip.page.content()
    assert {"preview", "new-offer", "new-surge", "week", "roi", "surge"} <= set(trip.actions())
    trip.follow(".staff-nav a[data-action=preview]", "preview")
    assert trip.page.url == trip.base + reverse("admin:offers_offer_simulate")
    assert trip.page.is_visible("#content form")
    trip.follow(".staff-nav a >> text=Home", "home-again")
    trip.follow(".home-actions a[data-action=new-offer]", "new-offer")
    assert trip.page.is_visible("#offer_form")
    assert trip.errors == []


def test_analyst_reads_the_dashboards_and_sees_no_write_action(world, journey):
    trip = journey("analyst")
    trip.sign_in(world.analyst_a.username)
    assert set(trip.actions()).isdisjoint({"new-offer", "new-surge"})
    trip.follow(".staff-nav a[data-action=roi]", "roi")
    assert trip.page.url.startswith(trip.base + reverse("analytics:roi"))
    trip.follow("header nav a >> text=Surge impact", "surge-impact")
    assert trip.page.url.startswith(trip.base + reverse("analytics:surge"))
    trip.follow("header nav a >> text=Home", "home-again")
    assert trip.page.url == trip.base + reverse("admin:index")
    # The API docs and the browsable API, under the same CSP.
    trip.page.click(".staff-nav a >> text=API docs")
    trip.page.wait_for_selector("[data-path='/beckn/search']")
    trip.shot("api-docs")
    trip.page.goto(trip.base + "/api/analytics/daily-rollups/")
    trip.page.click("button >> text=Filters")
    trip.page.wait_for_selector("#filtersModal", state="visible")
    trip.shot("browsable-api")
    assert trip.errors == []


def test_operator_admin_opens_a_list_from_home(world, journey):
    trip = journey("operator-admin")
    trip.sign_in(world.admin_a.username)
    trip.follow("#all-models ~ * a[href$='/cpo_portal/station/']", "stations")
    assert "Station of A" in trip.page.inner_text("#result_list")
    assert "Station of B" not in trip.page.content()
    trip.follow(".staff-nav a >> text=Week view", "week-view")
    assert trip.errors == []
