"""A search's catalog refresh tags (ONDC 1.x `catalog_full` / `catalog_inc`), checked at
intake: readable, and an incremental refresh not starting before the change record kept
(beckn.services.retention). What is wrong is said in the search's NACK."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beckn.protocol import refresh_tags
from beckn.services import retention


def refusal(body: dict[str, Any], now: datetime) -> tuple[str, str] | None:
    """(reason, path) a search is refused for, or None when its refresh tags are fine
    (or it has none)."""
    try:
        refresh = refresh_tags.read(refresh_tags.intent_of(body), now)
    except refresh_tags.RefreshError as exc:
        return str(exc), refresh_tags.PATH
    kept = retention.keep()
    start = refresh.start if refresh is not None else None
    if start is not None and kept is not None and start < now - kept:
        return (
            f"{refresh_tags.INC} start_time is before the change record kept "
            f"({kept.days} days); ask for {refresh_tags.FULL}",
            refresh_tags.PATH,
        )
    return None
