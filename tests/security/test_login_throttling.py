"""Login throttling (django-axes): per username and client address, with a cool-off."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from cpo_portal.web.client_ip import client_ip

pytestmark = pytest.mark.django_db
GOOD = "pw-for-tests-only"  # tests/factories.py


def attempt(client, username: str, password: str, ip: str = "203.0.113.7", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        **headers,
    )


def fail_until_locked(client, username: str, ip: str = "203.0.113.7"):
    for number in range(1, settings.AXES_FAILURE_LIMIT):
        response = attempt(client, username, "wrong", ip)
        assert response.status_code == 200, number  # the form again, with its error
        assert "Please enter the correct username and password" in response.content.decode()
    return attempt(client, username, "wrong", ip)


def test_defaults_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_the_nth_failure_locks_and_even_the_right_password_is_refused(client, network):
    locked = fail_until_locked(client, network.admin_a.username)
    assert locked.status_code == 429
    right = attempt(client, network.admin_a.username, GOOD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username=network.admin_a.username).failures_since_start == 6


def test_lockout_page_says_why_for_how_long_and_what_to_do(client, network):
    page = fail_until_locked(client, network.admin_a.username)
    assert page.status_code == 429
    assert page["Retry-After"] == "900"
    html = page.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "Try again in 15 minutes, or ask an administrator to unlock it." in html
    assert "After 5 failed attempts" in html
    assert "CPO offers portal" in html  # the admin's own frame, not a bare text page
    assert "Content-Security-Policy" in page.headers


def test_api_clients_get_json(client, network):
    page = fail_until_locked(client, network.admin_a.username)
    again = attempt(client, network.admin_a.username, "wrong", HTTP_ACCEPT="application/json")
    assert page.status_code == again.status_code == 429
    assert again.json()["detail"].startswith("Too many failed sign-in attempts")


def test_lock_is_per_username_and_address(client, network):
    assert fail_until_locked(client, network.admin_a.username).status_code == 429
    # Same user from elsewhere, and another user from the same address, still sign in.
    assert attempt(client, network.admin_a.username, GOOD, ip="198.51.100.1").status_code == 302
    client.logout()
    assert attempt(client, network.pricing_a.username, GOOD).status_code == 302


def test_good_login_after_the_cool_off(client, network):
    assert fail_until_locked(client, network.admin_a.username).status_code == 429
    cooled = dt.timedelta(minutes=15, seconds=1)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - cooled)
    response = attempt(client, network.admin_a.username, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_axes_reset_unlocks(client, network):
    assert fail_until_locked(client, network.admin_a.username).status_code == 429
    call_command("axes_reset")
    assert attempt(client, network.admin_a.username, GOOD).status_code == 302


def test_axes_reset_username_unlocks_only_that_user(client, network):
    assert fail_until_locked(client, network.admin_a.username).status_code == 429
    assert fail_until_locked(client, network.pricing_a.username).status_code == 429
    call_command("axes_reset_username", network.admin_a.username)
    assert attempt(client, network.admin_a.username, GOOD).status_code == 302
    client.logout()
    assert attempt(client, network.pricing_a.username, GOOD).status_code == 429


def test_success_clears_earlier_failures(client, network):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, network.admin_a.username, "wrong")
    assert attempt(client, network.admin_a.username, GOOD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, network.admin_a.username, "wrong").status_code == 200
    assert attempt(client, network.admin_a.username, GOOD).status_code == 302


def test_behind_a_proxy_each_client_has_its_own_bucket(client, network, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user, proxy = network.admin_a.username, "10.0.0.2"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user, "wrong", ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    other = attempt(client, user, GOOD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy trusted: the socket address
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own entry is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.2"),  # fewer hops than proxies: not trusted
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
