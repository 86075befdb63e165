"""tests/support/live_server.py: a live-server thread kept waiting by the outbound
transport's kept connection ends with the test, while the test's database connection is
still shared with it; one kept waiting by another client fails the test's teardown."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_started

from cpo_portal.outbound import transport
from tests.support import live_server as helper


@pytest.fixture
def served():
    """The threads that serve requests during the test, other than the test's own."""
    threads: list[threading.Thread] = []
    here = threading.current_thread()

    def note(**_):
        if threading.current_thread() is not here:
            threads.append(threading.current_thread())

    request_started.connect(note, weak=False)
    yield threads
    request_started.disconnect(note)


def get_healthz(live_server) -> transport.Response:
    return transport.request(
        "GET", f"{live_server.url}/healthz", allow_private=True, deadline=10.0,
        connect_timeout=2.0, read_timeout=5.0, max_bytes=64 * 1024,
    )  # fmt: skip


def test_a_thread_kept_by_the_transport_ends_with_the_block(live_server, served):
    with helper.request_threads_end():
        assert get_healthz(live_server).status == 200
        (thread,) = served
        thread.join(0.5)
        assert thread.is_alive()  # kept waiting on the pool's open connection
    assert not thread.is_alive()


def test_a_thread_kept_by_another_client_is_named(live_server, served, monkeypatch):
    monkeypatch.setattr(helper, "ENDS_WITHIN", 0.5)
    address = urlsplit(live_server.url)
    client = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        still_serving = pytest.raises(AssertionError, match="still serving a client's open")
        with still_serving, helper.request_threads_end():
            client.request("GET", "/healthz")
            assert client.getresponse().read()
    finally:
        client.close()
    (thread,) = served
    thread.join(10)
    assert not thread.is_alive()
