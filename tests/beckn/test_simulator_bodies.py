"""The simulator's servers (a BAP's callback receiver, the stand-in CDS) read what they
receive with the product's bounded JSON parser: a body nested past its depth, or holding a
NUL, is refused with a reason, never a RecursionError in a server thread."""

from __future__ import annotations

import pytest

from beckn.simulator.cds import StandInCds
from beckn.simulator.receiver import CallbackReceiver
from cpo_portal.web.jsonlimits import MAX_DEPTH

DEEP = b'{"context": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
HOSTILE = [
    pytest.param(DEEP, "levels deep", id="deep"),
    pytest.param(b'{"context": {"bppUri": "a\\u0000b"}}', "NUL", id="nul"),
    pytest.param(b"{", "not JSON", id="cut-short"),
]


@pytest.mark.parametrize("raw, reason", HOSTILE)
def test_the_receiver_refuses_a_hostile_callback_with_its_reason(raw, reason):
    receiver = CallbackReceiver()

    reply = receiver.answer("/on_search", raw, {})

    assert reply.status == 401
    assert reply.body["message"]["ack"]["status"] == "NACK"
    assert reason in reply.body["error"]["message"]
    assert receiver.received[0].error == reply.body["error"]["message"]


@pytest.mark.parametrize("raw, reason", HOSTILE)
def test_the_stand_in_cds_refuses_a_hostile_publish(raw, reason):
    cds = StandInCds(subscriber_id="cds.example", key_id="k1", private_key="")

    reply = cds.answer("/catalog/publish", raw, {})

    assert reply.status == 400
    assert reply.then is None  # nothing called back
    assert reply.body["status"] == "NACK"
    assert reason in reply.body["error"]["errorMessage"]


def test_the_stand_in_cds_refuses_json_that_is_no_publish():
    cds = StandInCds(subscriber_id="cds.example", key_id="k1", private_key="")

    status, answer, body = cds.take("/catalog/publish", b'{"context": {}}', {})

    assert (status, body) == (400, None)
    assert "not a catalog publish" in answer["error"]["errorMessage"]


def test_a_publish_within_the_limits_is_taken():
    cds = StandInCds(subscriber_id="cds.example", key_id="k1", private_key="")
    nested = b"[" * (MAX_DEPTH - 4) + b"]" * (MAX_DEPTH - 4)
    raw = b'{"context": {"bppUri": "http://bpp"}, "message": {"catalogs": [' + nested + b"]}}"

    status, _, body = cds.take("/catalog/publish", raw, {})

    assert status == 200
    assert body is not None and body["context"]["bppUri"] == "http://bpp"
