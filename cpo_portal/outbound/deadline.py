"""One overall deadline per outbound call: connect, request, headers and body together.

Socket timeouts bound each read, not the answer: a peer that sends one byte just inside
the read timeout holds the caller for as long as it likes. So a call runs inside a
`Deadline`; the connections it uses are watched (`watch`), and at the deadline a watchdog
shuts their sockets down (socket.shutdown), which ends whatever read or write is waiting
on them at once. The caller then sees `expired` and raises DeadlineExceeded.

The watchdog is one thread per process, started on first use after a fork (Celery's
prefork children) and after gevent's monkey patching (gunicorn's gevent workers patch
before the application is loaded): there it is a greenlet, woken by the hub like any
other, and the shutdown wakes the greenlet waiting on the socket. Until the call ends,
an expired deadline is fired again every RECHECK seconds, so a socket made in the instant
it first fired is shut down too.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from contextvars import ContextVar
from typing import Protocol

RECHECK = 0.05  # seconds: the watchdog's granularity, and between firings of one deadline


class DeadlineExceeded(Exception):
    """The call did not complete within its deadline."""


class Connection(Protocol):
    """What is watched: anything holding a socket in `sock` (http.client's connections)."""

    sock: socket.socket | None


class Deadline:
    """`with Deadline(seconds) as limit:` the call; `limit.watch(conn)` for each connection
    it uses; `limit.expired` after any failure or short read."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self.closed = False
        self._lock = threading.Lock()
        self._watched: list[Connection] = []

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def check(self) -> None:
        """DeadlineExceeded if the deadline has passed."""
        if self.expired or self.remaining() <= 0:
            self.expired = True
            raise DeadlineExceeded(f"no complete answer within {self.seconds:g} s")

    def watch(self, conn: Connection) -> None:
        with self._lock:
            if not any(c is conn for c in self._watched):
                self._watched.append(conn)
            expired = self.expired
        if expired:
            _shut(conn)

    def fire(self) -> None:
        """At the deadline (the watchdog): every watched connection's socket shut down."""
        with self._lock:
            self.expired = True
            watched = list(self._watched)
        for conn in watched:
            _shut(conn)

    def __enter__(self) -> Deadline:
        self._token = _current.set(self)
        _watchdog().add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.closed = True
            self._watched.clear()
        _current.reset(self._token)


def _shut(conn: Connection) -> None:
    sock = conn.sock
    if sock is None:
        return
    with contextlib.suppress(OSError):  # not connected yet, or closed already
        sock.shutdown(socket.SHUT_RDWR)


_current: ContextVar[Deadline | None] = ContextVar("outbound_deadline", default=None)


def current() -> Deadline | None:
    """The deadline of the call running in this thread (or greenlet), if any."""
    return _current.get()


class Watchdog:
    """Fires deadlines when they pass (within RECHECK): a heap of (ends, n, deadline) and
    one thread that sleeps until the first. A deadline whose call ended is dropped when it
    comes up."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._count = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline.ends, next(self._count), deadline))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="outbound-deadlines", daemon=True
                )
                self._thread.start()
            if self._heap[0][2] is deadline:
                self._wake.notify()

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    _ends, _n, deadline = heapq.heappop(self._heap)
                    if deadline.closed:
                        continue
                    deadline.fire()
                    heapq.heappush(self._heap, (now + RECHECK, next(self._count), deadline))
                # at most one wake-up per RECHECK: the deadlines of calls that ended in
                # time (most) are dropped in batches, and one fires at most RECHECK late
                wait = max(self._heap[0][0] - now, RECHECK) if self._heap else None
                self._wake.wait(wait)


_watchdogs: dict[int, Watchdog] = {}
_watchdogs_lock = threading.Lock()


def _watchdog() -> Watchdog:
    """This process's watchdog (a forked child starts its own)."""
    pid = os.getpid()
    watchdog = _watchdogs.get(pid)
    if watchdog is None:
        with _watchdogs_lock:
            watchdog = _watchdogs.get(pid)
            if watchdog is None:
                _watchdogs.clear()
                watchdog = _watchdogs[pid] = Watchdog()
    return watchdog
