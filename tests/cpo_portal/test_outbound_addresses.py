"""The outbound client's address vetting (cpo_portal.outbound.addresses): only http(s) URLs
without credentials; a host resolved once and only its public addresses kept; every IPv6
form that carries a private IPv4 address refused like that address, cloud metadata
(169.254.169.254) above all; private addresses allowed only when the caller says so."""

from __future__ import annotations

import socket

import pytest

from cpo_portal.outbound import addresses
from cpo_portal.outbound.addresses import UnsafeTarget, is_public, vet

# 169.254.169.254 (cloud metadata), 127.0.0.1 and 10.0.0.1 in every IPv6 form that leads
# to an IPv4 address.
EMBEDDED_PRIVATE = [
    "::ffff:169.254.169.254",  # IPv4-mapped ::ffff:0:0/96
    "::ffff:127.0.0.1",
    "::ffff:a00:1",
    "::169.254.169.254",  # IPv4-compatible ::/96
    "::127.0.0.1",
    "::a00:1",
    "64:ff9b::a9fe:a9fe",  # NAT64 64:ff9b::/96
    "64:ff9b::7f00:1",
    "64:ff9b::a00:1",
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 64:ff9b:1::/48: never public
    "64:ff9b:1::808:808",
    "2002:a9fe:a9fe::1",  # 6to4 2002::/16
    "2002:7f00:1::1",
    "2002:a00:1::1",
    "2001:0:4136:e378:8000:63bf:5601:5601",  # Teredo 2001::/32, client 169.254.169.254
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "2001:0:a9fe:a9fe:8000:63bf:f7f7:f7f7",  # Teredo, server 169.254.169.254
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo, client 192.0.2.45 (documentation)
    "::ffff:0:a9fe:a9fe",  # SIIT IPv4-translated ::ffff:0:0:0/96
    "::ffff:0:a00:1",
]
PLAIN_PRIVATE = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",  # reserved
    "::1",
    "::",
    "fe80::1%lo",
    "fd00:ec2::254",  # AWS's IPv6 metadata address
    "ff02::1",
]
PUBLIC = [
    "8.8.8.8",
    "2001:4860:4860::8888",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "::ffff:8.8.8.8",
    "::ffff:0:808:808",
]


@pytest.mark.parametrize("address", EMBEDDED_PRIVATE)
def test_every_ipv6_form_of_a_private_ipv4_address_is_refused(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", PLAIN_PRIVATE)
def test_private_loopback_link_local_reserved_and_multicast_are_refused(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_and_their_ipv6_forms_are_allowed(address):
    assert is_public(address)


@pytest.mark.parametrize(
    "url, words",
    [
        ("ftp://bap.example/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://u:p@bap.example/x", "credentials"),
        ("http:///x", "no host"),
        ("http://[::1", "not a URL"),  # it raised ValueError: a 3000 on OCPI credentials
    ],
)
def test_odd_urls_are_refused(url, words):
    with pytest.raises(UnsafeTarget, match=words):
        addresses.check_url(url)


def resolving(monkeypatch, *answer: str) -> list[str]:
    """socket.getaddrinfo answering every name with `answer`; the names asked, in order."""
    asked: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, *args):
        asked.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_resolving_to_embedded_private_forms_only_is_refused(monkeypatch):
    asked = resolving(monkeypatch, "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::a9fe:a9fe")
    with pytest.raises(UnsafeTarget) as refused:
        vet("partner.example", 443, allow_private=False)
    assert str(refused.value) == (
        "partner.example resolves only to non-public addresses "
        "(64:ff9b::a9fe:a9fe, 2002:a9fe:a9fe::1, ::a9fe:a9fe)"
    )
    assert asked == ["partner.example"]


def test_only_the_public_answers_are_kept_in_the_resolvers_order(monkeypatch):
    resolving(monkeypatch, "10.0.0.1", "2001:4860:4860::8888", "64:ff9b::7f00:1", "8.8.8.8")
    assert vet("partner.example", 443, allow_private=False) == ["2001:4860:4860::8888", "8.8.8.8"]


def test_private_answers_are_kept_when_the_caller_allows_them(monkeypatch):
    resolving(monkeypatch, "127.0.0.1", "64:ff9b::a9fe:a9fe")
    assert vet("partner.example", 443, allow_private=True) == ["127.0.0.1", "64:ff9b::a9fe:a9fe"]


@pytest.mark.parametrize("host", ["no-such-host.invalid", "a..b"])
def test_a_name_that_does_not_resolve_is_an_os_error(host):
    """OSError (retried later), not a crash: `a..b` is refused by the IDNA codec."""
    with pytest.raises(OSError, match=f"cannot resolve {host}"):
        vet(host, 80, allow_private=False)
