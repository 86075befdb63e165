"""Slow clients that reconnect as soon as they are cut, against gunicorn as deployed
(gunicorn.conf.py, production settings, the default gthread worker), reached directly.

Each attacker sends its request a byte at a time and, once the server closes the
connection (at its header or body deadline), opens another at once, so the deadlines
alone never free the server: more attackers than threads would keep every thread busy.
Meanwhile /healthz is probed again and again, and every probe must be answered, quickly:
the headers of a connection are awaited without a thread (cpo_portal/web/gunicorn_workers.py), and
a probe has a thread of its own. Around that: heads that come in pieces, kept alive,
pipelined or longer than the worker peeks at are still served; a client that closes in the
middle of its head costs the worker nothing more; only a GET of /healthz without a body
takes the probe thread.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.security.helpers import healthz, production_env, start_gunicorn, stop_gunicorn
from tests.support.procs import free_port

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
    yield port, process.pid
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
    port, _ = server
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


def responses(sock: socket.socket, count: int) -> list[bytes]:
    """The status lines of the next `count` answers on a kept-alive connection."""
    received = b""
    while received.count(b"HTTP/1.1 ") < count or not received.endswith(b"}"):
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    return re.findall(rb"HTTP/1\.1 [0-9]{3} [^\r]*", received)


@pytest.mark.integration
def test_heads_in_pieces_kept_alive_pipelined_or_long_are_still_served(server):
    port, _ = server
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=PROBE_WAIT * 5) as sock:
        for piece in (request[:5], request[5:20], request[20:]):  # a head in pieces
            sock.sendall(piece)
            time.sleep(0.2)
        assert responses(sock, 1) == [b"HTTP/1.1 200 OK"]
        sock.sendall(request)  # the next request on the kept-alive connection
        assert responses(sock, 1) == [b"HTTP/1.1 200 OK"]
        sock.sendall(request * 2)  # two at once (pipelined)
        assert responses(sock, 2) == [b"HTTP/1.1 200 OK"] * 2
        # A head longer than the worker peeks at goes to a thread as it is.
        long_head = b"".join(f"X-Long-{n}: {'x' * 8000}\r\n".encode() for n in range(6))
        sock.sendall(request[:-2] + long_head + b"\r\n")
        assert responses(sock, 1) == [b"HTTP/1.1 200 OK"]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.integration
def test_clients_gone_in_the_middle_of_a_head_cost_the_worker_no_cpu(server):
    """A half-sent head whose client has closed stays readable: the worker drops it at
    once, instead of peeking at it again and again until its deadline."""
    port, arbiter = server
    worker = int(Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()[0])
    before = cpu_seconds(worker)
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_WAIT) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127")
    time.sleep(DEADLINE)  # as long as they would have been kept
    assert healthz(port, timeout=PROBE_WAIT) == 200
    # Peeking again and again took 1.5 s of the 4 on a busy machine, dropping them 0.0 s.
    assert cpu_seconds(worker) - before < DEADLINE / 8


@pytest.mark.parametrize(
    ("head", "probe"),
    [
        (b"GET /healthz HTTP/1.1\r\nHost: a", True),
        (b"GET /healthz?full=1 HTTP/1.0\r\nHost: a\r\nUser-Agent: lb", True),
        (b"GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 5", False),  # a body to read
        (b"GET /healthz HTTP/1.1\r\nHost: a\r\ntransfer-encoding: chunked", False),
        (b"POST /healthz HTTP/1.1\r\nHost: a", False),
        (b"GET /healthzz HTTP/1.1\r\nHost: a", False),
        (b"GET /admin/?/healthz HTTP/1.1\r\nHost: a", False),
        (b"GET /healthz", False),
    ],
)
def test_only_a_bodiless_get_of_healthz_takes_the_probe_thread(head, probe):
    from cpo_portal.web.gunicorn_workers import is_health_probe

    assert is_health_probe(head) is probe


def test_the_probe_path_is_the_health_views():
    from django.urls import reverse

    from cpo_portal.web.gunicorn_workers import HEALTH_PATH

    assert reverse("healthz").encode() == HEALTH_PATH


def test_a_head_ends_at_its_first_empty_line():
    from cpo_portal.web.gunicorn_workers import head_end

    data = bytearray(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\r\n\r\n")
    assert head_end(data, len(data)) == data.index(b"\r\n\r\n") + 1
    assert head_end(data, data.index(b"\r\n\r\n") + 3) == -1  # its last byte not in yet
    assert head_end(bytearray(b"GET / HTTP/1.1\nHost: a\n\n"), 24) == 22


def test_probes_are_served_on_their_own_thread():
    import threading
    from concurrent import futures

    from cpo_portal.web.gunicorn_workers import Lanes

    probes: set[object] = set()
    lanes = Lanes(futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="req"), probes)
    try:
        busy = threading.Event()
        held = lanes.submit(busy.wait, 30)  # the only request thread, busy
        probe = object()
        probes.add(probe)
        name = lanes.submit(lambda conn: threading.current_thread().name, probe).result(30)
        assert name.startswith("healthz")
        assert probe not in probes
        busy.set()
        assert held.result(30) is True
    finally:
        lanes.shutdown()
