"""gunicorn worker classes with a deadline on the request line and headers.

gunicorn reads a request's line and headers in the thread (gthread) or process (sync) that
will serve it, and no setting bounds how long that read may take: a client sending one
header byte every few seconds, never the blank line, holds its thread for as long as it
likes, and a dozen such clients stop the pool. These classes are gunicorn's own workers
(worker classes are gunicorn's documented extension point: `worker_class` takes a class
path) with a few additions.

gthread (`ThreadWorker`), the default:
  - A connection waits for its request line and headers in the worker's main thread, on
    gunicorn's own poller, without a thread: the main thread peeks at what has arrived
    (MSG_PEEK, nothing is consumed) and, with SO_RCVLOWAT, is woken again only when more
    bytes come. Once the blank line that ends the headers is in, the connection goes to
    the thread pool, whose thread then reads a whole request head at once. One that has not
    got there REQUEST_HEADER_TIMEOUT seconds after it was accepted (a kept-alive one: after
    it became readable again) is closed by the main thread. So clients sending headers
    slowly cost no thread, however many there are and however often they reconnect.
  - `GET /healthz` (without a body) is served by a thread of its own in each worker, so a
    health probe is answered while every thread of the pool is busy (with slow bodies, or
    long requests): that thread holds a database connection of its own too.
  - The thread pool's part keeps a header deadline on the body deadline's watchdog
    (cpo_portal/web/body_limits.py), from the same moment: a connection that waited that long
    in the pool's queue is shed, and so is one whose headers did not fit in what the main
    thread peeks at (PEEK_BYTES). The WSGI wrapper ends that watch when it is called, that
    is once the headers are read; then the body deadline applies.
sync (`SyncWorker`): the process that accepted the connection reads its headers, under the
same deadline on the watchdog (a slow client holds the whole process until then).

gunicorn.conf.py selects them for GUNICORN_WORKER_CLASS=gthread and sync. The gevent worker
needs none: it reads every request's headers under a timeout of `keepalive` seconds.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import time
from concurrent import futures
from functools import partial
from typing import Any

from gunicorn.workers import gthread, sync  # type: ignore[import-untyped]  # no stubs

from cpo_portal.web.body_limits import DEFAULT_HEADER_TIMEOUT, WATCHDOG

HEADER_TIMEOUT = float(os.environ.get("REQUEST_HEADER_TIMEOUT") or DEFAULT_HEADER_TIMEOUT)
# The most the main thread peeks at for the end of the headers (each time more bytes come,
# it copies what is there: this bounds the cost). Longer headers (nginx's default buffers
# take 32 KiB at most; legitimate ones rarely pass 8 KiB) go to the thread pool as they are,
# under its deadline.
PEEK_BYTES = 32 * 1024
HEALTH_PATH = b"/healthz"  # cpo_portal/urls.py, name "healthz"
HEAD_ENDS = (b"\n\r\n", b"\n\n")  # a line ending, then an empty line
BODY_HEADERS = (b"\ncontent-length:", b"\ntransfer-encoding:")


def head_end(data: bytearray, size: int) -> int:
    """Where the request line and headers in `data[:size]` end, or -1 if not yet."""
    ends = [found for end in HEAD_ENDS if (found := data.find(end, 0, size)) >= 0]
    return min(ends) if ends else -1


def is_health_probe(head: bytes) -> bool:
    """`GET /healthz` (any query string) without a body."""
    request_line, _, headers = head.partition(b"\n")
    parts = request_line.split()
    if len(parts) != 3 or parts[0] != b"GET" or parts[1].split(b"?")[0] != HEALTH_PATH:
        return False
    lowered = b"\n" + headers.lower().replace(b" ", b"").replace(b"\t", b"")
    return not any(header in lowered for header in BODY_HEADERS)


class AwaitedHead:
    """A connection waiting for the end of its request head in the main thread."""

    __slots__ = ("deadline", "seen")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.seen = 0  # bytes of it that have arrived


class Lanes(futures.Executor):
    """The worker's thread pool (gunicorn's `get_thread_pool`, documented for overriding)
    with a lane of one thread for health probes: a connection in `probes` when it is
    submitted goes to that lane, any other to the pool."""

    def __init__(self, requests: futures.Executor, probes: set[Any]) -> None:
        self.requests = requests
        self.probe_lane = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
        self.probes = probes

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> futures.Future:
        lane = self.requests
        if args and args[0] in self.probes:
            self.probes.discard(args[0])
            lane = self.probe_lane
        return lane.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.requests.shutdown(wait, cancel_futures=cancel_futures)
        self.probe_lane.shutdown(wait, cancel_futures=cancel_futures)


class ThreadWorker(gthread.ThreadWorker):
    """gthread: the main thread accepts a connection, or finds a kept-alive one readable
    again, and calls `enqueue_req`; here the connection first waits in the main thread's
    poller for the end of its headers (`on_head_bytes`), then goes to the pool (`dispatch`),
    where a thread serves one request of it (`handle`). gunicorn's main loop calls
    `murder_keepalived` after every poll, at least once a second: it also closes the
    connections whose headers are late."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_watches: dict[Any, Any] = {}  # connection -> its watch, in the pool
        self.awaiting_heads: dict[Any, AwaitedHead] = {}  # connections in the poller
        self.readable_again: set[Any] = set()  # kept-alive connections with a next request
        self.probes: set[Any] = set()  # connections for the health probe lane
        self.peek_buffer = bytearray(PEEK_BYTES)  # the main thread's only

    def get_thread_pool(self) -> Lanes:
        return Lanes(super().get_thread_pool(), self.probes)

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        self.readable_again.add(conn)
        super().on_client_socket_readable(conn, client)

    def enqueue_req(self, conn: Any) -> None:
        deadline = time.monotonic() + HEADER_TIMEOUT
        new_head = not conn.initialized or conn in self.readable_again
        self.readable_again.discard(conn)
        if not new_head or self.cfg.is_ssl:
            # A request already read in part by the last one's thread (pipelined), or TLS
            # bytes, which peeking cannot read: straight to the pool, under its deadline.
            self.dispatch(conn, deadline)
            return
        conn.sock.setblocking(False)
        self.awaiting_heads[conn] = AwaitedHead(deadline)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_head_bytes, conn))

    def on_head_bytes(self, conn: Any, client: Any) -> None:
        """More bytes of a request head have arrived (or the client went away)."""
        try:
            size = client.recv_into(self.peek_buffer, PEEK_BYTES, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            size = 0
        awaited = self.awaiting_heads[conn]
        if size <= awaited.seen:
            # Readable with no byte more than last time: the client has closed its side
            # (SO_RCVLOWAT wakes the poller for more bytes, or for the end of the stream).
            self.drop_awaiting(conn)
            return
        awaited.seen = size
        end = head_end(self.peek_buffer, size)
        if end < 0 and size < PEEK_BYTES:
            try:  # wake again only once more than these bytes are in
                client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, size + 1)
                return
            except OSError:
                pass  # no such option here: the thread pool reads it, under its deadline
        self.poller.unregister(client)
        deadline = self.awaiting_heads.pop(conn).deadline
        with contextlib.suppress(OSError):  # a thread reads now, whatever has come
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 1)
        if end >= 0 and is_health_probe(bytes(self.peek_buffer[:end])):
            self.probes.add(conn)
        self.dispatch(conn, deadline)

    def drop_awaiting(self, conn: Any) -> None:
        self.poller.unregister(conn.sock)
        del self.awaiting_heads[conn]
        self.nr_conns -= 1
        conn.close()

    def murder_keepalived(self, force: bool = False) -> None:
        super().murder_keepalived(force)
        now = time.monotonic()
        late = [c for c, awaited in self.awaiting_heads.items() if force or awaited.deadline <= now]
        for conn in late:
            self.drop_awaiting(conn)

    def dispatch(self, conn: Any, deadline: float) -> None:
        self.header_watches[conn] = WATCHDOG.watch(conn.sock, deadline)
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
