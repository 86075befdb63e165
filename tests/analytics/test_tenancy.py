"""Staff of one operator never see another's figures: every page, every export and every
API endpoint, for every role, and forged ids are refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from analytics.services.rollup import run_incremental
from cpo_portal.models import StaffMembership
from tests.analytics.conftest import DAY, at, make_offer

pytestmark = pytest.mark.django_db
RANGE = "date_from=2025-03-01&date_to=2025-03-05"
ROLES = ("admin", "pricing", "analyst")


@pytest.fixture
def two_operators(network, ledger_a, ledger_b):
    offers = {}
    for key, ledger, op in (("a", ledger_a, network.op_a), ("b", ledger_b, network.op_b)):
        offer = make_offer(op, f"offer-of-{key}", holdout="20" if key == "a" else None)
        ledger.row("redeemed", offer, start=at(DAY, 18), discount="11", surge="1")
        ledger.row("settled", offer, start=at(DAY, 18), discount="11", surge="1")
        ledger.plain(start=at(DAY, 9), gross="100")
        offers[key] = offer
    run_incremental()
    return offers


def pages(offers, key):
    offer = offers[key].pk
    out = [
        f"/analytics/?{RANGE}",
        f"/analytics/surge/?{RANGE}",
        f"/analytics/offers/{offer}/?{RANGE}",
    ]
    out += [f"/analytics/?{RANGE}&export={t}" for t in ("offers", "stations", "series")]
    out += [
        f"/analytics/surge/?{RANGE}&export={t}"
        for t in ("summary", "stations", "profile", "series")
    ]
    out += [
        f"/analytics/offers/{offer}/?{RANGE}&export={t}" for t in ("series", "stations", "bands")
    ]
    out.append(f"/analytics/offers/{offer}/?{RANGE}&export={'arms' if key == 'a' else 'baseline'}")
    return out


API = [
    "/api/analytics/daily-rollups/",
    "/api/analytics/hourly-rollups/",
    f"/api/analytics/series/?{RANGE}",
    f"/api/analytics/offer-roi/?{RANGE}",
    f"/api/analytics/surge-impact/?{RANGE}",
]


def markers(network, key):
    return (f"Station of {key.upper()}", f"offer-of-{key}", f">{key}-station<")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_every_page_and_export_shows_only_own_operator(client, network, two_operators, role, key):
    other = "b" if key == "a" else "a"
    client.force_login(getattr(network, f"{role}_{key}"))
    for url in pages(two_operators, key):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for marker in markers(network, other):
            assert marker not in body, (url, marker)
    roi_page = client.get(f"/analytics/?{RANGE}").content.decode()
    assert f"offer-of-{key}" in roi_page and f"Station of {key.upper()}" in roi_page


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_every_api_endpoint_shows_only_own_operator(network, two_operators, role, key):
    other = "b" if key == "a" else "a"
    api = APIClient()
    user = getattr(network, f"{role}_{key}")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    own = getattr(network, f"op_{key}")
    for url in API:
        response = api.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert f"cpo-{other}.example" not in body and f"offer-of-{other}" not in body, url
    rows = api.get("/api/analytics/daily-rollups/").json()["results"]
    assert rows and {(r["operator"], r["operator_code"]) for r in rows} == {(own.pk, own.code)}


def test_forged_operator_offer_and_station_ids_are_refused(client, network, two_operators):
    client.force_login(network.analyst_a)
    forged = [
        f"/analytics/?{RANGE}&operator={network.op_b.pk}",
        f"/analytics/?{RANGE}&offer={two_operators['b'].pk}",
        f"/analytics/?{RANGE}&station={network.station_b.pk}",
        f"/analytics/surge/?{RANGE}&station={network.station_b.pk}",
        f"/analytics/?{RANGE}&operator={network.op_b.pk}&export=offers",
    ]
    for url in forged:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "offer-of-b" not in response.content.decode()
    assert client.get(f"/analytics/offers/{two_operators['b'].pk}/").status_code == 404
    assert client.get(f"/analytics/?{RANGE}&export=nope").status_code == 404

    api = APIClient()
    api.force_authenticate(network.analyst_a)
    for url in (
        f"/api/analytics/daily-rollups/?operator={network.op_b.pk}",
        f"/api/analytics/daily-rollups/?offer={two_operators['b'].pk}",
        f"/api/analytics/hourly-rollups/?station={network.station_b.pk}",
        f"/api/analytics/series/?operator={network.op_b.pk}",
        f"/api/analytics/offer-roi/?operator={network.op_b.pk}",
        f"/api/analytics/surge-impact/?operator={network.op_b.pk}",
        f"/api/analytics/surge-impact/?station={network.station_b.pk}",
    ):
        assert api.get(url).status_code == 400, url
    b_row = api.get("/api/analytics/daily-rollups/").json()["results"][0]["id"]
    api.force_authenticate(network.analyst_b)
    assert api.get(f"/api/analytics/daily-rollups/{b_row}/").status_code == 404


def test_strangers_and_anonymous_users_see_nothing(client, network, two_operators):
    stranger = get_user_model().objects.create_user("stranger", password="x", is_staff=True)
    client.force_login(stranger)
    assert client.get("/analytics/").status_code == 403
    assert client.get("/analytics/surge/").status_code == 403
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get("/api/analytics/daily-rollups/").json()["results"] == []
    assert api.get("/api/analytics/offer-roi/").status_code == 400
    assert api.get("/api/analytics/surge-impact/").status_code == 400

    client.logout()
    response = client.get("/analytics/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert APIClient().get("/api/analytics/daily-rollups/").status_code in (401, 403)


def test_a_user_of_two_operators_picks_one(client, network, two_operators):
    StaffMembership.objects.create(user=network.analyst_a, operator=network.op_b, role="analyst")
    client.force_login(network.analyst_a)
    page = client.get(f"/analytics/?{RANGE}").content.decode()
    assert 'name="operator"' in page and "<select" in page
    chosen = client.get(f"/analytics/?{RANGE}&operator={network.op_b.pk}").content.decode()
    assert "offer-of-b" in chosen and "offer-of-a" not in chosen


def test_an_offer_or_station_of_another_of_ones_operators_is_refused_by_the_api(
    network, two_operators
):
    """A user of two operators asking about one with the other's offer or station gets a
    400 that says so (as the dashboards refuse it), not an empty answer."""
    StaffMembership.objects.create(user=network.analyst_a, operator=network.op_b, role="analyst")
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    b = f"{RANGE}&operator={network.op_b.pk}"
    for url, field in (
        (f"/api/analytics/offer-roi/?{b}&offer={two_operators['a'].pk}", "offer"),
        (f"/api/analytics/offer-roi/?{b}&station={network.station_a.pk}", "station"),
        (f"/api/analytics/surge-impact/?{b}&station={network.station_a.pk}", "station"),
        (f"/api/analytics/series/?{b}&offer={two_operators['a'].pk}", "offer"),
        (f"/api/analytics/series/?{b}&station={network.station_a.pk}", "station"),
        (f"/api/analytics/daily-rollups/?{b}&offer={two_operators['a'].pk}", "offer"),
        (f"/api/analytics/daily-rollups/?{b}&station={network.station_a.pk}", "station"),
        (f"/api/analytics/hourly-rollups/?{b}&station={network.station_a.pk}", "station"),
        (f"/api/analytics/channel-rollups/?{b}&station={network.station_a.pk}", "station"),
        (
            f"/api/analytics/daily-rollups/?offer={two_operators['b'].pk}"
            f"&station={network.station_a.pk}",
            "station",
        ),
    ):
        response = api.get(url)
        assert response.status_code == 400, url
        assert response.json() == {field: [f"That {field} belongs to another operator."]}
    own = api.get(f"/api/analytics/offer-roi/?{b}&offer={two_operators['b'].pk}")
    assert [row["offer_code"] for row in own.json()] == ["offer-of-b"]
    own = api.get(f"/api/analytics/daily-rollups/?{b}&offer={two_operators['b'].pk}")
    assert {row["offer_code"] for row in own.json()["results"]} == {"offer-of-b"}


def test_superusers_may_look_at_any_operator(client, network, two_operators):
    client.force_login(network.superuser)
    for key in ("a", "b"):
        op = getattr(network, f"op_{key}")
        page = client.get(f"/analytics/?{RANGE}&operator={op.pk}").content.decode()
        assert f"offer-of-{key}" in page
