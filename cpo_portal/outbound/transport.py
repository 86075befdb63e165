"""One outbound request to a checked address (addresses.vet), under one deadline.

urllib3 gets the checked address, not the name, so nothing resolves the name a second
time. The name still goes where it belongs: in the Host header, and for https in the TLS
handshake (SNI) and the certificate check (urllib3's public pool arguments
`server_hostname` and `assert_hostname`, both part of the pool key). When a checked
address cannot be connected to, the next one is tried (nothing was sent); redirects are
never followed (a 3xx is returned as it is, for the caller to refuse). The body read is
capped at `max_bytes`; connections are kept open between calls (one pool manager per
process, its pools keyed by address, port and, for https, the name).

The whole call (every connect, the request, the headers and the body) runs inside one
`deadline.Deadline`: the connections urllib3 makes and reuses for it are watched
(`Watched`), and at the deadline their sockets are shut down; the call then fails with
DeadlineExceeded, whatever the read timeout would have allowed. `reason(exc)` turns any
failure into one line that never carries the peer's bytes.
"""

from __future__ import annotations

import errno
import os
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from urllib3 import (
    BaseHTTPResponse,
    HTTPConnectionPool,
    HTTPSConnectionPool,
    PoolManager,
    Timeout,
)
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import parse_url

from . import addresses
from .addresses import UnsafeTarget
from .deadline import Deadline, DeadlineExceeded, current

DEFAULT_PORTS = {"http": 80, "https": 443}

# What a call can fail with: refused (UnsafeTarget), too slow (DeadlineExceeded), or the
# network and the peer's HTTP (urllib3's errors, OSError).
FAILURES: tuple[type[Exception], ...] = (UnsafeTarget, DeadlineExceeded, HTTPError, OSError)


class Watched:
    """A connection that puts itself under the running call's deadline when it connects
    and when it sends a request (a pooled connection is reused without connecting)."""

    sock: socket.socket | None

    def connect(self) -> None:
        limit = current()
        if limit is not None:
            limit.watch(self)
        super().connect()  # type: ignore[misc]  # the urllib3 connection mixed with

    def request(self, *args: Any, **kwargs: Any) -> None:
        limit = current()
        if limit is not None:
            limit.watch(self)
        super().request(*args, **kwargs)  # type: ignore[misc]  # as connect above


class WatchedHTTPConnection(Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(Watched, HTTPSConnection):
    pass


class WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


_pools: dict[int, PoolManager] = {}


def _manager() -> PoolManager:
    """One pool manager per process (Celery forks; sockets are never shared)."""
    pid = os.getpid()
    manager = _pools.get(pid)
    if manager is None:
        manager = PoolManager(num_pools=100, maxsize=4, retries=False)
        manager.pool_classes_by_scheme = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}
        _pools.clear()
        _pools[pid] = manager
    return manager


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes  # at most max_bytes
    complete: bool  # False: the body went on beyond max_bytes and was cut there

    def json_body(self) -> Any:
        """The body read as JSON within the product's limits (cpo_portal.web.jsonlimits: no
        nesting that would exhaust the parser's recursion, no NaN, no NUL); None when it was
        cut, is not JSON or passes a limit. A peer's answer is never trusted further."""
        # Imported here: jsonlimits brings DRF's parsers, which read Django's settings, and
        # this module is also used before Django is set up (the gevent deadline test).
        from cpo_portal.web import jsonlimits

        if not self.complete:
            return None
        try:
            return jsonlimits.loads(self.body, max_bytes=len(self.body))  # already capped
        except ValueError:  # not JSON, or past a limit (JsonLimitError)
            return None


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    allow_private: bool = False,
    deadline: float,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int,
) -> Response:
    """One request, no retries, no redirects. The checked addresses are tried in order
    while a connection cannot be made (nothing was sent); the last failure is raised.
    Raises one of FAILURES."""
    addresses.check_url(url)
    target = parse_url(url)
    scheme = target.scheme or "http"
    host = target.host or ""  # check_url saw one; an IPv6 literal keeps its brackets
    name = host.strip("[]")  # what is resolved, and what TLS speaks to and checks
    port = target.port or DEFAULT_PORTS[scheme]
    host_header = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    # SNI and the certificate check are for the name, whatever address the socket goes to
    tls = {"server_hostname": name, "assert_hostname": name} if scheme == "https" else None
    sent_headers = {**(headers or {}), "Host": host_header}
    manager = _manager()

    with Deadline(deadline) as limit:

        def send(address: str) -> BaseHTTPResponse:
            limit.check()
            # urllib3 reads an IPv6 zone (fe80::1%eth0) only in brackets; the pool's host
            # is bare
            pool_host = f"[{address}]" if "%" in address else address
            pool = manager.connection_from_host(pool_host, port, scheme, pool_kwargs=tls)
            left = limit.remaining()
            try:
                return pool.urlopen(
                    method,
                    target.request_uri,
                    body=body,
                    headers=sent_headers,
                    timeout=Timeout(connect=min(connect_timeout, left), read=read_timeout),
                    retries=False,
                    redirect=False,
                    assert_same_host=False,
                    preload_content=False,
                )
            except (HTTPError, OSError) as exc:
                if limit.expired:
                    raise DeadlineExceeded(f"no complete answer within {deadline:g} s") from exc
                raise

        *others, last = addresses.vet(name, port, allow_private=allow_private)
        for address in others:
            try:
                response = send(address)
            except (NewConnectionError, ConnectTimeoutError):
                continue  # no connection, so nothing was sent: the next address
            return _read(response, limit, max_bytes)
        return _read(send(last), limit, max_bytes)


def _read(response: BaseHTTPResponse, limit: Deadline, max_bytes: int) -> Response:
    data = b""
    clean = False
    try:
        data = response.read(max_bytes + 1)
        clean = True
    except (HTTPError, OSError) as exc:
        if limit.expired:
            raise DeadlineExceeded(f"no complete answer within {limit.seconds:g} s") from exc
        raise
    finally:
        if clean and len(data) <= max_bytes and not limit.expired:
            response.release_conn()  # read to the end: the connection can be reused
        else:
            response.close()  # cut short, or more than we read: the connection goes
    limit.check()  # a cut connection can look like the end of the body
    return Response(
        response.status, dict(response.headers), data[:max_bytes], len(data) <= max_bytes
    )


def reason(exc: BaseException) -> str:
    """Why a call failed, in one line of our own words: never the peer's bytes (urllib3
    quotes a bad status line or chunk size in its messages)."""
    if isinstance(exc, UnsafeTarget | DeadlineExceeded):
        return f"{'refused' if isinstance(exc, UnsafeTarget) else 'deadline'}: {exc}"
    if isinstance(exc, NewConnectionError):  # a ConnectTimeoutError too, in urllib3 2
        return f"cannot connect: {_os_reason(exc)}"
    if isinstance(exc, ConnectTimeoutError):
        return "cannot connect: timed out"
    if isinstance(exc, ReadTimeoutError):
        return "no answer within the read timeout"
    if isinstance(exc, SSLError):
        return f"TLS failed: {_tls_reason(exc)}"
    if isinstance(exc, ProtocolError):
        return "the connection broke or the answer was not HTTP"
    if isinstance(exc, HTTPError):
        return f"HTTP failed: {type(exc).__name__}"
    if isinstance(exc, OSError):
        return _os_reason(exc)
    return f"unexpected {type(exc).__name__}"


def _os_reason(exc: BaseException) -> str:
    """The errno's name and text (ours, from the system), or the error's type."""
    seen: BaseException | None = exc
    while seen is not None:
        code = seen.errno if isinstance(seen, OSError) else None
        if code is not None and code in errno.errorcode:
            return f"{errno.errorcode[code]} ({os.strerror(code)})"
        if isinstance(seen, OSError) and str(seen).startswith("cannot resolve "):
            return str(seen).splitlines()[0]  # addresses.vet's words: the name we were given
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


def _tls_reason(exc: SSLError) -> str:
    """OpenSSL's reason (certificate verify failed, hostname mismatch...), not the peer's."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"{seen.reason}: {seen.verify_message}"
        if isinstance(seen, ssl.SSLError):
            return str(seen.reason or type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return "the handshake or the certificate check failed"
