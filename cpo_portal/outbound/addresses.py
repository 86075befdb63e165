"""Which URLs and addresses an outbound call may go to.

A URL must be http or https, name a host and carry no credentials. Its host is resolved
once (socket.getaddrinfo) and every answer is judged: private, loopback, link-local (cloud
metadata at 169.254.169.254 included), carrier-grade NAT, multicast and reserved addresses
are refused, and so is an IPv6 address that leads to such an IPv4 address: IPv4-mapped
(::ffff:0:0/96), IPv4-compatible (::/96), SIIT (::ffff:0:0:0/96), NAT64 (64:ff9b::/96, and
the local-use 64:ff9b:1::/48 always), 6to4 (2002::/16) and Teredo (2001::/32). The
addresses kept are the ones the transport connects to: nothing resolves the name again, so
a DNS answer that changes between the check and the connect (rebinding) cannot slip
through. A caller may allow private addresses (development: BECKN_ALLOW_PRIVATE_CALLBACKS,
OCPI_ALLOW_PRIVATE_PARTNERS).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeTarget(Exception):
    """The URL, or every address its host resolves to, is not allowed."""


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
    """UnsafeTarget unless the URL is http(s), names a host and carries no credentials."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "http://[::1": an IPv6 host without its closing bracket
        raise UnsafeTarget(f"not a URL: {exc}") from None
    if parts.scheme not in {"http", "https"}:
        raise UnsafeTarget(f"only http and https URLs are allowed, not {parts.scheme!r}")
    if not parts.hostname:
        raise UnsafeTarget("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeTarget("the URL must not carry credentials")


def vet(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses `host` may be reached at, in the resolver's order: it is resolved
    once, and every answer that is not public is left out (all kept when `allow_private`).
    UnsafeTarget when none is left; OSError when the name does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:  # UnicodeError: a name IDNA refuses
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
