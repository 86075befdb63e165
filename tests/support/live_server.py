"""No request thread of the live server outlives the test it served.

pytest-django's `live_server` is one server for the whole run (Django's LiveServerThread,
serving through ThreadedWSGIServer: one thread per client connection, a daemon the
server's stop does not wait for). On SQLite the test database is in memory, and
pytest-django hands the test's own connection to the server's threads (as Django's
LiveServerTestCase does), shared with them until the server stops; each thread closes
the connections it used when its client connection ends (`connections.close_all()`).

A client that keeps its connection open between requests (HTTP/1.1 keep-alive) keeps
the thread that serves it waiting for the next request. The outbound transport does, by
design: one pool of kept connections per process (cpo_portal/outbound/transport.py), so
the BAP simulator's calls to the live server would leave a thread waiting until the
process exits. By then the server has stopped and no longer shares the connection; the
exit closes the pool's socket, the thread wakes, closes the connection it may no longer
use, and Django raises DatabaseError in it ("DatabaseWrapper objects created in a thread
can only be used in that same thread"), printed after the run's summary.

So around each test that uses the live server, the threads that serve its requests are
noted (Django's `request_started` signal, sent in the thread that serves a request), and
after it the transport's kept connections are closed and those threads waited for: they
end, and close what they used, while the connection is still shared with them and
before the next test. A thread still waiting after that is a client still holding a
connection to the live server, and fails the test's teardown with what to close.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from weakref import WeakSet

from django.core.signals import request_started

from cpo_portal.outbound import transport

# How long a request thread is given to end once its client's connection is closed.
ENDS_WITHIN = 10.0


@contextmanager
def request_threads_end() -> Iterator[None]:
    """Note the threads that serve requests while the block runs (not the one running
    it, where the Django test client's requests are served); after it, close the
    outbound transport's kept connections and wait for those threads to end. Fails when
    one is still serving a client's open connection (unless the block itself failed)."""
    here = threading.current_thread()
    served: WeakSet[threading.Thread] = WeakSet()

    def note(**_: Any) -> None:
        thread = threading.current_thread()
        if thread is not here:
            served.add(thread)

    request_started.connect(note, weak=False)
    try:
        yield
    finally:
        request_started.disconnect(note)
        transport._manager().clear()  # this process's kept connections, closed
        for thread in list(served):
            thread.join(ENDS_WITHIN)
    waiting = [thread.name for thread in served if thread.is_alive()]
    assert not waiting, (
        f"live server threads still serving a client's open connection after the "
        f"test: {waiting}; close the client (a kept-alive HTTP connection) in the test"
    )
