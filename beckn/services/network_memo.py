"""The chargers Beckn orders name, memoised per process: select, init and confirm find
their charger (with its station, operator and connectors) without a query of their own.

The memo holds what one lookup by (provider id, item id) found and is trusted only while
the network stamp it was filled under is current (cpo_portal NetworkVersion: renewed in
the writer's transaction by every save or delete of an operator, station, charger or
connector, statuses included), so every lookup costs one primary-key read of the stamp
and sees a change exactly when the change is committed. Only lookups that found a
charger are kept, and at most MAX_ENTRIES of them.
"""

from __future__ import annotations

import threading
import uuid

from cpo_portal.models import Charger, NetworkVersion

MAX_ENTRIES = 10_000


class _Memo:
    def __init__(self) -> None:
        self.stamp: uuid.UUID | None = None
        self.found: dict[tuple[str, str], tuple[Charger, ...]] = {}
        self.lock = threading.Lock()


_memo = _Memo()


def chargers(provider_id: str, item_id: str) -> list[Charger]:
    """Up to two chargers coded `item_id` of the operator coded `provider_id`, each with
    its station, operator and connectors loaded. Shared with other lookups of this
    process: read them, never change them."""
    stamp = NetworkVersion.current()  # read BEFORE the rows it guards
    key = (provider_id, item_id)
    with _memo.lock:
        if _memo.stamp != stamp:
            _memo.stamp, _memo.found = stamp, {}
        found = _memo.found.get(key)
    if found is not None:
        return list(found)
    rows = (
        Charger.objects.select_related("station", "operator")
        .prefetch_related("connectors")
        .filter(code=item_id, operator__code=provider_id)
    )
    found = tuple(rows[:2])
    if found:
        with _memo.lock:
            if _memo.stamp == stamp:
                if len(_memo.found) >= MAX_ENTRIES:
                    _memo.found.clear()
                _memo.found[key] = found
    return list(found)


def forget() -> None:
    """Empty this process's memo (tests)."""
    with _memo.lock:
        _memo.stamp, _memo.found = None, {}
