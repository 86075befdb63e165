"""The protocol pool's deployment: gunicorn gevent workers sharing a database connection
pool (gunicorn.conf.py, docs/operations.md) on the protocol pool's settings
(cpo_portal/settings/protocol_pool.py), serving signed Beckn requests for real."""

from __future__ import annotations

import http.client
import json
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from beckn.models import InboundMessage
from tests.beckn.bap import BPP_ID, Bap, order
from tests.security.helpers import production_env, start_gunicorn
from tests.support.procs import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

POOL_SIZE = 3
REQUESTS = 30
APP_NAME = "gevent-pool-test"


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    # Named, so that only the server's connections are counted (not other tests' threads).
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}?application_name={APP_NAME}"


@pytest.fixture
def gevent_server(tmp_path, request):
    """gunicorn with one gevent worker on the protocol pool, as deployed; an indirect
    parameter adds settings to its environment."""
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's (DATABASE_POOL_SIZE)")
    port = free_port()
    env = production_env(
        tmp_path,
        DATABASE_URL=_database_url(),
        DJANGO_SETTINGS_MODULE="cpo_portal.settings.protocol_pool",
        GUNICORN_WORKER_CLASS="gevent",
        WEB_CONCURRENCY="1",
        DATABASE_POOL_SIZE=str(POOL_SIZE),
        BECKN_SUBSCRIBER_ID=BPP_ID,
        BECKN_ADMIT_WITHOUT_WORKERS="1",  # no worker runs: the ACKs are what is measured
        LOG_LEVEL="INFO",
        **getattr(request, "param", {}),
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    process = start_gunicorn(env, port, log)
    yield port, Path(log.name)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def _request(port: int, method: str, path: str, raw: bytes | None = None, **headers: str):
    """One request on a connection of its own (a greenlet of its own on the server): its
    status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers["X-Forwarded-Proto"] = "https"  # BEHIND_TLS, as deployed
        conn.request(method, path, body=raw, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _post(port: int, bap: Bap, raw: bytes) -> tuple[int, dict]:
    status, _, body = _request(
        port,
        "POST",
        "/beckn/select",
        raw,
        **{"Content-Type": "application/json", "Authorization": bap.sign(raw)},
    )
    return status, json.loads(body)


def _server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s",
            [APP_NAME],
        )
        return cursor.fetchone()[0]


def test_gevent_workers_ack_concurrent_requests_through_a_bounded_pool(gevent_server):
    port, log = gevent_server
    bap = Bap()
    bap.register()
    bodies = [
        json.dumps(bap.body("select", {"order": order("cpo1", "charger-1")})).encode()
        for _ in range(REQUESTS)
    ]
    _post(port, bap, bodies[0])  # the worker imports the project on its first request

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        answers = list(pool.map(lambda raw: _post(port, bap, raw), bodies[1:]))

    assert answers == [(200, {"message": {"ack": {"status": "ACK"}}})] * (REQUESTS - 1)
    assert InboundMessage.objects.filter(bap_id=bap.subscriber_id).count() == REQUESTS
    # 30 client connections were 30 greenlets; their database work went through the pool.
    assert 1 <= _server_connections() <= POOL_SIZE

    again = _post(port, bap, bodies[5])  # a retry, on a new connection: answered, not redone
    assert again == (200, {"message": {"ack": {"status": "ACK"}}})
    assert InboundMessage.objects.filter(bap_id=bap.subscriber_id).count() == REQUESTS
    logged = log.read_text()
    assert "Using worker: gevent" in logged
    assert "POST /beckn/select" not in logged  # the protocol pool writes no line per request


def test_the_pool_answers_the_protocol_without_cookies_and_serves_no_staff_page(gevent_server):
    port, _ = gevent_server
    bap = Bap()
    bap.register()
    raw = json.dumps(bap.body("select", {"order": order("cpo1", "charger-1")})).encode()
    status, headers, body = _request(
        port, "POST", "/beckn/select", raw, Authorization=bap.sign(raw),
        **{"Content-Type": "application/json"},
    )  # fmt: skip
    assert (status, json.loads(body)) == (200, {"message": {"ack": {"status": "ACK"}}})
    assert headers.get("Set-Cookie") is None
    assert "Cookie" not in (headers.get("Vary") or "")
    assert headers["Strict-Transport-Security"].startswith("max-age=")  # BEHIND_TLS
    assert _request(port, "GET", "/healthz")[0] == 200
    for path in ("/admin/login/", "/analytics/", "/api/docs/"):
        assert _request(port, "GET", path)[0] == 404, path


@pytest.mark.parametrize(
    "gevent_server",
    [{}, {"BECKN_REGISTRY_CHECK_MS": "0"}],
    ids=["insert first", "registry check first"],
    indirect=True,
)
def test_a_database_restart_costs_the_pool_no_nack(gevent_server):
    """The pool checks no connection when it hands it out (a round trip per request); a
    connection that died with the database is found by the request's first query (the
    INSERT, or the registry's version check when one is due: with a check on every request
    it always comes first), the pool replaces its dead ones, and the query goes again:
    every request after the restart is ACKed."""
    port, _ = gevent_server
    bap = Bap()
    bap.register()

    def body() -> bytes:
        return json.dumps(bap.body("select", {"order": order("cpo1", "charger-1")})).encode()

    assert _post(port, bap, body())[0] == 200  # the worker imports the project
    with ThreadPoolExecutor(max_workers=POOL_SIZE * 2) as pool:  # fill the pool
        list(pool.map(lambda raw: _post(port, bap, raw), [body() for _ in range(POOL_SIZE * 4)]))
    assert _server_connections() >= 1
    with connection.cursor() as cursor:  # what a restart does to the server's connections
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [APP_NAME],
        )
        assert cursor.fetchone()[0] >= 1

    answers = [_post(port, bap, body()) for _ in range(POOL_SIZE + 2)]
    assert answers == [(200, {"message": {"ack": {"status": "ACK"}}})] * (POOL_SIZE + 2)
