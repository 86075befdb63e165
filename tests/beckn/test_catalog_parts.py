"""The compact catalog (each offer defined once, items refer to it) and a big catalog sent
as several on_search callbacks that beckn_bap puts back together (real pricing and offers
services: stations, chargers and offers of every scope)."""

from __future__ import annotations

import io
import json

import pytest

from beckn.models import InboundMessage, Outbox
from beckn.protocol.schema import validate_message
from beckn.protocol.tags import find_group
from beckn.simulator.journey import Journey
from beckn.simulator.receiver import Received
from beckn.wire.catalog_parts import assemble, part_of
from tests.beckn import bap as msgs
from tests.beckn.search_world import grow
from tests.support.beckn import answer

pytestmark = pytest.mark.django_db


def search(bap, client, capture_on_commit) -> list[dict]:
    """Every on_search callback one search produced, in the order they were written."""
    body = bap.body("search", msgs.search())
    with capture_on_commit(execute=True):
        assert bap.post(client, "search", body).status_code == 200
    inbound = InboundMessage.objects.get(message_id=body["context"]["message_id"])
    with capture_on_commit(execute=True):
        answer(inbound.pk)
    rows = Outbox.objects.filter(inbound=inbound).order_by("pk")
    return [json.loads(row.payload) for row in rows]


def providers(message: dict) -> list[dict]:
    return message["catalog"]["providers"]


@pytest.fixture
def grown(search_world):
    grow(search_world, stations=6, chargers=4, offers=12)
    return search_world


def test_each_offer_is_defined_once_and_items_refer_to_it(
    grown, bap, client, no_queue, our_key, django_capture_on_commit_callbacks
):
    (reply,) = search(bap, client, django_capture_on_commit_callbacks)
    assert validate_message("on_search", reply) == []
    for provider in providers(reply["message"]):
        defined = [o["id"] for o in provider.get("offers", [])]
        assert len(defined) == len(set(defined))  # once each
        codes = {i["id"] for i in provider["items"]}
        for offer in provider.get("offers", []):
            assert set(offer.get("item_ids", [])) <= codes
        for item in provider["items"]:
            assert find_group(item.get("tags"), "surge-notice") is None
            for ref in item.get("offers", []):
                assert set(ref) == {"id", "price"} and ref["id"] in defined
    mine = next(p for p in providers(reply["message"]) if p["id"] == grown.op_a.code)
    assert len(mine["offers"]) == 13
    scoped = [o for o in mine["offers"] if "item_ids" in o]  # the charger-scoped ones
    assert len(scoped) == 4 and all(len(o["item_ids"]) == 1 for o in scoped)
    at_one = [o for o in mine["offers"] if len(o.get("location_ids", ())) == 1]
    assert len(at_one) == 8  # the station- and charger-scoped ones
    assert sum("location_ids" not in o for o in mine["offers"]) == 5  # at every station
    noticed = [f for f in mine["fulfillments"] if find_group(f.get("tags"), "surge-notice")]
    assert len(noticed) >= 6  # the grown stations each have a surge rule of their own


def test_a_big_catalog_goes_in_parts_that_beckn_bap_assembles(
    grown, bap, client, no_queue, our_key, django_capture_on_commit_callbacks, settings
):
    (whole,) = search(bap, client, django_capture_on_commit_callbacks)
    assert part_of(whole["message"]) is None
    size = len(json.dumps(whole, separators=(",", ":"), ensure_ascii=False).encode())
    settings.BECKN_CATALOG_PART_BYTES = size // 3
    parts = search(bap, client, django_capture_on_commit_callbacks)

    assert len(parts) >= 3
    count = len(parts)
    assert [part_of(p["message"]) for p in parts] == [(n, count) for n in range(1, count + 1)]
    ids = {(p["context"]["transaction_id"], p["context"]["message_id"]) for p in parts}
    assert len(ids) == 1  # the same transaction and message
    for part in parts:
        assert validate_message("on_search", part) == []
        assert len(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode()) <= (
            size // 3
        )
        for provider in providers(part["message"]):  # self-contained
            defined = {o["id"] for o in provider.get("offers", [])}
            stations = {loc["id"] for loc in provider["locations"]}
            services = {f["id"] for f in provider["fulfillments"]}
            for item in provider["items"]:
                assert {r["id"] for r in item.get("offers", [])} <= defined
                assert set(item["location_ids"]) <= stations
                assert set(item["fulfillment_ids"]) <= services
    assert assemble([p["message"] for p in reversed(parts)]) == whole["message"]

    # beckn_bap's journey waits for every part and plays on with the whole catalog
    received = [Received("on_search", p, b"", {}, "bpp|key") for p in parts]
    receiver = type("Parts", (), {"wait_for_all": lambda self, *a, **k: received})()
    out = io.StringIO()
    journey = Journey(client=None, receiver=receiver, out=out)  # type: ignore[arg-type]
    message_id = parts[0]["context"]["message_id"]
    body = journey.whole_catalog(parts[0], message_id, len(parts), wait=1.0)
    assert body["message"] == whole["message"]
    assert f"catalog in {len(parts)} parts" in out.getvalue()
