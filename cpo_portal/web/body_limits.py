"""Request bodies are read whole, under a size limit and a deadline, before Django runs.

`BodyLimits` wraps the WSGI application (cpo_portal/wsgi.py). For a request with a body it
  - answers 413 at once, reading nothing, when Content-Length is over
    REQUEST_BODY_MAX_BYTES, and 413 when a chunked body grows past it;
  - reads the body into a buffer (memory up to 1 MiB, then a temporary file) and answers
    408 when the client has not sent it by the deadline: REQUEST_BODY_TIMEOUT seconds, plus
    one second for every REQUEST_BODY_MIN_RATE bytes received (so a large upload at a
    decent rate finishes, and a client trickling a byte now and then does not);
  - answers 400 when the client ends the body early or sends a malformed one.
Django then reads the buffered body; nothing it does waits on the client.

A refusal is JSON, `{"detail": "..."}`, unless the path is under a prefix of
REQUEST_BODY_REFUSALS: that door's clients read their own shape (a Beckn NACK under /beckn/,
the OCPI envelope under /ocpi/), so the setting names, by dotted path, the function that
writes it, `(status, detail, path) -> JSON object`. This module imports no app.

The deadline covers the whole body, not each read: a recv() only waits for *some* bytes,
so a client sending one byte just before every per-read timeout would never be cut. A
watchdog thread per process (a greenlet under gevent) shuts the read side of a socket
whose deadline has passed, which wakes the recv() blocked on it. It needs the client
socket, which gunicorn passes as `gunicorn.socket`; under another server (runserver) the
size limit applies and the deadline does not.

The request line and headers come before this wrapper runs: the project's gunicorn worker
classes (cpo_portal/web/gunicorn_workers.py) put them under a deadline of their own on the same
watchdog, which the wrapper ends when it is called.

A slow body still holds a gthread thread, or a sync worker, until its deadline: gunicorn
alone bounds the damage, a buffering proxy in front of it removes it (docs/operations.md,
Request limits). Hand-written: no maintained WSGI middleware bounds the time of a body
read (gunicorn has no such setting).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

log = logging.getLogger(__name__)

# Default of REQUEST_HEADER_TIMEOUT, seconds from the moment a worker accepts a connection to
# the end of the request's headers (cpo_portal/web/gunicorn_workers.py).
DEFAULT_HEADER_TIMEOUT = 10.0
# Defaults of REQUEST_BODY_MAX_BYTES (the largest upload, a 20 MB customer CSV, plus its
# form), REQUEST_BODY_TIMEOUT (gunicorn.conf.py checks it against its own `timeout`) and
# REQUEST_BODY_MIN_RATE (bytes per second).
DEFAULT_MAX_BYTES = 24 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
DEFAULT_MIN_RATE = 50_000
SPOOL_BYTES = 1024 * 1024  # larger bodies go to a temporary file
READ_STEP = 64 * 1024
WATCH_TICK = 0.25  # seconds between the watchdog's sweeps


class _Watch:
    __slots__ = ("cut", "deadline", "fd", "sock")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.fd = sock.fileno()  # the same under a TLS wrapper of the socket
        self.deadline = deadline
        self.cut = False


class Watchdog:
    """Cuts body reads that passed their deadline: `shutdown(SHUT_RD)` on the socket makes
    the blocked recv() return (or raise, under gevent). One thread per process, started on
    first use (after gunicorn forks), sweeping the reads in progress every WATCH_TICK."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: set[_Watch] = set()
        self._cut: set[int] = set()  # descriptors cut and not yet released
        self._pid = 0

    def watch(self, sock: socket.socket, deadline: float) -> _Watch:
        entry = _Watch(sock, deadline)
        with self._lock:
            if self._pid != os.getpid():  # first use in this process (or a forked child)
                self._pid = os.getpid()
                self._watches = set()
                self._cut = set()
                threading.Thread(target=self._run, name="body-deadline", daemon=True).start()
            self._watches.add(entry)
        return entry

    def release(self, entry: _Watch) -> bool:
        """Stop watching; True when the read was cut."""
        with self._lock:
            self._watches.discard(entry)
            self._cut.discard(entry.fd)
        return entry.cut

    def release_socket(self, sock: socket.socket) -> bool:
        """Stop watching every read on `sock`: the request's headers have arrived (the
        header deadline of cpo_portal/web/gunicorn_workers.py ends where the application starts).
        True when a watch had already cut it (what was still to come will not arrive)."""
        fd = sock.fileno()
        with self._lock:
            if any(entry.fd == fd for entry in self._watches):
                self._watches = {entry for entry in self._watches if entry.fd != fd}
            if fd in self._cut:
                self._cut.discard(fd)
                return True
        return False

    def sweep(self, now: float) -> None:
        with self._lock:
            late = [entry for entry in self._watches if entry.deadline <= now]
            for entry in late:
                self._watches.discard(entry)
                entry.cut = True
                self._cut.add(entry.fd)
                with contextlib.suppress(OSError):  # already closed by the client
                    entry.sock.shutdown(socket.SHUT_RD)

    def _run(self) -> None:
        while True:
            time.sleep(WATCH_TICK)
            self.sweep(time.monotonic())


WATCHDOG = Watchdog()


class BodyError(Exception):
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BodyTooLarge(BodyError):
    status = 413


class BodyTooSlow(BodyError):
    status = 408


REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large"}

# What a door answers for a refused body: (HTTP status, detail, path) -> the JSON body.
Refusal = Callable[[int, str, str], dict[str, Any]]


class BodyLimits:
    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        max_bytes: int,
        timeout: float,
        min_rate: int,
        refusals: Mapping[str, Refusal] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.min_rate = min_rate
        # Path prefix -> the door's refusal, the longest prefix first.
        self.refusals = sorted((refusals or {}).items(), key=lambda item: -len(item[0]))
        # A read returns only once it has its whole step, and the deadline grows only then:
        # at the minimum rate a step must take well under the base timeout.
        self.step = max(4096, min(READ_STEP, int(min_rate * timeout / 4)))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        # The headers are in: their deadline is over (if it already cut the connection, a
        # body still to come will not arrive).
        cut_before = sock is not None and WATCHDOG.release_socket(sock)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        length = environ.get("CONTENT_LENGTH") or ""
        if not chunked and length in ("", "0"):
            return self.app(environ, start_response)
        try:
            body, size = self.read(environ, None if chunked else length, cut_before)
        except BodyError as error:
            return self.refuse(error, environ, start_response)
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)  # a chunked body now has a length too
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def read(
        self, environ: dict[str, Any], length: str | None, cut_before: bool = False
    ) -> tuple[IO[bytes], int]:
        """The body in a buffer (freed with the request), and its size."""
        declared = None
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                raise BodyError("the Content-Length header is not a number") from None
            if declared < 0:
                raise BodyError("the Content-Length header is negative")
            if declared > self.max_bytes:
                raise BodyTooLarge(self._too_large())
        stream = environ["wsgi.input"]
        sock = environ.get("gunicorn.socket")
        start = time.monotonic()
        watch = WATCHDOG.watch(sock, start + self.timeout) if sock is not None else None
        buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
        received = 0
        failed = False
        try:
            while declared is None or received < declared:
                want = self.step if declared is None else min(self.step, declared - received)
                try:
                    chunk = stream.read(want)
                except Exception:  # a cut socket, a malformed chunk: no body
                    failed = True
                    break
                if not chunk or (watch is not None and watch.cut):
                    break  # the end, or cut (the client may go on sending after a cut)
                received += len(chunk)
                if received > self.max_bytes:
                    raise BodyTooLarge(self._too_large())
                buffer.write(chunk)
                if watch is not None:
                    watch.deadline = start + self.timeout + received / self.min_rate
        except BaseException:
            buffer.close()
            raise
        finally:
            cut = (watch is not None and WATCHDOG.release(watch)) or cut_before
        complete = not failed and (declared is None or received == declared)
        if not complete:
            buffer.close()
            if cut:
                raise BodyTooSlow(
                    f"the request body did not arrive within {self.timeout:g} seconds "
                    f"(plus one second per {self.min_rate} bytes received)"
                )
            raise BodyError("the request body ended early or is malformed")
        buffer.seek(0)
        return buffer, received

    def document(self, error: BodyError, path: str) -> dict[str, Any]:
        """The refusal's JSON: its door's shape (REQUEST_BODY_REFUSALS), else `detail`."""
        for prefix, refusal in self.refusals:
            if path.startswith(prefix):
                try:
                    return refusal(error.status, error.detail, path)
                except Exception:  # the refusal is still owed: in the plain shape
                    log.exception("the refusal of a body under %s failed", prefix)
                break
        return {"detail": error.detail}

    def _too_large(self) -> str:
        return f"the request body is larger than the limit of {self.max_bytes} bytes"

    def refuse(self, error: BodyError, environ: dict[str, Any], start_response: Callable):
        """The error, in the shape of the door the path is under, and the connection closes
        after it: the rest of the body is unread."""
        payload = json.dumps(self.document(error, environ.get("PATH_INFO") or "/")).encode()
        start_response(
            f"{error.status} {REASONS[error.status]}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(payload))),
                ("Cache-Control", "no-store"),
            ],
        )
        # gunicorn's start_response is its response's method: ask it to close the
        # connection instead of reading the rest of the body to reach a next request.
        force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
        if callable(force_close):
            force_close()
        return [payload]


def wrap(app: Callable[..., Iterable[bytes]]) -> BodyLimits:
    from django.conf import settings
    from django.utils.module_loading import import_string

    return BodyLimits(
        app,
        max_bytes=settings.REQUEST_BODY_MAX_BYTES,
        timeout=settings.REQUEST_BODY_TIMEOUT,
        min_rate=settings.REQUEST_BODY_MIN_RATE,
        refusals={
            prefix: import_string(dotted)
            for prefix, dotted in settings.REQUEST_BODY_REFUSALS.items()
        },
    )
