"""The registry: local first; a remote Beckn registry /lookup, cached, when configured."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest

from beckn.protocol.signing import generate_keypair
from beckn.services import registry
from beckn.simulator.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db


def _records(subscriber_id: str, public: str) -> list[dict]:
    if subscriber_id != "remote-bap.example":
        return []
    return [{
        "subscriber_id": "remote-bap.example", "ukId": "rk1", "type": "BAP",
        "subscriber_url": "https://remote-bap.example/beckn",
        "signing_public_key": public, "status": "SUBSCRIBED",
    }]  # fmt: skip


@dataclass
class Registry(LoopbackServer):
    public: str = ""
    seen: list[dict] = field(default_factory=list)

    def answer(self, path: str, raw: bytes, headers: dict[str, str]) -> Reply:
        query = json.loads(raw)
        self.seen.append(query)
        return Reply(200, _records(query.get("subscriber_id"), self.public))


@pytest.fixture
def remote(bpp, settings):
    _, public = generate_keypair()
    server = Registry(public=public).start()
    settings.BECKN_REGISTRY_URL = server.url
    yield public, server.seen
    server.stop()


def test_remote_lookup_is_cached(remote):
    public, seen = remote
    assert registry.find("remote-bap.example", "rk1").public_key == public
    assert registry.find("remote-bap.example", "rk1").public_key == public
    assert registry.callback_url("remote-bap.example") == "https://remote-bap.example/beckn"
    assert seen[0] == {"subscriber_id": "remote-bap.example", "ukId": "rk1", "unique_key_id": "rk1"}
    assert len([q for q in seen if q.get("ukId") == "rk1"]) == 1


def test_unknown_remote_is_cached_as_unknown(remote):
    _, seen = remote
    assert registry.find("nobody.example", "k") is None
    assert registry.find("nobody.example", "k") is None
    assert len(seen) == 1


def test_registry_down_is_not_found(bpp, settings):
    settings.BECKN_REGISTRY_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    assert registry.find("remote-bap.example", "rk1") is None


@pytest.fixture
def dripping_registry():
    """A registry that answers a valid record a byte every 50 ms (about 13 s in all)."""
    _, public = generate_keypair()
    payload = json.dumps(_records("remote-bap.example", public)).encode()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
            conn.sendall(head)
            for byte in payload:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return  # the client gave up: the deadline
                time.sleep(0.05)

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_registry_that_drips_its_answer_is_cut_at_the_lookup_deadline(
    bpp, settings, dripping_registry
):
    """The lookup's timeout is one deadline for the whole call, not a read timeout that
    every byte restarts: a lookup never holds a request's worker past it."""
    settings.BECKN_REGISTRY_URL = dripping_registry
    settings.BECKN_REGISTRY_TIMEOUT = 0.5
    assert registry.find("remote-bap.example", "rk1") is None


def test_local_rows_win(bap, remote):
    _, seen = remote
    assert registry.find(bap.subscriber_id, bap.key_id).public_key == bap.public
    assert seen == []


def test_local_rows_are_remembered_until_a_row_changes(bap, settings, django_assert_num_queries):
    from beckn.models import Subscriber

    settings.BECKN_REGISTRY_LOCAL_CACHE_SECONDS = 30
    settings.BECKN_REGISTRY_CHECK_MS = 60_000  # no version check due during this test
    registry.forget()
    assert registry.find(bap.subscriber_id, bap.key_id).public_key == bap.public
    with django_assert_num_queries(0):
        assert registry.find(bap.subscriber_id, bap.key_id).public_key == bap.public
    row = Subscriber.objects.get()
    row.status = "SUSPENDED"
    row.save()  # the writing process forgets its memo at once
    assert registry.find(bap.subscriber_id, bap.key_id) is None
    registry.forget()
