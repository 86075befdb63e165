"""The registry: local first; a remote Beckn registry /lookup, cached, when configured."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from beckn.protocol.signing import generate_keypair
from beckn.services import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote(bpp, settings):
    _, public = generate_keypair()
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(query)
            records = []
            if query.get("subscriber_id") == "remote-bap.example":
                records = [{
                    "subscriber_id": "remote-bap.example", "ukId": "rk1", "type": "BAP",
                    "subscriber_url": "https://remote-bap.example/beckn",
                    "signing_public_key": public, "status": "SUBSCRIBED",
                }]  # fmt: skip
            payload = json.dumps(records).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    settings.BECKN_REGISTRY_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield public, seen
    server.shutdown()
    server.server_close()


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
