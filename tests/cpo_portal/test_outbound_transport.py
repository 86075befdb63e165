"""The outbound transport's guarantees (cpo_portal.outbound.transport), against real local
servers and a scripted resolver: the host is resolved once and only a checked address is
connected to (a second, different DNS answer never is), https is verified against the name
and sends it as SNI, the next checked address is tried when one refuses the connection
(never after a request went out), IPv6 answers and literals work (peers that misbehave:
test_outbound_deadlines.py)."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
import trustme
from urllib3.exceptions import NewConnectionError, ReadTimeoutError, SSLError

from cpo_portal.outbound import addresses, transport
from tests.support.local_http import post, servers

REAL_GETADDRINFO = socket.getaddrinfo
NAME = "bap.example"

serve = pytest.fixture(servers, name="serve")


class Resolver:
    """socket.getaddrinfo that answers NAME from a script (one answer per lookup, the last
    repeated) and counts the lookups; other hosts (the numeric addresses urllib3 is given)
    go to the real resolver and are recorded as the addresses connected to."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = answers
        self.lookups = 0
        self.connected: list[str] = []

    def __call__(self, host: Any, port: Any, family: int = 0, type: int = 0, *args: Any) -> Any:
        if host != NAME:
            self.connected.append(host)
            return REAL_GETADDRINFO(host, port, family, type, *args)
        self.lookups += 1
        answer = self.answers[min(self.lookups, len(self.answers)) - 1]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in answer
        ]


@pytest.fixture
def resolve(monkeypatch):
    def script(*answers: list[str]) -> Resolver:
        resolver = Resolver(*answers)
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        return resolver

    return script


@pytest.fixture
def public(monkeypatch):
    """public(*addresses): local addresses the check takes for public ones (the servers
    here listen on loopback); every other address is judged by the real rules."""
    rules = addresses.is_public

    def pretend(*kept: str) -> None:
        monkeypatch.setattr(addresses, "is_public", lambda a: a in kept or rules(a))

    return pretend


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusted(ca, tmp_path, monkeypatch):
    """The test CA is the one the client trusts (OpenSSL's default verify paths)."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    return ca


def test_a_rebinding_name_is_resolved_once_and_only_its_checked_answer_connected(
    serve, resolve, public
):
    checked, trap = serve("127.0.0.2", "127.0.0.1")
    public("127.0.0.2")
    resolver = resolve(["127.0.0.2"], ["127.0.0.1"])  # public first, loopback afterwards
    answer = post(f"http://{NAME}:{checked.port}/beckn/on_status", b"{}", {})
    assert answer.status == 200
    assert resolver.lookups == 1
    assert resolver.connected == ["127.0.0.2"]
    assert [r["host"] for r in checked.requests] == [f"{NAME}:{checked.port}"]
    assert trap.requests == []
    # the next callback resolves again, and the loopback answer is refused
    with pytest.raises(addresses.UnsafeTarget, match=r"non-public addresses \(127\.0\.0\.1\)"):
        post(f"http://{NAME}:{checked.port}/beckn/on_status", b"{}", {})
    assert resolver.lookups == 2
    assert trap.requests == [] and len(checked.requests) == 1


def test_a_name_with_only_private_answers_is_refused_without_a_connection(resolve):
    resolver = resolve(["10.0.0.5", "127.0.0.1", "169.254.169.254", "::1", "64:ff9b::a9fe:a9fe"])
    with pytest.raises(addresses.UnsafeTarget) as refused:
        post(f"http://{NAME}/beckn/on_status", b"{}", {})
    assert str(refused.value) == (
        f"{NAME} resolves only to non-public addresses "
        "(10.0.0.5, 127.0.0.1, 169.254.169.254, ::1, 64:ff9b::a9fe:a9fe)"
    )
    assert resolver.lookups == 1 and resolver.connected == []


def test_private_answers_beside_a_public_one_are_skipped(serve, resolve, public):
    checked, trap = serve("127.0.0.2", "127.0.0.1")
    public("127.0.0.2")
    resolver = resolve(["127.0.0.1", "127.0.0.2"])  # the private one first
    assert post(f"http://{NAME}:{checked.port}/x", b"{}", {}).status == 200
    assert resolver.connected == ["127.0.0.2"]
    assert len(checked.requests) == 1 and trap.requests == []


def test_private_answers_are_allowed_when_the_caller_allows_them(serve, resolve):
    (server,) = serve("127.0.0.1")
    resolver = resolve(["127.0.0.1"])
    assert post(f"http://{NAME}:{server.port}/x", b"{}", {}, allow_private=True).status == 200
    assert resolver.connected == ["127.0.0.1"]


def test_the_next_checked_address_is_tried_when_one_refuses_the_connection(serve, resolve, public):
    (server,) = serve("127.0.0.2")  # nothing listens on 127.0.0.3
    public("127.0.0.3", "127.0.0.2")
    resolver = resolve(["127.0.0.3", "127.0.0.2"])
    answer = post(f"http://{NAME}:{server.port}/beckn/on_search", b'{"a": 1}', {})
    assert answer.status == 200 and answer.body.startswith(b'{"message"')
    assert resolver.lookups == 1
    assert resolver.connected == ["127.0.0.3", "127.0.0.2"]
    assert [(r["path"], r["body"]) for r in server.requests] == [("/beckn/on_search", b'{"a": 1}')]


def test_when_no_checked_address_connects_the_last_failure_is_raised(serve, resolve, public):
    (server,) = serve("127.0.0.2")
    port = server.port
    server.stop()  # nothing listens anywhere now
    public("127.0.0.3", "127.0.0.2")
    resolver = resolve(["127.0.0.3", "127.0.0.2"])
    with pytest.raises(NewConnectionError):
        post(f"http://{NAME}:{port}/x", b"{}", {})
    assert resolver.connected == ["127.0.0.3", "127.0.0.2"]


def test_a_request_that_went_out_is_not_sent_again_to_the_next_address(serve, resolve, public):
    slow, other = serve("127.0.0.2", "127.0.0.3")
    slow.delay = 1.0
    public("127.0.0.2", "127.0.0.3")
    resolve(["127.0.0.2", "127.0.0.3"])
    with pytest.raises(ReadTimeoutError):
        post(f"http://{NAME}:{slow.port}/x", b"{}", {}, read_timeout=0.2)
    assert len(slow.requests) == 1 and other.requests == []


def test_a_connection_is_reused_between_callbacks(serve, resolve, public):
    (server,) = serve("127.0.0.2")
    public("127.0.0.2")
    resolver = resolve(["127.0.0.2"])
    for _ in range(3):
        assert post(f"http://{NAME}:{server.port}/x", b"{}", {}).status == 200
    assert resolver.lookups == 3  # every callback checks the name's current answer
    assert len({r["client"] for r in server.requests}) == 1  # over one connection


def test_a_connection_the_bap_closed_while_idle_is_not_used_again(serve, resolve, public):
    """A BAP's server closes a kept-alive connection when it has been idle a while (its
    keep-alive timeout), without a word to the client: the next callback goes out over a
    new connection, not into the closed one."""
    (server,) = serve("127.0.0.2")
    server.hang_up = True
    public("127.0.0.2")
    resolve(["127.0.0.2"])
    for _ in range(3):
        assert post(f"http://{NAME}:{server.port}/x", b"{}", {}).status == 200
        time.sleep(0.05)  # the server's close reaches this side
    assert len(server.requests) == 3
    assert len({r["client"] for r in server.requests}) == 3  # each over a new connection


@pytest.mark.parametrize("address", ["127.0.0.2", "::1"])
def test_https_is_verified_against_the_name_and_sends_it_as_sni(
    serve, resolve, public, trusted, address
):
    (server,) = serve(address, cert=trusted.issue_cert(NAME))
    public(address)
    resolver = resolve([address])
    answer = post(f"https://{NAME}:{server.port}/beckn/on_status", b"{}", {})
    assert answer.status == 200
    assert server.sni == [NAME]
    assert [r["host"] for r in server.requests] == [f"{NAME}:{server.port}"]
    assert resolver.lookups == 1 and resolver.connected == [address]


@pytest.mark.parametrize("names", [["other.example"], ["127.0.0.2"]])
def test_https_refuses_a_certificate_not_for_the_name(serve, resolve, public, trusted, names):
    """A certificate for another name, or for the address connected to, is not one for
    the name in the URL."""
    (server,) = serve("127.0.0.2", cert=trusted.issue_cert(*names))
    public("127.0.0.2")
    resolve(["127.0.0.2"])
    with pytest.raises(SSLError, match="match"):
        post(f"https://{NAME}:{server.port}/beckn/on_status", b"{}", {})
    assert server.requests == []


def test_https_refuses_a_certificate_from_an_unknown_authority(serve, resolve, public, trusted):
    (server,) = serve("127.0.0.2", cert=trustme.CA().issue_cert(NAME))
    public("127.0.0.2")
    resolve(["127.0.0.2"])
    with pytest.raises(SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        post(f"https://{NAME}:{server.port}/x", b"{}", {})
    assert server.requests == []


def test_https_names_on_one_address_get_their_own_connections(
    serve, resolve, public, trusted, monkeypatch
):
    (server,) = serve("127.0.0.2", cert=trusted.issue_cert("a.example", "b.example"))
    public("127.0.0.2")
    answers = {"a.example": ["127.0.0.2"], "b.example": ["127.0.0.2"]}

    def getaddrinfo(host, port, family=0, type=0, *args):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host][0], port))]
        return REAL_GETADDRINFO(host, port, family, type, *args)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for name in ["a.example", "b.example", "a.example"]:
        assert post(f"https://{name}:{server.port}/x", b"{}", {}).status == 200
    assert server.sni == ["a.example", "b.example"]  # the third reused a.example's
    assert [r["host"].split(":")[0] for r in server.requests] == [
        "a.example",
        "b.example",
        "a.example",
    ]


def test_an_ipv6_answer_goes_in_the_pool_bare_and_the_name_in_the_host_header(
    serve, resolve, public
):
    (server,) = serve("::1")
    public("::1")
    resolver = resolve(["::1"])
    assert post(f"http://{NAME}:{server.port}/x", b"{}", {}).status == 200
    assert resolver.connected == ["::1"]
    assert server.requests[0]["host"] == f"{NAME}:{server.port}"


def test_an_ipv6_literal_keeps_its_brackets_in_the_host_header_only(serve, public, monkeypatch):
    (server,) = serve("::1")
    public("::1")
    resolver = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver)  # every lookup is a numeric one
    assert post(f"http://[::1]:{server.port}/x", b"{}", {}).status == 200
    assert resolver.connected == ["::1", "::1"]  # the check, then urllib3's (numeric)
    assert server.requests[0]["host"] == f"[::1]:{server.port}"


def test_the_default_port_is_left_out_of_the_host_header(resolve, public, monkeypatch):
    """What goes to urllib3: the checked address as the pool's host, the name in Host."""
    public("192.0.2.10")  # TEST-NET-1: nothing is connected to, the pool is stubbed
    resolve(["192.0.2.10"])
    seen: dict[str, Any] = {}

    class Pool:
        def urlopen(self, method, url, headers, **kwargs):
            seen.update(method=method, url=url, headers=headers, **kwargs)
            raise NewConnectionError(None, "stub")

    def connection_from_host(host, port, scheme, pool_kwargs=None):
        seen.update(host=host, port=port, scheme=scheme, pool_kwargs=pool_kwargs)
        return Pool()

    monkeypatch.setattr(transport._manager(), "connection_from_host", connection_from_host)
    with pytest.raises(NewConnectionError):
        post(f"https://{NAME}/beckn/on_status?x=1", b"{}", {"Authorization": "sig"})
    assert (seen["host"], seen["port"], seen["scheme"]) == ("192.0.2.10", 443, "https")
    assert seen["pool_kwargs"] == {"server_hostname": NAME, "assert_hostname": NAME}
    assert seen["headers"] == {"Authorization": "sig", "Host": NAME}
    assert (seen["method"], seen["url"]) == ("POST", "/beckn/on_status?x=1")
    assert (seen["retries"], seen["redirect"], seen["preload_content"]) == (False, False, False)
    assert (seen["timeout"].connect_timeout, seen["timeout"].read_timeout) == (2.0, 5.0)


def test_a_scoped_link_local_answer_is_connected_to_when_allowed(resolve):
    """fe80::1%lo: the zone reaches the socket (nothing listens there: a connect failure,
    not a URL urllib3 cannot parse)."""
    resolver = resolve(["fe80::1%lo"])
    with pytest.raises(NewConnectionError):
        post(f"http://{NAME}:9/x", b"{}", {}, allow_private=True)
    assert resolver.connected == ["fe80::1%lo"]
