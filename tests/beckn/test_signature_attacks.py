"""No badly signed request is accepted, and a replayed one is answered as a duplicate
without doing the work twice.

Every refusal: HTTP 401, a NACK with 30016, the BECKN-006 challenge header, nothing stored,
nothing queued.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
from django.utils import timezone

from beckn.models import InboundMessage, Outbox, Subscriber
from beckn.protocol.signing import generate_keypair
from tests.beckn import bap as msgs
from tests.beckn.bap import Bap
from tests.support.beckn import answer

pytestmark = pytest.mark.django_db
CHALLENGE = 'Signature realm="bpp.test.example",headers="(created) (expires) digest"'


@pytest.fixture
def body(bap):
    return bap.body("select", msgs.select("cpo-a.example", "a-charger-01"))


def post(client, raw: bytes, header: str | None, action: str = "select"):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    return client.post(f"/beckn/{action}", data=raw, content_type="application/json", **extra)


def refused(response, no_queue, words: str) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == CHALLENGE
    answer = response.json()
    assert answer["message"]["ack"]["status"] == "NACK"
    assert answer["error"]["code"] == "30016"
    assert words in answer["error"]["message"], answer["error"]["message"]
    assert InboundMessage.objects.count() == 0
    assert no_queue["process"] == []


def _swap(header: str, name: str, value: str) -> str:
    return re.sub(rf'{name}="[^"]*"', f'{name}="{value}"', header)


def forged(bap, raw, now):
    return raw, bap.sign(raw, private=generate_keypair()[0])


def tampered_body(bap, raw, now):
    return raw.replace(b"INR", b"USD"), bap.sign(raw)


def tampered_message_id(bap, raw, now):
    body = json.loads(raw)
    header = bap.sign(raw)
    body["context"]["message_id"] = "11111111-1111-4111-8111-111111111111"
    return json.dumps(body).encode(), header


def tampered_expiry(bap, raw, now):
    """Stretching `expires` in the header breaks the signature over it."""
    return raw, _swap(bap.sign(raw), "expires", str(now + 600))


def expired(bap, raw, now):
    return raw, bap.sign(raw, created=now - 3600, expires=now - 1800)


def future_dated(bap, raw, now):
    return raw, bap.sign(raw, created=now + 3600, expires=now + 7200)


def expires_before_created(bap, raw, now):
    return raw, _swap(bap.sign(raw, created=now, expires=now + 60), "expires", str(now - 1))


def valid_for_ten_years(bap, raw, now):
    return raw, bap.sign(raw, created=now, expires=now + 10 * 365 * 86_400)


def unknown_key(bap, raw, now):
    return raw, bap.sign(raw, key_id="no-such-key")


def unknown_subscriber(bap, raw, now):
    return raw, bap.sign(raw, subscriber_id="nobody.example")


def other_algorithm(bap, raw, now):
    return raw, _swap(bap.sign(raw), "algorithm", "rsa-sha256")


def fewer_headers_signed(bap, raw, now):
    return raw, _swap(bap.sign(raw), "headers", "(created) digest")


def bearer(bap, raw, now):
    return raw, "Bearer abc.def.ghi"


def missing(bap, raw, now):
    return raw, None


CASES = [
    (forged, "signature does not match"),
    (tampered_body, "signature does not match"),
    (tampered_message_id, "signature does not match"),
    (tampered_expiry, "signature does not match"),
    (expired, "expired"),
    (future_dated, "in the future"),
    (expires_before_created, "expires <= created"),
    (valid_for_ten_years, "valid for 315360000s (expires - created); at most 3600s is accepted"),
    (unknown_key, "no registered key for 'bap.test.example' key 'no-such-key'"),
    (unknown_subscriber, "no registered key for 'nobody.example'"),
    (other_algorithm, "signature refused"),
    (fewer_headers_signed, "signature refused"),
    (bearer, "signature refused"),
    (missing, "no Authorization header"),
]


@pytest.mark.parametrize("make, words", CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_signatures_are_refused(client, bap, body, no_queue, make, words):
    raw, header = make(bap, json.dumps(body).encode(), int(time.time()))
    refused(post(client, raw, header), no_queue, words)


def test_a_key_of_another_subscriber_than_the_context_bap(client, bap, body, no_queue):
    other = Bap(subscriber_id="other-bap.example", key_id="k2")
    other.register()
    raw = json.dumps(body).encode()  # context.bap_id is bap.test.example
    refused(
        post(client, raw, other.sign(raw)),
        no_queue,
        'signed by "other-bap.example" but context.bap_id is "bap.test.example"',
    )


@pytest.mark.parametrize(
    "change",
    [
        {"status": "SUSPENDED"},
        {"valid_until": timezone.now() - dt.timedelta(minutes=1)},
    ],
    ids=["suspended", "past valid_until"],
)
def test_keys_no_longer_valid_are_unknown(client, bap, body, no_queue, change):
    Subscriber.objects.update(**change)
    raw = json.dumps(body).encode()
    refused(post(client, raw, bap.sign(raw)), no_queue, "no registered key")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"type": "BG"}, "registered as a BG: a request is signed by the BAP that sends it"),
        ({"type": "CDS"}, "registered as a CDS"),
        ({"url": ""}, "has no callback URL in the registry"),
    ],
    ids=["a gateway", "a catalog service", "no callback URL"],
)
def test_only_a_bap_with_a_callback_url_signs_a_request(client, bap, body, no_queue, change, words):
    """A gateway or a catalog service cannot place orders, and a BAP whose answers could go
    nowhere gets no ACK (an ACK promises a callback)."""
    Subscriber.objects.update(**change)
    raw = json.dumps(body).encode()
    refused(post(client, raw, bap.sign(raw)), no_queue, words)
    assert not Outbox.objects.exists()


def test_a_key_valid_until_later_still_works(client, bap, body, no_queue):
    Subscriber.objects.update(valid_until=timezone.now() + dt.timedelta(days=1))
    raw = json.dumps(body).encode()
    assert post(client, raw, bap.sign(raw)).status_code == 200


def test_a_replay_is_a_duplicate_and_does_no_work(
    client, bap, body, no_queue, network, django_capture_on_commit_callbacks
):
    raw = json.dumps(body).encode()
    header = bap.sign(raw)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, raw, header)
    assert first.status_code == 200 and first.json()["message"]["ack"]["status"] == "ACK"
    assert len(no_queue["process"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        answer(no_queue["process"][0])
    assert Outbox.objects.count() == 1
    for _ in range(3):  # the same bytes, the same header, before and after processing
        with django_capture_on_commit_callbacks(execute=True):
            again = post(client, raw, header)
        assert again.status_code == 200
        assert again.json() == {"message": {"ack": {"status": "ACK"}}}
    assert InboundMessage.objects.count() == 1
    assert len(no_queue["process"]) == 1  # never queued again
    assert Outbox.objects.count() == 1  # no second callback
    assert no_queue["deliver"] == [Outbox.objects.get().pk]


def test_a_replay_to_another_endpoint_is_refused(client, bap, body, no_queue):
    raw = json.dumps(body).encode()
    header = bap.sign(raw)
    assert post(client, raw, header).status_code == 200
    response = post(client, raw, header, action="init")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "30000" and "$.context.action" in error["paths"]
    assert InboundMessage.objects.count() == 1


def test_an_old_captured_request_cannot_be_replayed_after_its_signature_expires(
    client, bap, body, no_queue
):
    raw = json.dumps(body).encode()
    now = int(time.time())
    captured = bap.sign(raw, created=now - 900, expires=now - 600)  # signed 15 minutes ago
    refused(post(client, raw, captured), no_queue, "expired")
