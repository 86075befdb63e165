"""The protocol pool's settings (cpo_portal/settings/protocol_pool.py): the Beckn endpoints
answered exactly as on the default pool (signature, schema, rate limit, admission, the
stored row), through the security middleware only (no session, CSRF, auth, messages or
axes), and no staff page served."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client

from beckn.models import InboundMessage, Subscriber
from beckn.protocol import errors
from cpo_portal.settings import protocol_pool
from tests.beckn import bap as msgs
from tests.security.helpers import ROOT, production_env, run
from tests.support import soak

pytestmark = pytest.mark.django_db

ACK = {"message": {"ack": {"status": "ACK"}}}
PROTOCOL_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


@pytest.fixture
def pool(settings):
    """A test client served as the protocol pool is: its middleware and URLs."""
    settings.MIDDLEWARE = protocol_pool.MIDDLEWARE
    settings.ROOT_URLCONF = protocol_pool.ROOT_URLCONF
    return Client()  # loads the middleware above on its first request


def assert_no_browser_state(response) -> None:
    """Nothing of the session, CSRF or auth middleware touched the request or its answer."""
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "user")
    assert "CSRF_COOKIE" not in request.META


def test_the_pool_runs_only_the_security_middleware():
    assert protocol_pool.MIDDLEWARE == PROTOCOL_MIDDLEWARE
    # everything else is the project's own settings
    assert protocol_pool.INSTALLED_APPS == django_settings.INSTALLED_APPS
    assert protocol_pool.CELERY_BROKER_URL == django_settings.CELERY_BROKER_URL
    assert protocol_pool.REQUEST_BODY_MAX_BYTES == django_settings.REQUEST_BODY_MAX_BYTES


def test_a_signed_select_is_acked_and_stored_as_on_the_default_pool(
    pool, client, bap, select_body, no_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bap.post(pool, "select", select_body)
    assert (response.status_code, response.json()) == (200, ACK)
    stored = InboundMessage.objects.get(message_id=select_body["context"]["message_id"])
    assert stored.action == "select"
    assert no_queue["process"] == [stored.pk]
    assert_no_browser_state(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"

    other = bap.body("select", select_body["message"])
    assert bap.post(client, "select", other).json() == ACK  # the default pool's, the same


def test_a_forged_signature_and_a_schema_error_are_nacked_as_on_the_default_pool(
    pool, client, bap, select_body, no_queue
):
    raw = json.dumps(select_body).encode()
    broken = json.dumps(bap.body("select", {"order": {"items": "not a list"}})).encode()
    answers = {}
    for name, served in (("protocol pool", pool), ("default pool", client)):
        forged = served.post(
            "/beckn/select",
            data=raw,
            content_type="application/json",
            HTTP_AUTHORIZATION=bap.sign(raw + b" "),  # signed over other bytes
        )
        invalid = bap.post(served, "select", None, raw=broken)
        answers[name] = [
            (r.status_code, r.json(), r.get("WWW-Authenticate")) for r in (forged, invalid)
        ]
        if served is pool:
            assert_no_browser_state(forged)
    (forged, invalid) = answers["protocol pool"]
    assert forged[0] == 401
    assert forged[1]["error"]["code"] == errors.INVALID_SIGNATURE.code
    assert forged[2].startswith("Signature realm=")
    assert invalid[0] == 400
    assert invalid[1]["error"]["code"] == errors.INVALID_REQUEST.code
    assert "$.message.order" in invalid[1]["error"]["paths"]
    assert answers["protocol pool"] == answers["default pool"]
    assert InboundMessage.objects.count() == 0


def test_the_rate_limit_applies(pool, bap, no_queue, one_minute):
    Subscriber.objects.update(rate_limit=2)
    answers = [
        bap.post(pool, "select", bap.body("select", msgs.select("cpo-a.example", "a-charger-01")))
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1]["Retry-After"] == "30"
    assert InboundMessage.objects.count() == 2


def test_admission_refuses_what_no_worker_can_answer(pool, settings, bap, select_body, no_queue):
    settings.BECKN_ADMIT_WITHOUT_WORKERS = False  # no worker heartbeat in this test
    response = bap.post(pool, "select", select_body)
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert "temporarily unable" in response.json()["error"]["message"]
    assert InboundMessage.objects.count() == 0


@pytest.mark.parametrize(
    "path", ["/", "/admin/", "/admin/login/", "/analytics/", "/api/docs/", "/api/schema/"]
)
def test_staff_pages_and_the_api_are_not_served(pool, path):
    assert pool.get(path).status_code == 404


def test_the_health_check_and_unknown_beckn_paths_are_answered(pool):
    health = pool.get("/healthz")
    assert health.status_code == 200
    assert health.json()["database"] == "ok"
    unknown = pool.post("/beckn/search/x", data=b"{}", content_type="application/json")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == errors.ACTION_NOT_APPLICABLE.code


CHECK = (
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "from django.core.management import call_command\n"
    "call_command('check', deploy=True, fail_level='WARNING')\n"
    "print('MIDDLEWARE', ','.join(settings.MIDDLEWARE))\n"
    "print('URLCONF', settings.ROOT_URLCONF)\n"
)


def test_the_deployed_settings_module_loads_clean_under_the_deploy_check(tmp_path):
    """What gunicorn loads with DJANGO_SETTINGS_MODULE=cpo_portal.settings.protocol_pool,
    under production's environment: the check silences only what asks for the middleware
    of what this pool does not serve."""
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="cpo_portal.settings.protocol_pool")
    done = run(["-c", CHECK], env)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (5 silenced)." in done.stdout
    assert f"MIDDLEWARE {','.join(PROTOCOL_MIDDLEWARE)}" in done.stdout
    assert "URLCONF cpo_portal.protocol_urls" in done.stdout


def test_make_run_serves_the_beckn_endpoints_from_the_protocol_settings_on_port_plus_100():
    """honcho (`make run`) gives each Procfile line its port; BAPs are given PORT + 100
    (Makefile, tests/support/soak.py): that is the process on the protocol pool's settings."""
    from honcho.environ import expand_processes, parse_procfile

    procfile = parse_procfile((ROOT / "Procfile").read_text())
    ports = {p.env["PORT"]: p.cmd for p in expand_processes(procfile.processes, port=8000)}
    assert ports["8100"].startswith("DJANGO_SETTINGS_MODULE=cpo_portal.settings.protocol_pool ")
    assert "runserver 127.0.0.1:$PORT" in ports["8100"]
    assert "DJANGO_SETTINGS_MODULE" not in ports["8000"]  # the pages: the default settings
    assert f"$(PORT) + {soak.PROTOCOL_OFFSET}" in (ROOT / "Makefile").read_text()
