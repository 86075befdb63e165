"""Hand accepted messages to the Celery workers, a few at a time, off the request path.

The stored InboundMessage row is the truth; the broker message only wakes a worker. A
Celery publish costs about as much CPU as everything else on the ACK path together, so
instead of publishing inside each request, the web process queues the id in memory and
a background thread publishes what has gathered every BECKN_DISPATCH_WINDOW_MS: one task
per few ids, in one Redis pipeline when kombu supports it. If the process dies before a batch goes
out, the beat sweep (tasks.requeue_stuck) finds the rows still `received` after its
grace period and queues them: late, never lost. With a window of 0, or with eager
Celery (tests), every id is published at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext

from celery import current_app

from beckn import conf

log = logging.getLogger(__name__)
MAX_BATCH = 200


class Dispatcher:
    def __init__(self, publish: Callable[[list[int]], None], window: float) -> None:
        self.publish = publish
        self.window = window
        self._pending: list[int] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, inbound_id: int) -> None:
        with self._lock:
            self._pending.append(inbound_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="beckn-dispatch", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _take(self) -> list[int]:
        with self._lock:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            if not self._pending:
                self._wake.clear()
        return batch

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self.window)  # let a few more arrive
            batch = self._take()
            while batch:
                try:
                    self.publish(batch)
                except Exception:  # the sweep re-queues whatever this loses
                    log.exception("could not queue %d inbound messages", len(batch))
                batch = self._take()

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything submitted so far has been handed over (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return
            time.sleep(self.window or 0.001)


CHUNK = 8  # ids per task: few enough that a batch never waits long behind its peers


def publish(ids: list[int]) -> None:
    """One task per chunk of ids, all in one Redis pipeline when kombu can batch."""
    from beckn.tasks import process_inbound, process_inbound_batch

    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    with current_app.producer_or_acquire() as producer:
        batch = producer.batch() if hasattr(producer, "batch") else nullcontext()
        with batch:
            for chunk in chunks:
                if len(chunk) == 1:
                    process_inbound.apply_async((chunk[0],), producer=producer)
                else:
                    process_inbound_batch.apply_async((chunk,), producer=producer)


_dispatchers: dict[int, Dispatcher] = {}


def dispatcher() -> Dispatcher:
    """One per process: a forked worker never shares its parent's thread or queue."""
    pid = os.getpid()
    found = _dispatchers.get(pid)
    if found is None:
        _dispatchers.clear()
        found = _dispatchers[pid] = Dispatcher(publish, conf.get("BECKN_DISPATCH_WINDOW_MS") / 1000)
    return found


def submit(inbound_id: int) -> None:
    if current_app.conf.task_always_eager or conf.get("BECKN_DISPATCH_WINDOW_MS") <= 0:
        from beckn.tasks import process_inbound

        process_inbound.delay(inbound_id)
        return
    dispatcher().submit(inbound_id)
