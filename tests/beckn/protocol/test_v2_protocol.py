"""Beckn 2.0 transport rules: the context's keys, the Ack's counter-signature, schema
validation of the Ack and of attribute packs."""

from __future__ import annotations

import pytest

from beckn.protocol.signature_header import SignatureError
from beckn.protocol.signing import generate_keypair
from beckn.protocol.v2 import ack, context, schema


def test_snake_case_keys_are_read_as_camel_case_and_camel_case_wins():
    read = context.camel_case({"bap_id": "a", "bapId": "b", "message_id": "m", "action": "rating"})
    assert read == {"bapId": "b", "messageId": "m", "action": "rate"}
    inner = context.internal({"bapId": "b", "messageId": "m", "action": "discover"})
    assert inner == {"bap_id": "b", "message_id": "m", "action": "search", "version": "2.0.0"}


def test_the_counter_signature_binds_the_ack_the_request_and_its_message_id():
    private, public = generate_keypair()
    signer = ack.CounterSigner("bpp.example", "k1", private)
    request = b'{"context":{"messageId":"m-1"}}'
    signed = signer.sign(ack.ack_body("ACK"), request, "m-1", now=1_800_000_000)
    assert schema.ack_issues(signed) == []
    assert ack.verify_countersignature(signed, request, "m-1", public) == "bpp.example"
    for body, raw, message_id in (
        ({**signed, "status": "NACK"}, request, "m-1"),  # the Ack changed
        (signed, request + b" ", "m-1"),  # another request
        (signed, request, "m-2"),  # another message id
    ):
        with pytest.raises(SignatureError):
            ack.verify_countersignature(body, raw, message_id, public)


def test_a_pack_judges_its_bag_without_the_json_ld_keywords():
    bag = {
        "@context": schema.CONTEXTS["ChargingSession"],
        "@type": "ChargingSession",
        "sessionStatus": "NOT-A-STATUS",
    }
    body = {
        "context": {"action": "on_status", "version": "2.0.0"},
        "message": {"contract": {"commitments": [], "contractAttributes": bag}},
    }
    found = [i.path for i in schema.issues("on_status", body)]
    assert "$.message.contract.contractAttributes.sessionStatus" in found
    bag["sessionStatus"] = "ACTIVE"
    found = [i.path for i in schema.issues("on_status", body)]
    assert not any(p.startswith("$.message.contract.contractAttributes") for p in found)


def test_a_preview_is_refused_rather_than_carried_out():
    import datetime as dt

    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    ctx = {
        "domain": context.DOMAIN,
        "version": "2.0.0",
        "action": "cancel",
        "bppId": "bpp",
        "bapId": "bap",
        "bapUri": "https://bap.example",
        "messageId": "m",
        "transactionId": "t",
        "timestamp": "2030-01-01T00:00:00Z",
    }
    skew = dt.timedelta(minutes=5)
    assert context.check(ctx, action="cancel", bpp_id="bpp", now=now, max_clock_skew=skew) == []
    # a preview of the four actions 2.0.0 gives one; refused elsewhere, and not a boolean
    assert context.check({**ctx, "try": True}, action="cancel", bpp_id="bpp", now=now,
                         max_clock_skew=skew) == []  # fmt: skip
    (issue,) = context.check(
        {**ctx, "action": "confirm", "try": True},
        action="confirm", bpp_id="bpp", now=now, max_clock_skew=skew,
    )  # fmt: skip
    assert issue.path == "$.context.try" and "send confirm without it" in issue.message
    (issue,) = context.check(
        {**ctx, "try": "true"}, action="cancel", bpp_id="bpp", now=now, max_clock_skew=skew
    )
    assert issue.path == "$.context.try" and "true or false" in issue.message
