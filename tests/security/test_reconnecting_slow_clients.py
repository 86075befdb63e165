"""Slow clients that reconnect as soon as they are cut, against gunicorn as deployed
(gunicorn.conf.py, production settings, the default gthread worker), reached directly.

Each attacker sends its request a byte at a time and, once the server closes the
connection (at its header or body deadline), opens another at once, so the deadlines
alone never free the server: more attackers than threads would keep every thread busy.
Meanwhile /healthz is probed again and again, and every probe must be answered, quickly:
the headers of a connection are awaited without a thread (cpo_portal/web_workers.py), and
a probe has a thread of its own.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.security.helpers import free_port, production_env, start_gunicorn, stop_gunicorn
from tests.security.test_slow_bodies import healthz

DEADLINE = 4  # REQUEST_HEADER_TIMEOUT and REQUEST_BODY_TIMEOUT for this server, seconds
THREADS = 2
ATTACKERS = 12  # six times the threads
BYTE_EVERY = 0.1  # seconds between an attacker's bytes
PROBES = 10
PROBE_EVERY = 0.5
# A probe queued behind the attackers waits for a thread until they are cut, up to a
# deadline; with a thread of its own it is answered at once.
PROBE_WAIT = DEADLINE / 2

SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 1000
SLOW_BODY = (
    b"POST /beckn/search HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{" + b" " * 99_000
)
ATTACKS = {
    # name: (what is sent up to the slow part, the slow part)
    "headers": (b"", SLOW_HEAD),
    "bodies": (SLOW_BODY[: SLOW_BODY.index(b"{")], SLOW_BODY[SLOW_BODY.index(b"{") :]),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("reconnecting")
    env = production_env(
        tmp_path,
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS=str(THREADS),
        REQUEST_HEADER_TIMEOUT=str(DEADLINE),
        REQUEST_BODY_TIMEOUT=str(DEADLINE),
        GUNICORN_MAX_REQUESTS="0",
    )
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    process = start_gunicorn(env, port, log)
    for _ in range(2):  # the worker imports the project before the attackers arrive
        assert healthz(port, timeout=60) == 200
    yield port
    stop_gunicorn(process)
    log.close()


class Reconnecting(threading.Thread):
    """Sends `fast` at once, then `slow` one byte every BYTE_EVERY seconds; when the
    server closes the connection, opens another at once; until `stop` is set."""

    def __init__(self, port: int, fast: bytes, slow: bytes, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.fast, self.slow, self.stop = port, fast, slow, stop
        self.connections = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    self.connections += 1
                    sock.sendall(self.fast)
                    self.trickle(sock)
            except OSError:
                pass  # cut: reconnect at once

    def trickle(self, sock: socket.socket) -> None:
        for byte in self.slow:
            if self.stop.wait(BYTE_EVERY):
                return
            sock.sendall(bytes([byte]))
            sock.setblocking(False)
            try:
                sock.recv(4096)  # an answer (408) or the close: the server is done with it
                return
            except BlockingIOError:
                pass  # nothing yet
            finally:
                sock.setblocking(True)


@pytest.mark.integration
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_reconnecting_slow_clients_leave_healthz_answering(server, attack):
    port = server
    stop = threading.Event()
    fast, slow = ATTACKS[attack]
    attackers = [Reconnecting(port, fast, slow, stop) for _ in range(ATTACKERS)]
    for attacker in attackers:
        attacker.start()
    late = []
    try:
        time.sleep(DEADLINE)  # the attackers hold the server, and are about to be cut
        for number in range(PROBES):
            started = time.monotonic()
            try:
                assert healthz(port, timeout=PROBE_WAIT) == 200
            except OSError as error:  # a timeout, or the connection closed unanswered
                late.append(f"probe {number}: {type(error).__name__} {error}")
            time.sleep(max(0.0, PROBE_EVERY - (time.monotonic() - started)))
    finally:
        stop.set()
        for attacker in attackers:
            attacker.join(5)
    assert late == [], f"{len(late)} of {PROBES} probes unanswered within {PROBE_WAIT} s"
    # The attack was real: every attacker was cut at a deadline and came back.
    assert all(attacker.connections >= 2 for attacker in attackers), [
        attacker.connections for attacker in attackers
    ]
