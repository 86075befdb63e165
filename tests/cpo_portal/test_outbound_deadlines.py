"""The outbound transport against peers that misbehave (cpo_portal.outbound.transport): a
peer that drips its answer is cut at the call's deadline (threads and gevent alike), a
redirect is returned, not followed, the body read is capped, and a failure's reason never
quotes the peer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from urllib3.exceptions import NewConnectionError

from cpo_portal.outbound import transport
from tests.support.drip import drips
from tests.support.local_http import post, servers

serve = pytest.fixture(servers, name="serve")


# -- the deadline, redirects, the size cap, the reasons ------------------------------------


# 36 bytes of headers and 20 of body: 17 s at 0.3 s a byte, never 5 s without a byte.
HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n"
BODY = b"x" * 20


drip = pytest.fixture(drips, name="drip")


@pytest.mark.parametrize("cut", ["headers", "body"])
def test_a_dripping_peer_is_cut_at_the_deadline(drip, cut):
    """One byte every 0.3 s never trips the 5 s read timeout; the 1 s deadline ends the
    call, in the headers or in the body, and the peer never sends the rest."""
    server = drip(b"", HEAD + BODY) if cut == "headers" else drip(HEAD, BODY)
    with pytest.raises(transport.DeadlineExceeded) as failed:
        post(server.url, b"{}", {}, allow_private=True, deadline=1.0)
    assert transport.reason(failed.value) == "deadline: no complete answer within 1 s"
    assert server.taken() < len(server.dripped)


def test_a_body_without_a_length_cut_at_the_deadline_is_no_answer(drip):
    """A body that ends when the connection does: the watchdog's shutdown looks like its
    end to the reader, and the call still fails rather than return a cut body."""
    server = drip(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", BODY)
    with pytest.raises(transport.DeadlineExceeded):
        post(server.url, b"{}", {}, allow_private=True, deadline=1.0)


GEVENT_CALL = """
from gevent import monkey

monkey.patch_all()
import json, sys
from cpo_portal.outbound import transport

try:
    transport.request("GET", sys.argv[1], allow_private=True, deadline=1.0,
                      connect_timeout=2.0, read_timeout=5.0, max_bytes=1024)
    print(json.dumps("answered"))
except transport.FAILURES as exc:
    print(json.dumps(transport.reason(exc)))
"""


def test_the_deadline_cuts_a_dripping_peer_under_gevent(drip):
    """gunicorn's gevent workers: the watchdog is a greenlet and still shuts the socket."""
    server = drip(b"", HEAD + BODY)
    root = str(Path(__file__).resolve().parents[2])
    ran = subprocess.run(
        [sys.executable, "-c", GEVENT_CALL, server.url],
        capture_output=True, text=True, timeout=60, cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.splitlines()[-1]) == "deadline: no complete answer within 1 s"
    assert server.taken() < len(server.dripped)


def test_a_redirect_is_returned_not_followed(serve, drip):
    (target,) = serve("127.0.0.1")
    moved = drip(
        b"HTTP/1.1 307 Temporary Redirect\r\n"
        + f"Location: http://127.0.0.1:{target.port}/x\r\n".encode()
        + b"Content-Length: 0\r\n\r\n"
    )
    answer = post(moved.url, b"{}", {}, allow_private=True)
    assert (answer.status, answer.headers["Location"]) == (307, f"http://127.0.0.1:{target.port}/x")
    assert target.requests == []


def test_the_body_read_is_capped(drip):
    big = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"y" * 100_000)
    answer = post(big.url, b"{}", {}, allow_private=True, max_bytes=1000)
    assert (answer.status, len(answer.body), answer.complete) == (200, 1000, False)
    small = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    answer = post(small.url, b"{}", {}, allow_private=True, max_bytes=1000)
    assert (answer.body, answer.complete) == (b"abc", True)


SECRET = b"ami-id=SECRET-FROM-METADATA"


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 " + SECRET + b"\r\n\r\n",  # a status line that is not one
        SECRET + b"\r\n\r\n",  # no HTTP at all
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + SECRET + b"\r\n",
    ],
)
def test_a_failures_reason_never_quotes_the_peer(drip, answer):
    """urllib3's own message quotes a bad status line (what a read-back SSRF would show);
    the reason does not."""
    server = drip(answer)
    with pytest.raises(transport.FAILURES) as failed:
        post(server.url, b"{}", {}, allow_private=True)
    assert "SECRET" not in transport.reason(failed.value)
    assert transport.reason(failed.value) == "the connection broke or the answer was not HTTP"


def test_a_refused_connection_is_named_by_its_errno():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NewConnectionError) as failed:
        post(f"http://127.0.0.1:{port}/x", b"{}", {}, allow_private=True)
    assert transport.reason(failed.value) == "cannot connect: ECONNREFUSED (Connection refused)"
