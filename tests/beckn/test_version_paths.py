"""A body written in the version the other path speaks is refused with the version alone."""

from __future__ import annotations

import json

import pytest

from beckn.models import InboundMessage
from tests.beckn import bap as msgs

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["select", "init", "confirm", "status", "cancel"])
def test_a_1_1_message_on_the_2_0_path_is_told_the_version_alone(
    network, bap, client, our_key, action
):
    """A 1.1 body signed by its BAP and sent to /beckn/v2: one refusal naming the version
    it is written in and the one the path speaks, as the 1.1 path answers a 2.0 body; not
    its 1.1 order read as a 2.0 one (`beckn:orderItems`, ...)."""
    message = msgs.select(network.op_a.code, network.charger_a.code)
    raw = json.dumps(bap.body(action, message)).encode()
    response = client.post(
        f"/beckn/v2/{action}", data=raw, content_type="application/json",
        HTTP_AUTHORIZATION=bap.sign(raw),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"] == {
        "errorCode": "30000",
        "errorMessage": '$.context.version: must be "2.0.0" on this path, got "1.1.0": '
        "1.1 is at https://bpp.test.example/beckn",
        "paths": "$.context.version",
    }
    assert not InboundMessage.objects.exists()
