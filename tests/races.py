"""Real races for the PostgreSQL tests: one thread per attempt, each with its own database
connection, opened before they all start together at a barrier.

`race(works)` refuses to run fewer attempts at once than asked: when the server cannot hold
that many connections (max_connections, minus what other sessions use now) the test fails
under REQUIRE_POSTGRES=1 (CI) and is skipped, with the numbers, otherwise.

Races on one server take turns, across processes: parallel test workers (pytest-xdist) each
run races of up to 200 connections, and two at once would not fit in CI's 300. The turn is
an exclusive lock on a file named after the server, held from the room check to the last
connection's close and let go by the kernel if a worker dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import connection

T = TypeVar("T")
JOIN_SECONDS = 120  # a hung worker is a failure, not a wait forever


def _refuse(why: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(why, pytrace=False)
    pytest.skip(why)


def connection_room() -> tuple[int, int]:
    """(connections this role may hold on the server, client connections open now)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int,"
            " current_setting('superuser_reserved_connections')::int,"
            " current_setting('is_superuser') = 'on',"
            " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
        )
        most, reserved, superuser, in_use = cursor.fetchone()
    return (most if superuser else most - reserved), in_use


def require_connections(n: int) -> None:
    """Fail (CI) or skip unless `n` more connections can be opened at once."""
    capacity, in_use = connection_room()
    if capacity < n + 1:
        _refuse(
            f"this race opens {n} connections at once (plus the test's own) but PostgreSQL "
            f"allows {capacity}: raise max_connections (ALTER SYSTEM SET max_connections = 300, "
            "then restart the server; .ci/run does it)"
        )
    if capacity - in_use < n:
        _refuse(
            f"this race opens {n} connections at once but only {capacity - in_use} of "
            f"{capacity} are free now ({in_use} in use by this and other sessions)"
        )


def turn_lock_path() -> Path:
    """The lock file of the database server this process uses."""
    settings = connection.settings_dict
    server = f"{settings.get('HOST') or ''}:{settings.get('PORT') or ''}"
    digest = hashlib.sha256(server.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"cpo-races-{digest}.lock"


@contextmanager
def server_turn() -> Iterator[None]:
    """Hold this database server's race lock (module docstring)."""
    with turn_lock_path().open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def race(works: Sequence[Callable[[], T]]) -> list[T | Exception]:
    """Run every work on its own thread and connection, all released at once; return each
    one's result or the exception it raised, in the order given."""
    with server_turn():
        return _race(works)


def _race(works: Sequence[Callable[[], T]]) -> list[T | Exception]:
    n = len(works)
    require_connections(n)
    barrier = threading.Barrier(n)
    results: list[T | Exception | None] = [None] * n
    refused: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            try:
                connection.ensure_connection()
            except Exception as exc:  # e.g. "too many clients": nobody may start
                refused.append(exc)
                barrier.abort()
                return
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                return
            try:
                results[i] = works[i]()
            except Exception as exc:  # collected, asserted on by the test
                results[i] = exc
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in pool:
        t.start()
    deadline = time.monotonic() + JOIN_SECONDS
    for t in pool:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in pool), f"a worker hung for {JOIN_SECONDS} s"
    if refused:
        _refuse(f"could not open {n} connections at once: {refused[0]}")
    return results  # type: ignore[return-value]  # every slot filled once nobody refused


def race_n(n: int, work: Callable[[int], T]) -> list[T | Exception]:
    """`work(i)` for i in range(n), n at once."""
    return race([lambda i=i: work(i) for i in range(n)])
