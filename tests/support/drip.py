"""A peer that answers slowly on purpose, for the outbound client's deadline tests: a raw
HTTP server on loopback that answers one request with `head` at once, then `dripped` one
byte every `every` seconds (never long enough to trip a read timeout), and records how many
of those bytes it sent before the client went away."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator


class Drip:
    def __init__(self, head: bytes, dripped: bytes = b"", every: float = 0.3) -> None:
        self.head, self.dripped, self.every = head, dripped, every
        self.sent = 0
        self.done = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:  # closed before any request came
            return
        with conn:
            conn.recv(65536)
            try:
                conn.sendall(self.head)
                for byte in self.dripped:
                    conn.sendall(bytes([byte]))
                    self.sent += 1
                    time.sleep(self.every)
            except OSError:  # the client shut the connection: the rest is not sent
                pass
        self.done.set()

    def taken(self) -> int:
        """Dripped bytes sent, once the server has seen the client go."""
        assert self.done.wait(30)
        return self.sent

    def close(self) -> None:
        self.listener.close()


def drips() -> Iterator[Callable[..., Drip]]:
    """A fixture's body: start(head, dripped) starts a Drip server; all are closed after."""
    started: list[Drip] = []

    def start(head: bytes, dripped: bytes = b"") -> Drip:
        started.append(Drip(head, dripped))
        return started[-1]

    yield start
    for server in started:
        server.close()
