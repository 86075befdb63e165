"""REST: raise and clear grid-stress signals; pricing editors of the operator only."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pricing.models import GridSignal
from tests.pricing.factories import SignalFactory

pytestmark = pytest.mark.django_db
RAISE = "/pricing/api/grid-signals/"


def clear_url(signal) -> str:
    return f"/pricing/api/grid-signals/{signal.pk}/clear/"


@pytest.fixture
def api():
    return APIClient()


def test_pricing_manager_raises_and_clears_with_a_token(api, network):
    token = Token.objects.create(user=network.pricing_a)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        RAISE,
        {"operator": "cpo-a.example", "region_code": "DL", "note": "DISCOM peak alert"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["operator"], body["region_code"], body["active"]) == ("cpo-a.example", "DL", True)
    assert body["raised_by"] == network.pricing_a.username and body["cleared_at"] is None
    signal = GridSignal.objects.get(pk=body["id"])
    response = api.post(clear_url(signal))
    assert response.status_code == 200 and response.json()["active"] is False
    signal.refresh_from_db()
    first = signal.cleared_at
    assert api.post(clear_url(signal)).status_code == 200  # idempotent
    signal.refresh_from_db()
    assert signal.cleared_at == first


def test_raise_for_a_station_by_code(api, network):
    api.force_authenticate(network.admin_a)
    response = api.post(RAISE, {"operator": "cpo-a.example", "station": "a-station"}, format="json")
    assert response.status_code == 201 and response.json()["station"] == "a-station"
    response = api.post(RAISE, {"operator": "cpo-a.example", "station": "b-station"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"station": "No station 'b-station' at cpo-a.example."}


def test_session_auth_works_too(client, network):
    client.force_login(network.pricing_a)
    response = client.post(RAISE, {"operator": "cpo-a.example"}, content_type="application/json")
    assert response.status_code == 201


def test_analysts_and_anonymous_may_not(api, network):
    assert api.post(RAISE, {"operator": "cpo-a.example"}, format="json").status_code in (401, 403)
    api.force_authenticate(network.analyst_a)
    assert api.post(RAISE, {"operator": "cpo-a.example"}, format="json").status_code == 403
    signal = SignalFactory(operator=network.op_a)
    assert api.post(clear_url(signal)).status_code == 403
    assert api.get(RAISE).status_code == 403
    assert not GridSignal.objects.exclude(pk=signal.pk).exists()


def test_other_operators_signals_are_out_of_reach(api, network):
    theirs = SignalFactory(operator=network.op_b)
    api.force_authenticate(network.pricing_a)
    response = api.post(RAISE, {"operator": "cpo-b.example"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not raise signals for 'cpo-b.example'."}
    assert api.post(clear_url(theirs)).status_code == 404
    assert api.get(f"/pricing/api/grid-signals/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.cleared_at is None


def test_list_shows_own_signals_and_filters_active(api, network):
    from django.utils import timezone

    live = SignalFactory(operator=network.op_a, note="live")
    SignalFactory(operator=network.op_a, note="done", cleared_at=timezone.now())
    SignalFactory(operator=network.op_b, note="theirs")
    api.force_authenticate(network.pricing_a)
    notes = {row["note"] for row in api.get(RAISE).json()["results"]}
    assert notes == {"live", "done"}
    rows = api.get(RAISE, {"active": "1"}).json()["results"]
    assert [row["id"] for row in rows] == [live.pk]


def test_bad_payload_is_a_400(api, network):
    api.force_authenticate(network.pricing_a)
    response = api.post(RAISE, {"note": "x"}, format="json")
    assert response.status_code == 400 and "operator" in response.json()


def test_a_region_is_one_of_the_operators_stations_whatever_its_case(api, network):
    """ "dl" is their stations' "DL" (it was kept as "dl" and stressed no station), and a
    region none of their stations is in is a 400 naming theirs."""
    api.force_authenticate(network.pricing_a)
    regions = sorted({s.region_code for s in network.op_a.stations.all()})
    asked = regions[0].lower()
    response = api.post(RAISE, {"operator": "cpo-a.example", "region_code": asked}, format="json")
    assert response.status_code == 201 and response.json()["region_code"] == regions[0]
    response = api.post(RAISE, {"operator": "cpo-a.example", "region_code": "ZZZZ"}, format="json")
    assert response.status_code == 400
    assert f"their regions: {', '.join(regions)}" in str(response.json())
    assert GridSignal.objects.count() == 1
