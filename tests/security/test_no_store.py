"""Every answer to a signed-in user says `Cache-Control: private, no-store`: the dashboards
and their CSV exports, every API operation in the OpenAPI schema (session or token), and
every admin page. Answers to nobody in particular (the login page's assets, /healthz) are
not the middleware's business.
"""

from __future__ import annotations

import pytest
from django.utils.cache import get_max_age
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from analytics.services.rollup import run_incremental
from analytics.services.whatif.start import new_run
from pricing.models import GridSignal
from tests.analytics.conftest import DAY, Ledger, at, make_offer
from tests.support.admin import admin_pages

# CI: on PostgreSQL only (headers and settings: what it checks does not depend on the database)
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

RANGE = {"date_from": "2025-03-01", "date_to": "2025-03-31"}


def directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


def assert_no_store(url: str, response) -> None:
    assert {"private", "no-store"} <= directives(response), (url, response.get("Cache-Control"))
    assert "public" not in directives(response)
    assert not get_max_age(response), url


@pytest.fixture
def world(network):
    ledger_a = Ledger(network.station_a)
    offer = make_offer(network.op_a, "offer-w")
    ledger_a.row("redeemed", offer, start=at(DAY, 9), discount="10", gross="200")
    ledger_a.row("settled", offer, start=at(DAY, 9), discount="10", gross="200")
    ledger_a.plain(start=at(DAY, 18), gross="100", surge="5", energy="5")
    run_incremental()
    GridSignal.objects.create(operator=network.op_a, raised_by=network.pricing_a)
    new_run(offer, user=network.pricing_a, date_from=DAY, date_to=DAY)  # a what-if run
    return offer


def dashboard_urls(offer) -> list[str]:
    pages = ["/analytics/", "/analytics/surge/", f"/analytics/offers/{offer.pk}/"]
    exports = {"/analytics/": "offers", "/analytics/surge/": "series"}
    return [*pages, *(f"{page}?export={table}" for page, table in exports.items())]


def test_dashboards_and_their_exports(client, network, world):
    client.force_login(network.analyst_a)
    for url in dashboard_urls(world):
        response = client.get(url, RANGE)
        assert response.status_code == 200, url
        assert_no_store(url, response)


def api_get_paths(client: APIClient) -> list[str]:
    """Every GET operation of the API schema, `{id}` filled from its list's first row."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        if "{id}" in path:
            listing = client.get(path.split("{id}")[0], RANGE).json()
            path = path.replace("{id}", str(listing["results"][0]["id"]))
        paths.append(path)
    return paths


@pytest.mark.parametrize("auth", ["session", "token"])
def test_every_api_operation(network, world, auth):
    client = APIClient()
    if auth == "session":
        client.force_login(network.pricing_a)
    else:
        token = Token.objects.create(user=network.pricing_a)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    paths = api_get_paths(client)
    assert "/api/analytics/offer-roi/" in paths and "/pricing/api/grid-signals/" in paths
    assert len(paths) >= 8, paths
    for url in [*paths, "/api/schema/", "/api/docs/"]:
        response = client.get(url, RANGE)
        assert response.status_code == 200, (url, response.status_code)
        assert_no_store(url, response)
    # an error answer too (a bad filter) is kept nowhere
    assert_no_store("400", client.get("/api/analytics/offer-roi/", {"date_from": "1-1-1"}))


def test_every_admin_page(client, populated):
    client.force_login(populated.superuser)
    seen = 0
    for url in admin_pages(populated.superuser):
        response = client.get(url)
        if response.status_code == 200:
            seen += 1
            assert_no_store(url, response)
    assert seen > 60


def test_anonymous_answers_are_left_alone(client, network):
    response = client.get("/analytics/")
    assert response.status_code == 302  # to the sign-in page
    assert "no-store" not in response.get("Cache-Control", "")
