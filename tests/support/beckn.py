"""Answering and reading the BPP's Beckn answers in tests."""

from __future__ import annotations

from beckn import processing
from beckn.models import Outbox


def answer(inbound_id: int | None = None) -> Outbox | None:
    """What a worker runs, once (processing.process_next: the waiting message whose turn
    comes first, answered); its reply's first callback (an on_search in parts has one per
    part), or None when no message waits. Given `inbound_id`, the message taken must be
    that one."""
    taken = processing.process_next()
    if taken is None:
        return None
    assert inbound_id is None or taken == inbound_id, f"took message {taken}, not {inbound_id}"
    return Outbox.objects.filter(inbound_id=taken).order_by("part", "pk").first()


def breakup(body: dict) -> list[tuple[str, str]]:
    """An on_select/on_init/on_confirm body's quote lines as (title, value) pairs."""
    return [(b["title"], b["price"]["value"]) for b in body["message"]["order"]["quote"]["breakup"]]
