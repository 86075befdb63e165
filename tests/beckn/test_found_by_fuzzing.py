"""What the fuzzers found, pinned: each of these answered a 5xx or an HTML page before."""

from __future__ import annotations

import json

import pytest

from tests.beckn import bap as msgs

pytestmark = pytest.mark.django_db


def nack(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["message"]["ack"]["status"] == "NACK"
    assert body["error"]["code"] == code
    return body["error"]["message"]


@pytest.mark.parametrize(
    "escaped, shown",
    [
        # PostgreSQL: "unsupported Unicode escape sequence" -> 503
        ("\\u0000", 'NUL: "\\u0000"'),
        # "Unicode low surrogate must follow ..." -> 503
        ("abc\\ud800", 'an unpaired surrogate: "abc\\ud800"'),
        ("\\udc00\\ud800", 'an unpaired surrogate: "\\udc00"'),
    ],
)
def test_strings_no_database_can_store_are_refused(client, bap, no_queue, escaped, shown):
    """The same check as every other parser's (cpo_portal.web.jsonlimits.check_strings)."""
    body = bap.body("select", msgs.select("cpo-a.example", "a-charger-01"))
    raw = json.dumps(body).replace('"Tata"', f'"{escaped}"').encode()
    message = nack(bap.post(client, "select", None, raw=raw), 400, "30000")
    assert message == f"the body is not storable text: a string holds {shown}"


def test_a_key_with_nul_is_refused_too(client, bap, no_queue):
    body = bap.body("select", msgs.select("cpo-a.example", "a-charger-01"))
    raw = json.dumps(body).replace('"make"', '"ma\\u0000ke"').encode()
    assert "NUL" in nack(bap.post(client, "select", None, raw=raw), 400, "30000")


def test_escaped_text_that_is_fine_is_accepted(client, bap, no_queue):
    """Paired surrogates (an emoji as ASCII JSON) and other escapes are ordinary text."""
    body = bap.body("select", msgs.select("cpo-a.example", "a-charger-01"))
    body["message"]["order"]["fulfillments"][0]["vehicle"]["model"] = "Nexon 😀 ₹ \t é"
    raw = json.dumps(body, ensure_ascii=True).encode()
    assert b"\\ud83d\\ude00" in raw
    response = bap.post(client, "select", None, raw=raw)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ["search/", "", "select/../init", "a/b/c", "%00", "on_search/x"])
def test_any_other_path_under_beckn_is_a_nack(client, path):
    response = client.post(f"/beckn/{path}", data=b"{}", content_type="application/json")
    message = nack(response, 404, "40001")
    assert message.startswith("this BPP has no /")


def test_bare_and_catch_all_routes_keep_the_real_endpoints(client, bap, no_queue):
    response = bap.post(client, "search", bap.body("search", msgs.search()))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("number", ["1e999", "-1E400", "123456789e99999"])
def test_numbers_beyond_a_float_are_refused(client, bap, no_queue, number):
    """Python reads 1e999 as infinity; PostgreSQL refused to store it (503 before)."""
    body = bap.body("support", {"support": {"ref_id": "x"}})
    raw = json.dumps(body).replace('"x"', number).encode()
    message = nack(bap.post(client, "support", None, raw=raw), 400, "30000")
    assert message == f"the body is written with the number {number}, which is out of range"


@pytest.mark.parametrize("number", [str(2**64), str(-(2**63) - 1), "1" + "0" * 99])
def test_integers_beyond_64_bits_are_refused(client, bap, no_queue, number):
    """Python reads them, but the JSON we send cannot carry them back: a rating or track
    echoing one failed after its ACK, its answer and its error both unwritable."""
    body = bap.body("support", {"support": {"ref_id": "x"}})
    raw = json.dumps(body).replace('"ref_id": "x"', f'"ref_id": "x", "n": {number}').encode()
    message = nack(bap.post(client, "support", None, raw=raw), 400, "30000")
    assert message == f"the body is written with the integer {number[:30]}, which is out of range"


@pytest.mark.parametrize("number", ["1e300", "1e-400", "-0.0", str(2**64 - 1), str(-(2**63))])
def test_big_but_finite_numbers_are_no_problem(client, bap, no_queue, number):
    body = bap.body("support", {"support": {"ref_id": "x"}})
    raw = json.dumps(body).replace('"ref_id": "x"', f'"ref_id": "x", "n": {number}').encode()
    response = bap.post(client, "support", None, raw=raw)
    assert response.status_code == 200, response.content
