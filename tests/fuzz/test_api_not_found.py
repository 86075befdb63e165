"""Found by the API fuzzer: a URL under /api/ that matches no route answered HTML."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/analytics/daily-rollups/1.3e-186/",
        "/api/analytics/nothing-here/",
        "/pricing/api/grid-signals/x.y/clear/",
    ],
)
def test_unknown_api_paths_answer_json(client, network, path):
    client.force_login(network.analyst_a)
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_keep_the_html_404(client, network):
    client.force_login(network.analyst_a)
    response = client.get("/analytics/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
