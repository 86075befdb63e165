"""A BAP's 2.0 Ack to our callback proves receipt with its counter-signature (2.0.0's
`Ack.signature`): verified against the key the called BAP has registered, over that Ack
and the callback we sent; one that does not verify leaves the callback not delivered, with
the reason in its attempt."""

from __future__ import annotations

import json

import pytest

from beckn.models import DeliveryAttempt, OutboxState, Subscriber
from beckn.protocol.errors import ack
from beckn.protocol.signing import generate_keypair
from beckn.protocol.v2.ack import CounterSigner
from tests.beckn import sending
from tests.beckn.bap import BPP_ID
from tests.beckn.sending import make_row
from tests.support.beckn import ScriptedReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def bap_endpoint(settings, bap, our_key):
    """The BAP's callback endpoint; its `countersigner` is set by each test."""
    ours = {(BPP_ID, our_key.key_id): our_key.public_key}
    server = ScriptedReceiver(lookup=lambda s, k: ours.get((s, k))).start()
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = True
    Subscriber.objects.update(url=server.url + "/beckn")
    yield server
    server.stop()


def v2_callback(bap):
    """A callback in 2.0's dialect (what a 2.0 BAP answers with a 2.0 Ack)."""
    row = make_row(bap)
    body = json.loads(row.payload)
    body["context"] = {**body["context"], "version": "2.0.0", "messageId": row.message_id}
    row.payload = json.dumps(body)
    row.save(update_fields=["payload"])
    return row


def sent(row):
    result = sending.deliver(row.pk)
    attempt = DeliveryAttempt.objects.get(outbox=row)
    return result.state, attempt.error


def test_an_ack_counter_signed_by_the_bap_s_registered_key_is_a_delivery(bap, bap_endpoint):
    bap_endpoint.countersigner = CounterSigner(bap.subscriber_id, bap.key_id, bap.private)
    row = v2_callback(bap)
    assert sent(row) == (OutboxState.DELIVERED, "")
    got = bap_endpoint.wait_for("on_status", row.message_id)
    assert got.signer == f"{BPP_ID}|bpp-key-1"


def test_an_ack_counter_signed_with_another_key_proves_nothing(bap, bap_endpoint):
    other, _ = generate_keypair()  # the registered key id, not the registered key
    bap_endpoint.countersigner = CounterSigner(bap.subscriber_id, bap.key_id, other)
    state, error = sent(v2_callback(bap))
    assert state == OutboxState.REJECTED
    assert "counter-signature is refused" in error and "does not match" in error


def test_an_ack_counter_signed_by_someone_else_proves_nothing(bap, bap_endpoint):
    bap_endpoint.countersigner = CounterSigner("intruder.example", bap.key_id, bap.private)
    state, error = sent(v2_callback(bap))
    assert state == OutboxState.REJECTED
    assert "'intruder.example'" in error


def test_an_ack_counter_signed_by_an_unregistered_key_proves_nothing(bap, bap_endpoint):
    bap_endpoint.countersigner = CounterSigner(bap.subscriber_id, "no-such-key", bap.private)
    state, error = sent(v2_callback(bap))
    assert state == OutboxState.REJECTED
    assert "no key 'no-such-key'" in error


def test_an_ack_without_counter_signature_is_delivered_unless_required(bap, bap_endpoint, settings):
    assert sent(v2_callback(bap)) == (OutboxState.DELIVERED, "")
    settings.BECKN_REQUIRE_ACK_COUNTERSIGNATURE = True
    state, error = sent(v2_callback(bap))
    assert state == OutboxState.REJECTED
    assert "no counter-signature" in error


def test_a_2_0_callback_answered_with_1_1_s_ack_is_no_receipt_when_one_is_required(
    bap, bap_endpoint, settings
):
    """What is asked follows the callback we sent, not the shape of the answer."""
    settings.BECKN_REQUIRE_ACK_COUNTERSIGNATURE = True
    bap_endpoint.script = [(200, ack())]  # 1.1's Ack to a 2.0 callback: no counter-signature
    state, error = sent(v2_callback(bap))
    assert state == OutboxState.REJECTED
    assert "1.1's Ack" in error and "no counter-signature" in error
    bap_endpoint.script = [(200, ack())]  # to a 1.1 callback it is the receipt 1.1 defines
    assert sent(make_row(bap)) == (OutboxState.DELIVERED, "")
