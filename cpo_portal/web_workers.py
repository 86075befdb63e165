"""gunicorn worker classes with a deadline on the request line and headers.

gunicorn reads a request's line and headers in the thread (gthread) or process (sync) that
will serve it, and no setting bounds how long that read may take: a client sending one
header line every few seconds, never the blank line, holds its thread for as long as it
likes, and a dozen such clients stop the pool. These classes are gunicorn's own workers
(worker classes are gunicorn's documented extension point: `worker_class` takes a class
path), with one addition around their `handle` method: the connection's socket is put on
the body deadline's watchdog (cpo_portal/body_limits.py) for REQUEST_HEADER_TIMEOUT
seconds. The WSGI wrapper ends that watch when it is called, that is once the headers are
in; then the body deadline applies. A client that has not sent its headers by then has the
read side of its socket shut, the blocked read returns, and gunicorn closes the
connection as for any client that went away.

gunicorn.conf.py selects them for GUNICORN_WORKER_CLASS=gthread and sync. The gevent worker
needs none: it reads every request's headers under a timeout of `keepalive` seconds.
"""

from __future__ import annotations

import os
import time
from typing import Any

from gunicorn.workers import gthread, sync  # type: ignore[import-untyped]

from cpo_portal.body_limits import DEFAULT_HEADER_TIMEOUT, WATCHDOG

HEADER_TIMEOUT = float(os.environ.get("REQUEST_HEADER_TIMEOUT") or DEFAULT_HEADER_TIMEOUT)


class ThreadWorker(gthread.ThreadWorker):
    """gthread: `handle` serves one request of a connection in a pool thread."""

    def handle(self, conn: Any) -> Any:
        watch = WATCHDOG.watch(conn.sock, time.monotonic() + HEADER_TIMEOUT)
        try:
            return super().handle(conn)
        finally:
            WATCHDOG.release(watch)


class SyncWorker(sync.SyncWorker):
    """sync: `handle` serves the one request of a connection."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        watch = WATCHDOG.watch(client, time.monotonic() + HEADER_TIMEOUT)
        try:
            super().handle(listener, client, addr)
        finally:
            WATCHDOG.release(watch)
