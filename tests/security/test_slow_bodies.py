"""Slow request bodies against gunicorn as deployed (gunicorn.conf.py, production settings).

Clients that send a POST's headers and a byte of its body, then nothing, must not starve
the server: each is cut off with a 408 once its body deadline passes, and /healthz keeps
answering. Each worker class the project supports is started with fewer threads (or
connections) than there are slow clients, the situation of a server reachable without a
buffering proxy.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.security.helpers import (
    answer,
    healthz,
    production_env,
    slow_post,
    start_gunicorn,
    stop_gunicorn,
)
from tests.support.procs import free_port

BODY_TIMEOUT = 2  # REQUEST_BODY_TIMEOUT for these servers, seconds
# Generous: all slow clients are cut within a few body deadlines; without a deadline the
# gthread and gevent servers never answer, the sync one not before its 30 s worker timeout.
PROBE_WAIT = 20

WORKERS = {
    # worker class: (environment, slow clients)
    "gthread": ({"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}, 6),
    "sync": ({"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "1"}, 4),
    "gevent": ({"WEB_CONCURRENCY": "1", "GUNICORN_WORKER_CONNECTIONS": "5"}, 7),
}


@pytest.fixture(scope="module", params=sorted(WORKERS))
def server(request, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp(request.param)
    worker_class = request.param
    settings, slow_clients = WORKERS[worker_class]
    env = production_env(
        tmp_path,
        GUNICORN_WORKER_CLASS=worker_class,
        REQUEST_BODY_TIMEOUT=str(BODY_TIMEOUT),
        GUNICORN_MAX_REQUESTS="0",
        **settings,
    )
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    process = start_gunicorn(env, port, log)
    # Every worker imports the project before the slow clients arrive.
    for _ in range(4):
        assert healthz(port, timeout=60) == 200
    yield port, slow_clients
    stop_gunicorn(process)
    log.close()


@pytest.mark.integration
def test_slow_bodies_are_cut_off_and_healthz_still_answers(server):
    port, slow_clients = server
    slow = [slow_post(port) for _ in range(slow_clients)]
    try:
        time.sleep(0.5)  # the slow clients are in the server before the probe
        started = time.monotonic()
        assert healthz(port, timeout=PROBE_WAIT) == 200
        assert time.monotonic() - started < PROBE_WAIT
        for sock in slow:
            reply = answer(sock)
            head, _, body = reply.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408"), reply[:200]
            assert b"connection: close" in head.lower()
            nack = json.loads(body)  # a Beckn search's: its door's shape
            assert nack["message"]["ack"]["status"] == "NACK"
            assert "did not arrive within 2 seconds" in nack["error"]["message"]
    finally:
        for sock in slow:
            sock.close()


LIMIT = "the request body is larger than the limit of 25165824 bytes"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("path", "refusal"),
    [
        ("/admin/login/", {"detail": LIMIT}),
        # each protocol's own shape (REQUEST_BODY_REFUSALS): a NACK, the OCPI envelope
        (
            "/beckn/select",
            {"message": {"ack": {"status": "NACK"}}, "error": {"code": "30000", "message": LIMIT}},
        ),
        ("/ocpi/2.2.1/cdrs", {"status_code": 2000, "status_message": LIMIT}),
    ],
)
def test_a_body_over_the_limit_is_refused_before_it_is_read(server, path, refusal):
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=PROBE_WAIT) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n".encode()
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000000000\r\n\r\nusername="
        )
        reply = answer(sock)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), reply[:200]
    document = json.loads(body)
    document.pop("timestamp", None)  # OCPI's
    assert document == refusal
