"""`manage.py check_hosts`: one line per multi-host mistake of this host's settings, and
the settings other hosts report on /healthz compared with this host's."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from cpo_portal.deploy import health, hosts

SHARED = {
    "CELERY_BROKER_URL": "redis://10.0.0.5:6379/0",
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://10.0.0.5:6379/1",
        }
    },
    "CELERY_TASK_ALWAYS_EAGER": False,
    "SESSION_ENGINE": "django.contrib.sessions.backends.db",
}


def check(*args: str) -> tuple[list[str], bool]:
    out = io.StringIO()
    try:
        call_command("check_hosts", *args, stdout=out)
        failed = False
    except CommandError:
        failed = True
    return out.getvalue().splitlines(), failed


POSTGRES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "HOST": "10.0.0.4", "NAME": "cpo"}
}


@pytest.fixture
def good(monkeypatch, settings):
    """Settings fit for several hosts, whatever database the suite itself runs on (the
    check reads DATABASES; the test database's own connection is left alone)."""
    monkeypatch.setenv("SECRET_KEY", "a-key-every-host-shares-" + "k" * 30)
    monkeypatch.setattr(hosts.settings, "DATABASES", POSTGRES, raising=False)
    for name, value in SHARED.items():
        setattr(settings, name, value)
    return settings


def test_a_deployment_fit_for_several_hosts_has_no_problem(good):
    lines, failed = check()
    assert not failed and lines == ["No multi-host problems (0 other host(s) compared)."]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"CELERY_BROKER_URL": "filesystem://"}, "broker: filesystem:// keeps tasks on this"),
        (
            {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}},
            "cache: LocMemCache is per process",
        ),
        ({"CELERY_TASK_ALWAYS_EAGER": True}, "tasks: CELERY_TASK_ALWAYS_EAGER"),
        ({"CELERY_TASK_ACKS_LATE": False}, "tasks: without CELERY_TASK_ACKS_LATE"),
        (
            {"SESSION_ENGINE": "django.contrib.sessions.backends.file"},
            "sessions: django.contrib.sessions.backends.file",
        ),
    ],
)
def test_each_mistake_is_one_line(good, change, expected):
    with override_settings(**change):
        lines, failed = check()
    assert failed and len(lines) == 1 and lines[0].startswith(expected), lines


def test_sqlite_and_a_missing_secret_are_named(good, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    sqlite = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "var/db.sqlite3"}}
    monkeypatch.setattr(hosts.settings, "DATABASES", sqlite, raising=False)
    lines, failed = check()
    assert failed
    assert [line.split(":")[0] for line in lines] == ["database", "secret key"], lines


@pytest.mark.django_db(transaction=True)
def test_another_hosts_settings_are_compared_through_its_healthz(good, live_server, monkeypatch):
    lines, failed = check("--host", live_server.url)
    assert not failed, lines
    assert lines == ["No multi-host problems (1 other host(s) compared)."]

    def another_secret() -> dict[str, str]:  # what a host started with another key reports
        with override_settings(SECRET_KEY="not-the-same-key-" + "x" * 40):
            return hosts.fingerprint()

    monkeypatch.setattr(health, "fingerprint", another_secret)
    lines, failed = check("--host", live_server.url)
    assert failed and lines == [f"{live_server.url}: secret key differs from this host's"]


def test_a_host_that_does_not_answer_is_a_problem(good):
    lines, failed = check("--host", "http://127.0.0.1:9", "--timeout", "1")
    assert failed and lines[0].startswith("http://127.0.0.1:9: no answer from /healthz")


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "-1", "0", "1e400", "0.5", "61"])
def test_a_timeout_that_is_no_number_of_seconds_is_refused_in_one_line(good, timeout):
    """`--timeout` was any float: inf (or 1e400) ended in an OverflowError's traceback from
    the socket, and nan, 0 or a negative number asked no host at all while reporting it as
    silent. It takes whole seconds from 1 to 60, refused in one line before any host is
    asked."""
    with pytest.raises(CommandError) as refused:
        call_command("check_hosts", "--host", "http://127.0.0.1:9", f"--timeout={timeout}")
    assert str(refused.value) == (
        "Error: argument --timeout: takes a whole number of seconds from 1 to 60"
    )
