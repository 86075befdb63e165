"""The Beckn protocol endpoints skip the browser middleware but keep the security headers."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.beckn import bap as msgs

pytestmark = pytest.mark.django_db


def test_a_beckn_ack_carries_the_security_headers(client, bap, network, no_queue):
    body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
    response = bap.post(client, "select", body)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["Content-Length"] == str(len(response.content))
    assert not response.cookies  # no session, no CSRF cookie
    assert not hasattr(response.wsgi_request, "session")  # the session middleware was skipped


def test_a_nack_on_the_lean_path_carries_them_too(client, bpp):
    response = client.post("/beckn/select", b"{}", content_type="application/json")
    assert response.status_code == 401  # unsigned
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_other_paths_under_beckn_go_through_the_whole_stack(client, bpp):
    response = client.post("/beckn/x/y", b"{}", content_type="application/json")
    assert response.status_code == 404
    assert hasattr(response.wsgi_request, "session")
    assert "script-src 'self'" in response["Content-Security-Policy"]  # the project's policy


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_still_redirected_when_tls_is_required(bpp):
    from django.test import Client

    response = Client().post("/beckn/select", b"{}", content_type="application/json")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_the_host_is_still_checked_on_the_lean_path(bpp, settings):
    from django.test import Client

    settings.ALLOWED_HOSTS = ["bpp.example.com"]
    response = Client().post("/beckn/select", b"{}", content_type="application/json")
    assert response.status_code == 400  # DisallowedHost, as on every other path
    ok = Client(HTTP_HOST="bpp.example.com").post(
        "/beckn/select", b"{}", content_type="application/json"
    )
    assert ok.status_code == 401  # reaches the view: unsigned


def test_a_drf_response_on_the_lean_path_is_rendered(bpp, settings):
    """DRF (and TemplateResponse) answers are rendered as Django's handler would."""
    from django.urls import clear_url_caches, path

    from beckn import urls
    from beckn.bench_views import bare_ack

    urls.urlpatterns.insert(0, path("_bench_lean_ack", bare_ack))
    clear_url_caches()
    try:
        from django.test import Client

        response = Client().post("/beckn/_bench_lean_ack", b"{}", content_type="application/json")
    finally:
        urls.urlpatterns.pop(0)
        clear_url_caches()
    assert response.status_code == 200
    assert response.json() == {"message": {"ack": {"status": "ACK"}}}
    assert response["Content-Length"] == str(len(response.content))
    assert not hasattr(response.wsgi_request, "session")  # it did take the lean path
