"""HTTP for callbacks that cannot be pointed at our own network.

The host is resolved once (socket.getaddrinfo), every address is checked, and the request
goes to a checked address written as a number: urllib3 gets the address, not the name, so
nothing resolves the name a second time and a DNS answer that changes between the check
and the connect (rebinding) cannot slip through. The name still goes where it belongs:
in the Host header, and for https in the TLS handshake (SNI) and the certificate check
(urllib3's public pool arguments `server_hostname` and `assert_hostname`, both part of
the pool key). When a checked address cannot be connected to, the next one is tried;
redirects are never followed. Private, loopback, link-local (cloud metadata at
169.254.169.254 included), carrier-grade NAT, multicast and reserved addresses are refused
unless BECKN_ALLOW_PRIVATE_CALLBACKS (development) is on; so is an IPv6 address that leads
to such an IPv4 address (NAT64, 6to4, Teredo, IPv4-mapped and the other IPv4-embedding
forms; see is_public).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from urllib3 import BaseHTTPResponse, PoolManager, Timeout
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import parse_url

from beckn import conf

MAX_RESPONSE_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeTarget(Exception):
    """The URL or the address it resolves to is not allowed as a callback target."""


# IPv6 ranges whose traffic is carried to an IPv4 address written inside them.
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: see is_public
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT ::ffff:0:a.b.c.d


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: IPv4-mapped, 6to4 (2002::/16), Teredo
    (server and client), NAT64 (64:ff9b::/96), SIIT and IPv4-compatible forms."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    if ip in NAT64_WELL_KNOWN or ip in IPV4_TRANSLATED or ip in IPV4_COMPATIBLE:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def is_public(address: str) -> bool:
    """A global unicast address, and for an IPv6 address that leads to an IPv4 one, that
    IPv4 address too. The local-use NAT64 prefix (64:ff9b:1::/48) is never public: where
    the IPv4 address sits in it depends on the translator's prefix length, so it cannot be
    told from the address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the socket talks IPv4 to it
            return _public(ip.ipv4_mapped)
        if ip in NAT64_LOCAL_USE:
            return False
        return _public(ip) and all(_public(v4) for v4 in embedded_ipv4(ip))
    return _public(ip)


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeTarget(f"only http and https callback URLs are allowed, not {parts.scheme!r}")
    if not parts.hostname:
        raise UnsafeTarget("the callback URL has no host")
    if parts.username or parts.password:
        raise UnsafeTarget("the callback URL must not carry credentials")


def addresses(host: str, port: int) -> list[str]:
    """The addresses `host` may be reached at, in the resolver's order: it is resolved
    once, and every answer that is not public is left out (all kept when
    BECKN_ALLOW_PRIVATE_CALLBACKS is on). UnsafeTarget when none is left."""
    allow_private = conf.get("BECKN_ALLOW_PRIVATE_CALLBACKS")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    kept: list[str] = []
    refused: list[str] = []
    for *_, sockaddr in infos:
        address = str(sockaddr[0])  # IPv4 and IPv6 addresses are strings
        if address in kept or address in refused:
            continue
        (kept if allow_private or is_public(address) else refused).append(address)
    if not kept:
        raise UnsafeTarget(f"{host} resolves only to non-public addresses ({', '.join(refused)})")
    return kept


_pools: dict[int, PoolManager] = {}


def _manager() -> PoolManager:
    """One pool manager per process (Celery forks; sockets are never shared). Its pools
    are keyed by checked address, port and, for https, the name the certificate is for."""
    pid = os.getpid()
    manager = _pools.get(pid)
    if manager is None:
        manager = PoolManager(num_pools=100, maxsize=4, retries=False)
        _pools.clear()
        _pools[pid] = manager
    return manager


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST once: no retries, no redirects, short timeouts, a bounded response read. The
    checked addresses are tried in order while a connection cannot be made (nothing was
    sent); the last failure is raised."""
    check_url(url)
    target = parse_url(url)
    scheme = target.scheme or "http"
    host = target.host or ""  # check_url saw one; an IPv6 literal keeps its brackets
    name = host.strip("[]")  # what is resolved, and what TLS speaks to and checks
    port = target.port or DEFAULT_PORTS[scheme]
    host_header = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    # SNI and the certificate check are for the name, whatever address the socket goes to
    tls = {"server_hostname": name, "assert_hostname": name} if scheme == "https" else None
    timeout = Timeout(
        connect=conf.get("BECKN_CALLBACK_CONNECT_TIMEOUT"),
        read=conf.get("BECKN_CALLBACK_READ_TIMEOUT"),
    )
    sent_headers = {**headers, "Host": host_header}
    manager = _manager()

    def send(address: str) -> BaseHTTPResponse:
        # urllib3 reads an IPv6 zone (fe80::1%eth0) only in brackets; the pool's host is bare
        pool_host = f"[{address}]" if "%" in address else address
        pool = manager.connection_from_host(pool_host, port, scheme, pool_kwargs=tls)
        return pool.urlopen(
            "POST",
            target.request_uri,
            body=body,
            headers=sent_headers,
            timeout=timeout,
            retries=False,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )

    *others, last = addresses(name, port)
    for address in others:
        try:
            response = send(address)
        except (NewConnectionError, ConnectTimeoutError):
            continue  # no connection, so nothing was sent: the next address
        return _read(response)
    return _read(send(last))


def _read(response: BaseHTTPResponse) -> Response:
    data = b""
    try:
        data = response.read(MAX_RESPONSE_BYTES)
    finally:
        if len(data) < MAX_RESPONSE_BYTES:
            response.release_conn()  # read to the end: the connection can be reused
        else:
            response.close()  # a BAP that sends more than we read loses the connection
    return Response(response.status, data)
