"""What bounds a request in each worker class (docs/operations.md, What bounds a request),
against gunicorn as deployed (gunicorn.conf.py, production settings).

Clients that send a request line and then one header line now and then, never the blank
line that ends the headers, are cut off at the header deadline; together with clients whose
body never comes, they do not stop /healthz from answering. Each worker class is started
with fewer threads (or connections) than there are slow clients, as when gunicorn is
reached without a buffering proxy.
"""

from __future__ import annotations

import runpy
import socket
import threading
import time

import pytest

from tests.security.helpers import (
    ROOT,
    answer,
    healthz,
    production_env,
    slow_post,
    start_gunicorn,
    stop_gunicorn,
)
from tests.support.procs import free_port

HEADER_TIMEOUT = 2  # REQUEST_HEADER_TIMEOUT (gevent: GUNICORN_KEEPALIVE) for these servers
BODY_TIMEOUT = 2
LINE_EVERY = 0.5  # seconds between the slow clients' header lines
# Generous: a few deadlines. Without a header deadline the gthread server never answers.
PROBE_WAIT = 20

WORKERS = {
    # worker class: (environment, slow-header clients, slow-body clients)
    "gthread": ({"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}, 6, 2),
    "sync": ({"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "1"}, 4, 2),
    "gevent": ({"WEB_CONCURRENCY": "1", "GUNICORN_WORKER_CONNECTIONS": "8"}, 6, 3),
}


@pytest.fixture(scope="module", params=sorted(WORKERS))
def server(request, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp(request.param)
    worker_class = request.param
    settings, headers, bodies = WORKERS[worker_class]
    env = production_env(
        tmp_path,
        GUNICORN_WORKER_CLASS=worker_class,
        REQUEST_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        GUNICORN_KEEPALIVE=str(HEADER_TIMEOUT),
        REQUEST_BODY_TIMEOUT=str(BODY_TIMEOUT),
        GUNICORN_MAX_REQUESTS="0",
        **settings,
    )
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    process = start_gunicorn(env, port, log)
    for _ in range(4):  # every worker imports the project before the slow clients arrive
        assert healthz(port, timeout=60) == 200
    yield port, headers, bodies
    stop_gunicorn(process)
    log.close()


class SlowHeaders(threading.Thread):
    """A GET whose headers never end: one more header line every LINE_EVERY seconds until
    the server closes the connection (or `stop` is set)."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=PROBE_WAIT + 10)
        self.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        self.stop = threading.Event()
        self.closed_after: float | None = None  # seconds, when the server closed it
        self.reply = b""

    @classmethod
    def started(cls, port: int, count: int) -> list[SlowHeaders]:
        clients = [cls(port) for _ in range(count)]
        for client in clients:
            client.start()
        return clients

    def run(self) -> None:
        started = time.monotonic()
        number = 0
        while not self.stop.wait(LINE_EVERY):
            number += 1
            try:
                self.sock.sendall(f"X-Slow-{number}: still coming\r\n".encode())
            except OSError:  # the server shut the connection
                break
        self.reply = answer(self.sock)  # b"" once the server has closed its side
        self.closed_after = time.monotonic() - started

    def close(self) -> None:
        self.stop.set()
        self.join(PROBE_WAIT)
        self.sock.close()


@pytest.mark.integration
def test_slow_headers_are_cut_off_and_healthz_still_answers(server):
    port, headers, _ = server
    slow = SlowHeaders.started(port, headers)
    try:
        time.sleep(0.5)  # the slow clients hold the server before the probe
        started = time.monotonic()
        assert healthz(port, timeout=PROBE_WAIT) == 200
        assert time.monotonic() - started < PROBE_WAIT
        for client in slow:  # every one is cut off, not served, long before the probe's wait
            client.join(PROBE_WAIT)
            assert client.closed_after is not None, "a slow-header client was never cut off"
            assert b"200 OK" not in client.reply
    finally:
        for client in slow:
            client.close()


@pytest.mark.integration
def test_slow_headers_and_slow_bodies_at_once_leave_healthz_answering(server):
    port, headers, bodies = server
    slow_heads = SlowHeaders.started(port, headers)
    slow_bodies = [slow_post(port) for _ in range(bodies)]
    try:
        time.sleep(0.5)
        assert healthz(port, timeout=PROBE_WAIT) == 200
        for sock in slow_bodies:
            head = answer(sock).partition(b"\r\n\r\n")[0]
            assert head.startswith(b"HTTP/1.1 408"), head
        for client in slow_heads:
            client.join(PROBE_WAIT)
            assert client.closed_after is not None
    finally:
        for client in slow_heads:
            client.close()
        for sock in slow_bodies:
            sock.close()


def test_the_header_deadline_ends_where_the_application_starts():
    """A request whose headers are in is not cut when its application runs past the header
    deadline (the WSGI wrapper ends the watch), and one that never got there is."""
    from cpo_portal.web.body_limits import WATCHDOG, BodyLimits

    served, idle = socket.socketpair(), socket.socketpair()
    try:
        now = time.monotonic()
        in_app = WATCHDOG.watch(served[0], now + HEADER_TIMEOUT)
        never = WATCHDOG.watch(idle[0], now + HEADER_TIMEOUT)

        def app(environ, start_response):
            WATCHDOG.sweep(now + 100 * HEADER_TIMEOUT)  # long past both deadlines
            start_response("200 OK", [])
            return [b"ok"]

        wrapped = BodyLimits(app, max_bytes=100, timeout=BODY_TIMEOUT, min_rate=1000)
        environ = {"gunicorn.socket": served[0], "wsgi.input": None, "CONTENT_LENGTH": ""}
        assert wrapped(environ, lambda status, headers: None) == [b"ok"]
        assert WATCHDOG.release(in_app) is False  # never cut
        assert WATCHDOG.release(never) is True
        assert idle[0].recv(1) == b""  # its read side was shut
    finally:
        for sock in (*served, *idle):
            sock.close()


def gunicorn_conf(monkeypatch, **env: str) -> dict:
    for name in (
        *("GUNICORN_BIND", "PORT", "GUNICORN_WORKER_CLASS", "GUNICORN_THREADS"),
        *("GUNICORN_TIMEOUT", "GUNICORN_KEEPALIVE", "REQUEST_HEADER_TIMEOUT"),
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_listens_on_loopback_unless_told_otherwise(monkeypatch):
    assert gunicorn_conf(monkeypatch)["bind"] == "127.0.0.1:8000"
    assert gunicorn_conf(monkeypatch, GUNICORN_BIND="10.0.0.5:8000")["bind"] == "10.0.0.5:8000"


def test_the_threaded_and_sync_workers_are_the_projects_with_a_header_deadline(monkeypatch):
    assert (
        gunicorn_conf(monkeypatch)["worker_class"] == "cpo_portal.web.gunicorn_workers.ThreadWorker"
    )
    single = gunicorn_conf(monkeypatch, GUNICORN_THREADS="1")
    assert single["worker_class"] == "cpo_portal.web.gunicorn_workers.SyncWorker"
    assert gunicorn_conf(monkeypatch, GUNICORN_WORKER_CLASS="gevent")["worker_class"] == "gevent"


def test_the_protocol_pool_writes_no_access_line_unless_told_where(monkeypatch):
    """The default pool logs every request to stdout; the protocol pool (gevent) none, its
    requests being recorded by the product and the proxy (gunicorn.conf.py)."""
    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    assert gunicorn_conf(monkeypatch)["accesslog"] == "-"
    assert gunicorn_conf(monkeypatch, GUNICORN_WORKER_CLASS="gevent")["accesslog"] is None
    told = gunicorn_conf(monkeypatch, GUNICORN_WORKER_CLASS="gevent", GUNICORN_ACCESS_LOG="-")
    assert told["accesslog"] == "-"


def test_the_protocol_pools_gevent_workers_are_recycled_fifty_times_less_often(monkeypatch):
    """A new worker pays its start again (bench/worker_boot.py): the gevent workers' many
    small requests recycle after 100,000, the threaded ones after 2,000; either can be set."""
    for name in ("GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER", "DATABASE_POOL_SIZE"):
        monkeypatch.delenv(name, raising=False)  # gevent's config sets the pool size
    threaded = gunicorn_conf(monkeypatch)
    assert (threaded["max_requests"], threaded["max_requests_jitter"]) == (2000, 200)
    protocol = gunicorn_conf(monkeypatch, GUNICORN_WORKER_CLASS="gevent")
    assert (protocol["max_requests"], protocol["max_requests_jitter"]) == (100_000, 10_000)
    never = gunicorn_conf(monkeypatch, GUNICORN_WORKER_CLASS="gevent", GUNICORN_MAX_REQUESTS="0")
    assert never["max_requests"] == 0


def test_gunicorn_conf_refuses_header_deadlines_it_cannot_keep(monkeypatch):
    with pytest.raises(
        SystemExit, match=r"REQUEST_HEADER_TIMEOUT \(20 s\) must be above 0 and at most half"
    ):
        gunicorn_conf(monkeypatch, REQUEST_HEADER_TIMEOUT="20", GUNICORN_TIMEOUT="30")
    with pytest.raises(SystemExit, match="KEEPALIVE must be above 0 with gevent"):
        gunicorn_conf(monkeypatch, GUNICORN_WORKER_CLASS="gevent", GUNICORN_KEEPALIVE="0")


def test_a_request_cut_at_its_header_deadline_gets_408_when_its_body_is_still_to_come():
    """Headers that were in when the deadline passed (the connection waited in a busy
    pool's queue) are served; a body still to come after the cut is answered 408."""
    from cpo_portal.web.body_limits import WATCHDOG, BodyLimits

    server, client = socket.socketpair()
    try:
        client.sendall(b"{")  # 1 byte of the 10 declared
        watch = WATCHDOG.watch(server, time.monotonic())
        WATCHDOG.sweep(time.monotonic() + 1)  # the header deadline passes: cut
        statuses = []
        wrapped = BodyLimits(lambda e, s: [b"ok"], max_bytes=100, timeout=60, min_rate=1000)
        environ = {
            "gunicorn.socket": server,
            "wsgi.input": server.makefile("rb"),
            "CONTENT_LENGTH": "10",
        }
        body = wrapped(environ, lambda status, headers: statuses.append(status))
        assert statuses == ["408 Request Timeout"], body
        assert WATCHDOG.release(watch) is True
    finally:
        server.close()
        client.close()
