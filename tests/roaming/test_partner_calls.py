"""Calls to partners go through the one guarded outbound client: a versions URL that leads
to a private address in any IPv6 form is refused before any connection, a failed handshake
tells the staff (and the partner) the status, never what the URL answered, a partner that
drips its answer is cut at OCPI_CALL_DEADLINE, and a push whose call dies is still recorded
as an attempt."""

from __future__ import annotations

import json

import pytest

from cpo_portal.outbound import transport
from roaming.models import Partner, Push, PushAttempt, PushState
from roaming.services import credentials, pushes
from roaming.services.envelope import OcpiProblem
from tests.roaming.conftest import network, registered_partner
from tests.support.drip import drips

pytestmark = pytest.mark.django_db

# 169.254.169.254 (cloud metadata) in the IPv6 forms that carry an IPv4 address.
METADATA_FORMS = [
    "64:ff9b::a9fe:a9fe",  # NAT64
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64
    "2002:a9fe:a9fe::1",  # 6to4
    "::a9fe:a9fe",  # IPv4-compatible
    "::ffff:0:a9fe:a9fe",  # SIIT
    "2001:0:4136:e378:8000:63bf:5601:5601",  # Teredo
    "::ffff:a9fe:a9fe",  # IPv4-mapped
]
SECRET = "ami-id=SECRET-FROM-METADATA"


@pytest.fixture
def production(ocpi):
    ocpi.OCPI_ALLOW_PRIVATE_PARTNERS = False
    return ocpi


servers = pytest.fixture(drips, name="servers")


def partner_at(versions_url: str) -> Partner:
    """A partner staff are about to register with (its versions URL and token A given)."""
    partner = Partner(operator=network(stations=1), name="Roamer", versions_url=versions_url)
    credentials.set_their_token(partner, "their-token-a")
    partner.save()
    return partner


def answer(status: str, body: str) -> bytes:
    raw = body.encode()
    return f"HTTP/1.1 {status}\r\nContent-Length: {len(raw)}\r\n\r\n".encode() + raw


@pytest.mark.parametrize("address", METADATA_FORMS)
def test_a_handshake_to_an_ipv6_form_of_cloud_metadata_is_refused(production, address):
    partner = partner_at(f"http://[{address}]/latest/meta-data")
    with pytest.raises(credentials.RegistrationError) as refused:
        credentials.register_with(partner)
    assert f"refused: {address} resolves only to non-public addresses" in str(refused.value)


@pytest.mark.parametrize("address", METADATA_FORMS)
def test_a_partner_registering_with_such_a_versions_url_is_refused(production, address):
    """The partner's own POST to our credentials endpoint: its URL is vetted the same."""
    with pytest.raises(OcpiProblem) as refused:
        credentials.fetch_endpoints(f"http://[{address}]/ocpi/versions", "their-token")
    assert refused.value.status_code == 3001
    assert "non-public addresses" in refused.value.message


@pytest.mark.parametrize(
    "reply",
    [
        answer("404 Not Found", SECRET),
        answer("200 OK", SECRET),
        answer("200 OK", json.dumps({"status_code": 3000, "status_message": SECRET})),
        answer("302 Found", SECRET),
    ],
)
def test_a_failed_handshake_never_shows_what_the_url_answered(ocpi, servers, reply):
    server = servers(reply)
    partner = partner_at(f"{server.url}/ocpi/versions")
    with pytest.raises(credentials.RegistrationError) as failed:
        credentials.register_with(partner)
    message = str(failed.value)
    assert "SECRET" not in message
    assert message.startswith(f"cannot use your API: GET {server.url}/ocpi/versions: HTTP ")


def test_a_partner_that_drips_its_versions_is_cut_at_the_deadline(ocpi, servers):
    """One byte every 0.3 s never trips the read timeout; OCPI_CALL_DEADLINE ends the
    handshake's call, and the partner never sends the rest."""
    ocpi.OCPI_CALL_DEADLINE = 1.0
    server = servers(b"", answer("200 OK", json.dumps({"status_code": 1000, "data": []})))
    partner = partner_at(f"{server.url}/ocpi/versions")
    with pytest.raises(credentials.RegistrationError) as failed:
        credentials.register_with(partner)
    assert str(failed.value).endswith(": deadline: no complete answer within 1 s")
    assert server.taken() < len(server.dripped)


@pytest.fixture
def world(ocpi, emsp):
    operator = network(stations=1)
    partner, _token = registered_partner(operator, emsp)
    return operator, partner


def receiving_at(partner: Partner, url: str) -> None:
    partner.endpoints = [{"identifier": "tariffs", "role": "RECEIVER", "url": url}]
    partner.save()


def test_a_push_to_a_dripping_partner_is_cut_at_the_deadline_and_recorded(ocpi, world, servers):
    operator, partner = world
    ocpi.OCPI_CALL_DEADLINE = 1.0
    server = servers(b"", answer("200 OK", json.dumps({"status_code": 1000})))
    receiving_at(partner, f"{server.url}/ocpi/2.2.1/tariffs")
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    assert pushes.send_due(partner.pk) == 1
    push = Push.objects.get()
    [attempt] = push.attempts_made.all()
    assert (push.state, attempt.outcome, attempt.status_code) == (PushState.PENDING,) * 2 + (None,)
    assert attempt.error == "deadline: no complete answer within 1 s"
    assert attempt.duration_ms >= 1000
    assert server.taken() < len(server.dripped)


def test_a_push_whose_call_dies_is_still_recorded(world, monkeypatch):
    """Whatever the call dies of, the attempt is written and the row goes back to pending
    (not left `sending` until the sweep), to be tried again."""
    operator, partner = world

    def dies(*args, **kwargs):
        raise RuntimeError("the worker's call died")

    monkeypatch.setattr(transport, "request", dies)
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    assert pushes.send_due(partner.pk) == 1
    push = Push.objects.get()
    [attempt] = PushAttempt.objects.filter(push=push)
    stopped = "failed: unexpected RuntimeError"
    assert (attempt.outcome, attempt.error, attempt.method) == (PushState.PENDING, stopped, "PUT")
    assert (push.state, push.last_error) == (PushState.PENDING, stopped)


def test_a_refused_push_records_the_status_not_the_partners_words(world, servers):
    operator, partner = world
    reply = json.dumps({"status_code": 2001, "status_message": SECRET})
    server = servers(answer("400 Bad Request", reply))
    receiving_at(partner, f"{server.url}/ocpi/2.2.1/tariffs")
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    pushes.send_due(partner.pk)
    push = Push.objects.get()
    assert (push.state, push.last_error) == (PushState.REJECTED, "HTTP 400, OCPI status 2001")
    # what the partner said is kept in the attempt's excerpt, for the record
    assert SECRET in push.attempts_made.get().response_excerpt
