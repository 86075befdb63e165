"""Hand accepted messages to the Celery workers, a few at a time, off the request path.

The stored InboundMessage row is the truth; the broker message only wakes a worker. A
Celery publish costs about as much CPU as everything else on the ACK path together, so
instead of publishing inside each request, the web process queues the id in memory and
a background thread publishes what has gathered as one task message, at most once every
BECKN_DISPATCH_WINDOW_MS: an id that comes after a quiet spell goes at once, ids that
come close behind a publish gather until its window has passed. The worker that takes
a batch fans the ids out in chunks (tasks.process_inbound_batch). If the process dies
before a batch goes out, the beat sweep (tasks.requeue_stuck) finds the rows still
`received` after its grace period and queues them: late, never lost. With a window of 0,
or with eager Celery (tests), every id is published at once.

Fair between BAPs: ids wait in one queue per BAP and a batch takes them in turns, one from
each BAP, so a burst from one BAP does not push another's message behind all of its own.
And the ids of a busy BAP (more than LOUD times the average rate of the BAPs this process
heard from in the last second or two, or more than FAIR_SHARE waiting) go out in a task
message of lower priority: on Redis, workers take every waiting message of normal
priority first, so a BAP sending a trickle is not queued behind another's burst (the
filesystem broker has no priorities: there, only the turns apply).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable

from celery import current_app

from beckn import conf
from beckn.services import jobs

log = logging.getLogger(__name__)
MAX_BATCH = 200
FAIR_SHARE = 8  # ids of one BAP per window beyond which its batch goes out at low priority
RATE_PERIOD = 1.0  # seconds: a BAP's rate is its ids in this period and the one before
LOUD = 1.5  # a BAP sending more than this many times the average of the BAPs is busy


class Dispatcher:
    def __init__(self, publish: Callable[[list[int], bool], None], window: float) -> None:
        self.publish = publish
        self.window = window
        self._pending: dict[str, deque[int]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._recent: dict[str, int] = {}  # ids per BAP in this rate period
        self._earlier: dict[str, int] = {}  # and in the one before
        self._period_ends = 0.0
        self._window_ends = time.monotonic()  # the next publish may go from then on

    def submit(self, inbound_id: int, bap_id: str = "") -> None:
        with self._lock:
            self._pending.setdefault(bap_id, deque()).append(inbound_id)
            self._count(bap_id, time.monotonic())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="beckn-dispatch", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _count(self, bap_id: str, now: float) -> None:
        if now >= self._period_ends:
            stale = now >= self._period_ends + RATE_PERIOD
            self._earlier, self._recent = ({} if stale else self._recent), {}
            self._period_ends = now + RATE_PERIOD
        self._recent[bap_id] = self._recent.get(bap_id, 0) + 1

    def busy(self) -> set[str]:
        """BAPs sending more than their share: over LOUD times the average of the BAPs
        heard from in the last one to two seconds, and over FAIR_SHARE ids in that time,
        or with more than FAIR_SHARE ids waiting now."""
        heard = dict(self._earlier)
        for key, count in self._recent.items():
            heard[key] = heard.get(key, 0) + count
        average = sum(heard.values()) / len(heard) if heard else 0.0
        loud = {key for key, n in heard.items() if n > LOUD * average and n > FAIR_SHARE}
        return loud | {key for key, queue in self._pending.items() if len(queue) > FAIR_SHARE}

    def _take(self) -> tuple[list[int], list[int]]:
        """Up to MAX_BATCH ids, in turns: one from each BAP with ids waiting, round after
        round (a BAP whose queue runs dry leaves; one that comes back joins at the end);
        split into the ids of BAPs within their fair share and those of busy BAPs."""
        with self._lock:
            busy = self.busy()
            quiet = {key: q for key, q in self._pending.items() if key not in busy}
            loud = {key: q for key, q in self._pending.items() if key in busy}
            first = take_in_turns(quiet, MAX_BATCH)
            second = take_in_turns(loud, MAX_BATCH - len(first))
            self._pending = {**quiet, **loud}
            if not self._pending:
                self._wake.clear()
        return first, second

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(max(0.0, self._window_ends - time.monotonic()))  # let more arrive
            quiet, busy = self._take()
            while quiet or busy:
                self._window_ends = time.monotonic() + self.window
                for batch, low in ((quiet, False), (busy, True)):
                    if not batch:
                        continue
                    try:
                        self.publish(batch, low)
                    except Exception:  # the sweep re-queues whatever this loses
                        log.exception("could not queue %d inbound messages", len(batch))
                # A full batch: more are waiting, send on. Otherwise what arrived during
                # the publish waits for the next window (one publish per window, not one
                # per request that slipped in while the last one was being sent).
                full = len(quiet) + len(busy) >= MAX_BATCH
                quiet, busy = self._take() if full else ([], [])

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything submitted so far has been handed over (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return
            time.sleep(self.window or 0.001)


def take_in_turns(queues: dict[str, deque[int]], limit: int) -> list[int]:
    """Up to `limit` items, one from each queue in turn; emptied queues are removed."""
    taken: list[int] = []
    while queues and len(taken) < limit:
        for key in list(queues):
            queue = queues[key]
            taken.append(queue.popleft())
            if not queue:
                del queues[key]
            if len(taken) >= limit:
                break
    return taken


def publish(ids: list[int], low: bool = False) -> None:
    """One task message for the whole batch: a Celery publish costs ~0.5-0.9 ms of CPU
    whatever it carries, so the web process sends one and the worker that takes it fans
    the ids out in chunks (tasks.process_inbound_batch), off the ACK path's CPU. `low`:
    the ids of busy BAPs, queued behind everyone else's."""
    if low:
        jobs.publisher().process_batch(ids, low=True)
    elif len(ids) == 1:
        jobs.publisher().process(ids[0])
    else:
        jobs.publisher().process_batch(ids)


_dispatchers: dict[int, Dispatcher] = {}


def dispatcher() -> Dispatcher:
    """One per process: a forked worker never shares its parent's thread or queue."""
    pid = os.getpid()
    found = _dispatchers.get(pid)
    if found is None:
        _dispatchers.clear()
        found = _dispatchers[pid] = Dispatcher(publish, conf.get("BECKN_DISPATCH_WINDOW_MS") / 1000)
    return found


def submit(inbound_id: int, bap_id: str = "") -> None:
    if current_app.conf.task_always_eager or conf.get("BECKN_DISPATCH_WINDOW_MS") <= 0:
        jobs.publisher().process(inbound_id)
        return
    dispatcher().submit(inbound_id, bap_id)
