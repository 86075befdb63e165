"""The ACK's INSERT checks its own connection (speed only; the figure is in
bench/results/beckn_ack.md).

On the protocol pool (gevent workers, psycopg pool: DATABASE_POOL_SIZE) the pool does not
check a connection when it hands it out (CONN_HEALTH_CHECKS is off there): that check is
an empty query, one database round trip per request on top of the INSERT, and on a busy
machine each round trip also waits for PostgreSQL to be scheduled. The INSERT is the
check instead: when it fails because its connection is dead (the database restarted, an
idle connection was cut), the connection goes back to be discarded, the pool's public
`check()` drops every other dead one it holds, and the INSERT is sent once more. Safe to
repeat: a first INSERT that did commit before its connection died makes the second one
a duplicate of the same (bap_id, message_id), which intake answers with an ACK.

Inside a caller's transaction nothing is retried (the transaction is lost with its
connection), nor when the connection still works (the error was something else).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")


def once_more_if_disconnected(run: Callable[[], T]) -> T:
    try:
        return run()
    except OperationalError:
        if connection.in_atomic_block or _alive():
            raise
    connection.close()  # a dead connection goes back to the pool, which discards it
    pool = getattr(connection, "pool", None)  # psycopg's, on the protocol pool only
    if pool is not None:
        pool.check()  # and the other dead ones it holds (a restart kills them all)
    return run()


def _alive() -> bool:
    try:
        return connection.connection is not None and connection.is_usable()
    except Exception:
        return False
