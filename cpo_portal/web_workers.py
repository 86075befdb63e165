"""gunicorn worker classes with a deadline on the request line and headers.

gunicorn reads a request's line and headers in the thread (gthread) or process (sync) that
will serve it, and no setting bounds how long that read may take: a client sending one
header line every few seconds, never the blank line, holds its thread for as long as it
likes, and a dozen such clients stop the pool. These classes are gunicorn's own workers
(worker classes are gunicorn's documented extension point: `worker_class` takes a class
path), with one addition around the methods that take a connection: its socket is put on
the body deadline's watchdog (cpo_portal/body_limits.py) for REQUEST_HEADER_TIMEOUT
seconds from the moment gunicorn accepts it (or, kept alive, it becomes readable again).
The WSGI wrapper ends that watch when it is called, that is once the headers are in; then
the body deadline applies. A client that has not sent its headers by then has the read
side of its socket shut, the blocked read returns, and gunicorn closes the connection as
for any client that went away. So does a connection that waited that long in the thread
pool's queue: a worker that far behind sheds it.

gunicorn.conf.py selects them for GUNICORN_WORKER_CLASS=gthread and sync. The gevent worker
needs none: it reads every request's headers under a timeout of `keepalive` seconds.
"""

from __future__ import annotations

import os
import time
from typing import Any

from gunicorn.workers import gthread, sync  # type: ignore[import-untyped]  # no stubs

from cpo_portal.body_limits import DEFAULT_HEADER_TIMEOUT, WATCHDOG

HEADER_TIMEOUT = float(os.environ.get("REQUEST_HEADER_TIMEOUT") or DEFAULT_HEADER_TIMEOUT)


class ThreadWorker(gthread.ThreadWorker):
    """gthread: the main thread hands a connection to the thread pool (`enqueue_req`) when
    it is accepted or becomes readable again, and a pool thread serves one request of it
    (`handle`). The deadline starts at the hand-over, so a connection waiting in the pool's
    queue behind slow ones is timed too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_watches: dict[Any, Any] = {}  # connection -> its watch

    def enqueue_req(self, conn: Any) -> None:
        self.header_watches[conn] = WATCHDOG.watch(conn.sock, time.monotonic() + HEADER_TIMEOUT)
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        try:
            return super().handle(conn)
        finally:
            watch = self.header_watches.pop(conn, None)
            if watch is not None:
                WATCHDOG.release(watch)


class SyncWorker(sync.SyncWorker):
    """sync: `handle` serves the one request of a connection."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        watch = WATCHDOG.watch(client, time.monotonic() + HEADER_TIMEOUT)
        try:
            super().handle(listener, client, addr)
        finally:
            WATCHDOG.release(watch)
