"""The ACK path stores a new message once, answers a retry from the unique key, and a
connection that died since the last request costs a reconnect, not a NACK."""

from __future__ import annotations

import json

import pytest
from django.db import close_old_connections, connection

from beckn.models import InboundMessage, InboundState

pytestmark = pytest.mark.django_db


@pytest.fixture
def memo(bpp):
    """The registry memo on, as deployed (the tests' default turns it off)."""
    bpp.BECKN_REGISTRY_LOCAL_CACHE_SECONDS = 30
    # Its version check, one SELECT per process at most every BECKN_REGISTRY_CHECK_MS, is
    # pinned in test_registry_propagation; here it must not fall between two requests.
    bpp.BECKN_REGISTRY_CHECK_MS = 60_000
    # Deployed, the per-BAP backlog is counted in Redis, not in the database (the tests'
    # memory cache counts it with queries): test_backlog.py covers both.
    bpp.BECKN_MAX_PENDING_PER_BAP = 0
    from beckn.services import registry

    registry.forget()
    yield
    registry.forget()


def test_a_new_message_is_stored_received(client, bap, select_body, no_queue, memo):
    response = bap.post(client, "select", select_body)
    assert response.status_code == 200, response.content
    stored = InboundMessage.objects.get(message_id=select_body["context"]["message_id"])
    assert (stored.state, stored.attempts, stored.error, stored.processed_at) == (
        InboundState.RECEIVED, 0, "", None,
    )  # fmt: skip
    assert stored.body["context"]["bap_id"] == bap.subscriber_id


def test_a_retry_is_acked_and_stored_once(client, bap, select_body, no_queue, memo):
    raw = json.dumps(select_body).encode()
    assert bap.post(client, "select", None, raw=raw).status_code == 200
    again = bap.post(client, "select", None, raw=raw)
    assert again.json() == {"message": {"ack": {"status": "ACK"}}}
    assert InboundMessage.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_dead_since_the_last_request_costs_a_retry_not_a_nack(
    client, bap, select_body, no_queue, memo
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CONN_HEALTH_CHECKS)")
    warm = bap.body("select", select_body["message"])
    assert bap.post(client, "select", warm).status_code == 200  # opens the connection
    connection.connection.close()  # as if the database restarted between two requests
    close_old_connections()  # a new request (Django's request_started does it)
    response = bap.post(client, "select", select_body)
    assert response.status_code == 200, response.content
    assert InboundMessage.objects.filter(message_id=select_body["context"]["message_id"]).exists()
