"""Production static files (WhiteNoise, hashed and compressed) and gunicorn serving the app."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.security.helpers import django_json, production_env, run, start_gunicorn
from tests.support.procs import free_port


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> dict[str, str]:
    """A production environment whose static files have been collected, as a deploy does."""
    env = production_env(tmp_path_factory.mktemp("deploy"))
    done = run(["manage.py", "collectstatic", "--noinput"], env, timeout=300)
    assert done.returncode == 0, done.stderr
    return env


def test_collectstatic_writes_a_manifest_with_hashed_compressed_files(deployment):
    root = Path(deployment["STATIC_ROOT"])
    paths = json.loads((root / "staticfiles.json").read_text())["paths"]
    for name in ("admin/css/base.css", "cpo_portal/js/periodic_task_form.js"):
        hashed = paths[name]
        assert hashed != name
        assert (root / hashed).is_file()
        assert (root / (hashed + ".gz")).is_file()


def test_whitenoise_serves_hashed_files_forever_cacheable(deployment):
    code = """
from django.test import Client
client = Client(HTTP_HOST="cpo.example.com")
login = client.get("/admin/login/", secure=True).content.decode()
href = login.split('rel="stylesheet" href="')[1].split('"')[0]
asset = client.get(href, secure=True)
result = {"href": href, "status": asset.status_code, "cache": asset.headers["Cache-Control"],
          "missing": client.get("/static/admin/css/nope.css", secure=True).status_code}
"""
    got = django_json(code, deployment)
    assert got["href"].startswith("/static/admin/css/base.") and got["href"].endswith(".css")
    assert got["href"] != "/static/admin/css/base.css"
    assert got["status"] == 200
    assert got["cache"] == "max-age=315360000, public, immutable"
    assert got["missing"] == 404


def fetch(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        # Generous: a worker's first request imports the whole project, slow on a busy CI box.
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def gunicorn(deployment, tmp_path):
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    process = start_gunicorn({**deployment, "WEB_CONCURRENCY": "2"}, port, log)
    base = f"http://127.0.0.1:{port}"
    yield base, Path(log.name)
    os.kill(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


@pytest.mark.integration
def test_gunicorn_serves_the_app_with_its_config(gunicorn, deployment):
    base, log = gunicorn
    status, headers, body = fetch(f"{base}/healthz")  # plain HTTP from the load balancer
    assert status == 200, body
    health = json.loads(body)
    assert {k: health[k] for k in ("status", "database", "broker")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }
    assert set(health["settings"]) >= {"secret_key", "database", "broker"}  # fingerprints only
    assert deployment["SECRET_KEY"].encode() not in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]

    status, headers, _ = fetch(f"{base}/admin/login/", Host="cpo.example.com")
    assert status == 301
    assert headers["Location"] == "https://cpo.example.com/admin/login/"

    status, headers, body = fetch(
        f"{base}/admin/login/", Host="cpo.example.com", **{"X-Forwarded-Proto": "https"}
    )
    assert status == 200
    assert headers["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "__Host-csrftoken=" in headers["Set-Cookie"]
    href = body.decode().split('rel="stylesheet" href="')[1].split('"')[0]
    status, headers, _ = fetch(f"{base}{href}", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "immutable" in headers["Cache-Control"]

    status, _, _ = fetch(f"{base}/healthz", Host="evil.example.com")
    assert status == 400  # ALLOWED_HOSTS

    time.sleep(0.5)
    access_log = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in access_log
    assert "Booting worker" in access_log
