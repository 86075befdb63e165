"""The synchronous answer: ACK once, NACK with the right code and status otherwise."""

from __future__ import annotations

import json
import time

import pytest

from beckn.models import InboundMessage
from beckn.protocol.context import format_timestamp
from tests.beckn import bap as msgs
from tests.beckn.bap import Bap

pytestmark = pytest.mark.django_db


def nack(response) -> dict:
    body = response.json()
    assert body["message"]["ack"]["status"] == "NACK", body
    return body["error"]


def test_signed_valid_select_is_acked_stored_and_queued(
    client, bap, select_body, no_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bap.post(client, "select", select_body)
    assert response.status_code == 200
    assert response.json() == {"message": {"ack": {"status": "ACK"}}}
    stored = InboundMessage.objects.get()
    assert stored.action == "select" and stored.key_id == bap.key_id
    assert stored.body["context"]["message_id"] == select_body["context"]["message_id"]
    assert no_queue["process"] == [stored.pk]


def test_a_retried_message_is_acked_without_a_second_row(
    client, bap, select_body, no_queue, django_capture_on_commit_callbacks
):
    raw = json.dumps(select_body).encode()
    with django_capture_on_commit_callbacks(execute=True):
        first = bap.post(client, "select", None, raw=raw)
        again = bap.post(client, "select", None, raw=raw)
    assert first.status_code == again.status_code == 200
    assert again.json()["message"]["ack"]["status"] == "ACK"
    assert InboundMessage.objects.count() == 1
    assert len(no_queue["process"]) == 1


def test_a_reused_message_id_with_other_content_is_refused(client, bap, select_body, no_queue):
    bap.post(client, "select", select_body)
    select_body["message"]["order"]["items"][0]["id"] = "another-charger"
    response = bap.post(client, "select", select_body)
    assert response.status_code == 400
    error = nack(response)
    assert error["code"] == "30000" and "already used" in error["message"]
    assert error["paths"] == "$.context.message_id"


@pytest.mark.parametrize(
    "how, words",
    [
        ("unknown key", "no registered key"),
        ("other private key", "signature does not match"),
        ("expired", "expired"),
        ("future", "in the future"),
        ("tampered", "signature does not match"),
        ("missing", "no Authorization header"),
        ("garbage", "missing"),
    ],
)
def test_bad_signatures_get_401_with_a_challenge(client, bap, select_body, no_queue, how, words):
    raw = json.dumps(select_body).encode()
    now = int(time.time())
    sign_kw: dict = {}
    header = None
    if how == "unknown key":
        sign_kw = {"key_id": "no-such-key"}
    elif how == "other private key":
        sign_kw = {"private": Bap().private}
    elif how == "expired":
        sign_kw = {"created": now - 3600, "expires": now - 1800}
    elif how == "future":
        sign_kw = {"created": now + 3600, "expires": now + 7200}
    elif how == "missing":
        header = ""
    elif how == "garbage":
        header = 'Signature keyId="x"'
    if header is None:
        header = bap.sign(raw, **sign_kw)
    if how == "tampered":
        raw = raw.replace(b"INR", b"USD")
    response = client.post(
        "/beckn/select", data=raw, content_type="application/json", HTTP_AUTHORIZATION=header
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == (
        'Signature realm="bpp.test.example",headers="(created) (expires) digest"'
    )
    error = nack(response)
    assert error["code"] == "30016"
    assert words in error["message"]
    assert InboundMessage.objects.count() == 0


def test_signer_must_be_the_context_bap(client, bap, select_body, no_queue):
    other = Bap(subscriber_id="other-bap.example", key_id="k2")
    other.register()
    response = other.post(client, "select", select_body)
    assert response.status_code == 401
    error = nack(response)
    assert error["code"] == "30016"
    assert (
        'signed by "other-bap.example" but context.bap_id is "bap.test.example"'
        in (error["message"])
    )


def test_a_suspended_subscriber_is_unknown(client, bap, select_body, no_queue):
    from beckn.models import Subscriber

    Subscriber.objects.update(status="SUSPENDED")
    assert bap.post(client, "select", select_body).status_code == 401


def test_schema_errors_name_their_paths(client, bap, select_body, no_queue):
    select_body["message"]["order"]["items"][0]["quantity"]["selected"]["measure"]["value"] = 100
    select_body["context"]["message_id"] = "not-a-uuid"
    response = bap.post(client, "select", select_body)
    assert response.status_code == 400
    error = nack(response)
    assert error["code"] == "30000"
    assert "$.context.message_id" in error["paths"]
    assert "$.message.order.items[0].quantity.selected.measure.value" in error["paths"]
    assert '"not-a-uuid" is not a valid uuid' in error["message"]


@pytest.mark.parametrize(
    "change, code, path",
    [
        ({"domain": "dent:ev-charging:0.1.0"}, "30000", "$.context.domain"),
        ({"version": "1.0.0"}, "30000", "$.context.version"),
        ({"bpp_id": "someone-else.example"}, "30000", "$.context.bpp_id"),
        ({"action": "init"}, "30000", "$.context.action"),
        ({"ttl": "soon"}, "30000", "$.context.ttl"),
        ({"timestamp": "2020-01-01T00:00:00Z"}, "30022", "$.context.timestamp"),
    ],
)
def test_context_rules(client, bap, select_body, no_queue, change, code, path):
    select_body["context"].update(change)
    response = bap.post(client, "select", select_body)
    error = nack(response)
    assert response.status_code == 400
    assert error["code"] == code
    assert path in error["paths"]


def test_deg_timestamps_and_short_ttls_are_accepted(client, bap, select_body, no_queue):
    now = format_timestamp(__import__("django.utils.timezone").utils.timezone.now())
    deg = now[:19].replace("-", ":").replace("T", ":")  # 2025:09:24:10:00:00, UTC
    select_body["context"].update({"timestamp": deg, "ttl": "15S"})
    response = bap.post(client, "select", select_body)
    assert response.status_code == 200, response.content
    stored = InboundMessage.objects.get().body["context"]
    assert stored["timestamp"].endswith("Z") and "T" in stored["timestamp"]


def test_unknown_paths_and_methods(client, bap, no_queue):
    response = bap.post(client, "on_search", bap.body("search", {}))
    assert response.status_code == 404 and nack(response)["code"] == "40001"
    response = client.get("/beckn/search")
    assert response.status_code == 405 and nack(response)["code"] == "30000"


def test_signature_checking_can_be_switched_off_for_development(
    client, bap, select_body, no_queue, settings
):
    settings.BECKN_VERIFY_SIGNATURES = False
    response = client.post(
        "/beckn/select", data=json.dumps(select_body), content_type="application/json"
    )
    assert response.status_code == 200


def test_rate_limit_per_subscriber(client, bap, network, no_queue, settings, one_minute):
    from beckn.models import Subscriber

    Subscriber.objects.update(rate_limit=2)
    answers = [
        bap.post(client, "select", bap.body("select", msgs.select("x", "y"))).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
