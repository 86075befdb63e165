"""The address roaming partners are given: `make run` gives its own port, and
`check --deploy` names a production OCPI_PUBLIC_URL that partners could not use."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]


def warnings_about_the_url() -> list[str]:
    found = run_checks(include_deployment_checks=True)
    return [w.msg for w in found if w.id == "roaming.W001"]


@pytest.mark.parametrize(
    ("url", "hosts", "expected"),
    [
        ("http://127.0.0.1:8000/ocpi", ["127.0.0.1"], "is not a public https:// address"),
        ("https://localhost/ocpi", ["localhost"], "is not a public https:// address"),
        ("http://cpo.example.com/ocpi", ["cpo.example.com"], "is not a public https://"),
        ("https://10.1.2.3/ocpi", ["10.1.2.3"], "is not a public https:// address"),
        ("https://cpo.example.com/ocpi", ["portal.example.com"], "not in ALLOWED_HOSTS"),
    ],
)
def test_a_url_partners_cannot_use_is_named_by_the_deploy_check(settings, url, hosts, expected):
    settings.OCPI_PUBLIC_URL, settings.ALLOWED_HOSTS = url, hosts
    messages = warnings_about_the_url()
    assert len(messages) == 1 and expected in messages[0], messages
    assert f"partners are given {url}/versions" in messages[0]


@pytest.mark.parametrize("hosts", [["cpo.example.com"], [".example.com"]])
def test_a_public_https_url_this_server_answers_passes(settings, hosts):
    settings.OCPI_PUBLIC_URL, settings.ALLOWED_HOSTS = "https://cpo.example.com/ocpi", hosts
    assert warnings_about_the_url() == []


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_gives_partners_its_own_port():
    shown = subprocess.run(
        ["make", "-s", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "OCPI_PUBLIC_URL:-http://127.0.0.1:8123/ocpi" in shown
