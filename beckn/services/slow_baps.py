"""BAPs slow to take their callbacks, and how many of their callbacks may be in flight.

The worker that answers a request sends its callbacks itself (services.delivery), so a
POST to a BAP whose endpoint takes seconds holds that worker process meanwhile. Without a
cap, a BAP sending a few selects a second to a slow endpoint holds every process, and the
other BAPs' answers wait behind it (bench/results/callbacks.md, --slow-a).

So a BAP whose callback took longer than SLOW_AFTER is remembered as slow by this process
for REMEMBER seconds, and while it is, a callback to it is sent only when fewer than
IN_FLIGHT of its callbacks are being sent by any worker (its rows `sending` under a live
lease, counted in the database); otherwise delivery puts the row back to pending for
DEFER and the worker goes on answering. A slow BAP's callbacks then go out one at a time
and may run out of ttl; every other BAP keeps the processes. A quick BAP costs nothing
here: it is never counted. The memo is per process (a process learns of a slow BAP from
its own first slow callback), so the cap is soft by at most one callback per process.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from beckn.models import Outbox, OutboxState

SLOW_AFTER = 1.0  # seconds one POST took
REMEMBER = 60.0  # seconds a BAP stays slow to this process after its last slow callback
IN_FLIGHT = 1  # a slow BAP's callbacks being sent at once, across the workers
DEFER = timedelta(seconds=1)

_slow_until: dict[str, float] = {}
_held = threading.local()  # per thread (per greenlet under gevent): seconds of slow POSTs


def note(subscriber_id: str, seconds: float) -> None:
    """One POST to `subscriber_id` took `seconds`."""
    if seconds > SLOW_AFTER:
        _slow_until[subscriber_id] = time.monotonic() + REMEMBER
        _held.seconds = held_seconds() + seconds


def held_seconds() -> float:
    """The seconds this thread has spent in POSTs slower than SLOW_AFTER, in all: what a
    caller subtracts from the time it measured (the drain meter, beckn.tasks.answer_next).
    Such a POST holds one process, and IN_FLIGHT caps how many a slow BAP holds at once;
    counted in a process's rate, it would make every answer of that process look slow."""
    return float(getattr(_held, "seconds", 0.0))


def may_send(row: Outbox, now: datetime) -> bool:
    """Whether `row` (leased to this worker) may be sent now: always to a BAP not known to
    be slow; to a slow one while fewer than IN_FLIGHT others of its callbacks are."""
    until = _slow_until.get(row.subscriber_id)
    if until is None:
        return True
    if until < time.monotonic():
        del _slow_until[row.subscriber_id]
        return True
    sending = Outbox.objects.filter(
        subscriber_id=row.subscriber_id, state=OutboxState.SENDING, leased_until__gt=now
    ).exclude(pk=row.pk)
    return sending.count() < IN_FLIGHT


def forget() -> None:
    """Forget every slow BAP (tests)."""
    _slow_until.clear()
