"""Reading the BPP's Beckn answers in tests."""

from __future__ import annotations


def breakup(body: dict) -> list[tuple[str, str]]:
    """An on_select/on_init/on_confirm body's quote lines as (title, value) pairs."""
    return [(b["title"], b["price"]["value"]) for b in body["message"]["order"]["quote"]["breakup"]]
