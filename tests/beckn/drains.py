"""What the drain tests share: a drain's slice longer than any test, selects accepted
through the real endpoint, and callbacks that always arrive (made fixtures where
they are used: `whole_drains`, autouse, and `delivered`)."""

from __future__ import annotations

from beckn import tasks
from beckn.models import InboundMessage, OutboxState
from beckn.services import delivery
from cpo_portal.outbound import courier
from tests.beckn import bap as msgs


def long_drain_slices(monkeypatch):
    """A drain's slice (tasks.DRAIN_SECONDS) that no loaded test machine outlasts: each
    test here hands its drain a few messages and asks what one drain did with them. The
    slice's own test makes it shorter."""
    monkeypatch.setattr(tasks, "DRAIN_SECONDS", 60.0)


def accept(client, network, bap, capture) -> InboundMessage:
    """A select of `bap` for charger A, accepted: its stored message."""
    body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
    with capture(execute=True):
        assert bap.post(client, "select", body).status_code == 200
    return InboundMessage.objects.get(message_id=body["context"]["message_id"])


def accept_many(count: int, client, network, bap, capture, redis_cache) -> list[InboundMessage]:
    """`count` selects accepted with the doorbell in use, the backlog limit out of the way."""
    redis_cache.BECKN_MAX_PENDING_PER_BAP = 100
    return [accept(client, network, bap, capture) for _ in range(count)]


def callbacks_always_arrive(monkeypatch):
    """Every POST of a callback answered 200, without a BAP."""
    monkeypatch.setattr(
        delivery.Courier,
        "attempt",
        lambda self, row: courier.Outcome(200, "", "", OutboxState.DELIVERED),
    )
