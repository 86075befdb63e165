"""The content security policy header, enforced by default, report-only by toggle."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.helpers import django_json, production_env

# CI: on PostgreSQL only (headers and settings: what it checks does not depend on the database)
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


@pytest.mark.parametrize("name", ["admin:login", "healthz"])
def test_anonymous_pages_carry_the_policy(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response.headers


def test_admin_pages_carry_the_policy(client, network):
    client.force_login(network.superuser)
    for url in (reverse("admin:index"), reverse("admin:cpo_portal_station_changelist")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response["Content-Security-Policy"]) == POLICY, url


def test_framing_is_refused_twice(client):
    response = client.get(reverse("admin:login"))
    assert response["X-Frame-Options"] == "DENY"  # for browsers without CSP level 2


def test_a_template_that_asks_for_a_nonce_gets_one_in_the_header(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    request = rf.get("/")
    response = CSPMiddleware(view)(request)
    nonce = response.content.decode().split('"')[1]
    assert directives(response["Content-Security-Policy"])["script-src"] == (
        f"'self' 'nonce-{nonce}'"
    )


@pytest.mark.parametrize(
    ("env", "enforced", "reported"),
    [
        ({}, True, False),
        ({"CSP_REPORT_ONLY": "1"}, False, True),
        ({"CSP_REPORT_ONLY": "1", "CSP_REPORT_URI": "https://csp.example.com/r"}, False, True),
    ],
)
def test_report_only_toggle_from_the_environment(tmp_path, env, enforced, reported):
    code = """
from django.test import Client
response = Client().get("/healthz", secure=True, HTTP_HOST="cpo.example.com")
result = {name: response.headers.get(name) for name in
          ("Content-Security-Policy", "Content-Security-Policy-Report-Only")}
"""
    headers = django_json(code, production_env(tmp_path, **env))
    assert (headers["Content-Security-Policy"] is not None) is enforced
    assert (headers["Content-Security-Policy-Report-Only"] is not None) is reported
    header = headers["Content-Security-Policy"] or headers["Content-Security-Policy-Report-Only"]
    expected = dict(POLICY)
    if "CSP_REPORT_URI" in env:
        expected["report-uri"] = env["CSP_REPORT_URI"]
    assert directives(header) == expected
