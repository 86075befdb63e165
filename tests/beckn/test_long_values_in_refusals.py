"""A refusal quotes a value the BAP sent as JSON writes it, cut to a few dozen characters
with `...` (cpo_portal.web.schema_errors.shown), in either version: a 400-digit number or
a 400-character id is never echoed whole."""

from __future__ import annotations

import json

import pytest

from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2

pytestmark = pytest.mark.django_db
LONG_NUMBER = "9" * 400
LONG_TEXT = "x" * 400


def _cut(message: str) -> None:
    assert "..." in message
    assert "9" * 60 not in message and "x" * 80 not in message
    assert len(message) < 200, message


def _error_1_1(body) -> dict:
    return body["error"] if "error" in body else body["message"]["error"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("amount", LONG_NUMBER, "30000"), ("item", LONG_TEXT, "30004")],
    ids=["long number", "long string"],
)
def test_a_1_1_refusal_cuts_what_it_quotes(network, bap, run, field, value, code):
    item = value if field == "item" else network.charger_a.code
    message = msgs.select(network.op_a.code, item)
    if field == "amount":
        measure = message["order"]["items"][0]["quantity"]["selected"]["measure"]
        measure["value"] = value
    _, body = run(bap, "select", message)
    error = _error_1_1(body)
    assert error["code"] == code
    _cut(error["message"])


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(1e308, "30000"), (1.5e250, "30000"), (None, "30004")],
    ids=["1e308", "1.5e250", "long resource id"],
)
def test_a_2_0_refusal_cuts_what_it_quotes(network, bap_v2, run_v2, quantity, code):
    if quantity is None:
        message = v2.contract(LONG_TEXT, provider=network.op_a.code)
    else:
        message = v2.contract(network.charger_a.code)
        message["contract"]["commitments"][0]["resources"][0]["quantity"]["unitQuantity"] = quantity
    _, body = run_v2(bap_v2, "select", message)
    assert body["error"]["errorCode"] == code
    _cut(body["error"]["errorMessage"])


def test_a_callback_writes_an_integer_past_64_bits():
    """PostgreSQL gives a stored 1e308 back as an integer of 309 digits; the refusal that
    echoes the contract is still written (it was never sent: the encoder gave up)."""
    from beckn.protocol.json_text import encoded, size

    body = {"unitQuantity": 10**308, "ok": [1, "é"]}
    text = '{"unitQuantity":1' + "0" * 308 + ',"ok":[1,"é"]}'
    assert (encoded(body), size(body)) == (text.encode(), len(text.encode()))


def test_a_key_that_is_not_a_string_is_written_as_json_writes_it():
    from beckn.protocol.json_text import encoded, size

    body = {1: "a", "b": {2.5: None, True: [None]}, None: 0}
    text = '{"1":"a","b":{"2.5":null,"true":[null]},"null":0}'
    assert text == json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    assert (encoded(body), size(body)) == (text.encode(), len(text.encode()))
