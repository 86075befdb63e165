"""on_search costs a fixed number of SQL queries however many chargers, stations and offers
the search circle holds (the real pricing and offers services, no fake)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beckn.models import InboundMessage, Outbox
from offers.services.catalog import forget_catalog
from pricing.services import clear_cache
from tests.beckn import bap as msgs
from tests.beckn.search_world import grow
from tests.support.beckn import answer_one

pytestmark = pytest.mark.django_db


def search(bap, client, capture_on_commit) -> tuple[int, dict]:
    """(queries processing one search cost, its on_search body)."""
    body = bap.body("search", msgs.search())
    with capture_on_commit(execute=True):
        assert bap.post(client, "search", body).status_code == 200
    inbound = InboundMessage.objects.get(message_id=body["context"]["message_id"])
    with CaptureQueriesContext(connection) as queries, capture_on_commit(execute=True):
        assert answer_one() == inbound.pk  # what a worker runs
    row = Outbox.objects.filter(inbound=inbound).order_by("part").first()
    reply = json.loads(row.payload)
    assert "error" not in reply, reply["error"]
    return len(queries.captured_queries), reply


def items(reply) -> int:
    return sum(len(p["items"]) for p in reply["message"]["catalog"]["providers"])


def test_on_search_queries_do_not_grow_with_the_catalog(
    search_world, bap, client, no_queue, our_key, settings, django_capture_on_commit_callbacks
):
    # The stamps last read are trusted for BECKN_REGISTRY_CHECK_MS: a read falling due
    # inside one counted search and not the other (a slow machine) is not the catalog's
    # growth. The renewals made here (grow) still make the next search read them.
    settings.BECKN_REGISTRY_CHECK_MS = 60_000
    go = lambda: search(bap, client, django_capture_on_commit_callbacks)  # noqa: E731

    go()  # warm the price books and the offer catalog
    small, small_reply = go()
    clear_cache(), forget_catalog()
    small_cold, _ = go()

    grow(search_world, stations=6, chargers=4, offers=12)
    go()
    big, big_reply = go()
    clear_cache(), forget_catalog()
    big_cold, _ = go()

    assert items(small_reply) == 2 and items(big_reply) == 2 + 6 * 4  # the growth is seen
    placed = [o for p in big_reply["message"]["catalog"]["providers"] for o in p.get("offers", [])]
    assert len(placed) == 1 + 12
    assert big <= small, f"warm: {small} queries for 2 chargers, {big} for 26"
    assert big_cold <= small_cold, f"cold: {small_cold} queries for 2 chargers, {big_cold} for 26"
