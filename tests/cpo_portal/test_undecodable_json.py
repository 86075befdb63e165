"""JSON text no UTF-8 text or database can hold (a lone surrogate, NUL), or that no JSON
number is (NaN), gets a refusal that says why on every parser of the product: the REST
API, the OCPI API (a CDR push and the credentials module), the Beckn intake and the
pricing document. Never a 500, never OCPI's 3000. One check does it
(cpo_portal.web.jsonlimits); a surrogate pair written as two escapes is one character."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from offers.services.config.exporting import export_pricing
from offers.services.config.format import FormatError, dump, load
from tests.offers.factories import OfferFactory
from tests.roaming.cdr_data import cdr, dumps
from tests.roaming.conftest import network as roaming_network
from tests.roaming.conftest import registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db

# (the JSON text of a value, what the refusal says)
UNDECODABLE = [
    ('"\\ud800"', 'an unpaired surrogate: "\\ud800"'),
    ('"x\\udc00y"', 'an unpaired surrogate: "x\\udc00"'),  # up to where
    ('"\\ude00\\ud83d"', 'an unpaired surrogate: "\\ude00"'),  # a pair backwards
    ('"a\\u0000b"', 'NUL: "a\\u0000"'),
    ("NaN", "written with NaN, which is not a JSON number"),
]
IDS = ["lone high", "lone low", "reversed pair", "nul", "nan"]


@pytest.mark.parametrize("value, says", UNDECODABLE, ids=IDS)
def test_the_rest_api(network, value, says):
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    response = api.post("/api/analytics/whatif-runs/", data=f'{{"offer": {value}}}',
                        content_type="application/json")  # fmt: skip
    assert response.status_code == 400, response.content[:300]
    assert says in response.json()["detail"]


@pytest.fixture
def cpo(settings):
    settings.OCPI_PUBLIC_URL = "http://testserver/ocpi"
    settings.OCPI_COUNTRY_CODE = "IN"
    operator = roaming_network(stations=1)
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    return token


def ocpi_http_status(value: str) -> int:
    """status_codes: HTTP 400 for a body that is no valid JSON (NaN); valid JSON that
    holds what no column stores reached the OCPI layer: no HTTP error."""
    return 400 if value == "NaN" else 200


@pytest.mark.parametrize("value, says", UNDECODABLE, ids=IDS)
def test_an_ocpi_cdr_push(client, cpo, value, says):
    text = dumps(cdr("C1", "cpo1-st-000", "cpo1-ch-000")).replace('"WHITELIST"', value)
    reply = client.post("/ocpi/2.2.1/cdrs", text, content_type="application/json",
                        headers=auth(cpo))  # fmt: skip
    assert reply.status_code == ocpi_http_status(value), reply.content[:300]
    body = reply.json()
    assert body["status_code"] == 2001 and says in body["status_message"]


@pytest.mark.parametrize("value, says", UNDECODABLE, ids=IDS)
def test_the_ocpi_credentials_module(client, cpo, value, says):
    text = json.dumps({"token": "t", "url": "https://emsp.example/versions", "roles": []})
    reply = client.post("/ocpi/2.2.1/credentials", text.replace('"t"', value),
                        content_type="application/json", headers=auth(cpo))  # fmt: skip
    assert reply.status_code == ocpi_http_status(value), reply.content[:300]
    body = reply.json()
    assert body["status_code"] == 2001 and says in body["status_message"]


@pytest.mark.parametrize("value, says", UNDECODABLE[:4], ids=IDS[:4])
def test_the_beckn_intake(client, settings, value, says):
    settings.BECKN_VERIFY_SIGNATURES = False
    text = '{"context": {"action": "search", "domain": VALUE}, "message": {}}'
    text = text.replace("VALUE", value)
    reply = client.post("/beckn/search", text, content_type="application/json")
    assert reply.status_code == 400, reply.content[:300]
    body = reply.json()
    assert body["message"]["ack"]["status"] == "NACK"
    assert says in body["error"]["message"]


@pytest.mark.parametrize("value, says", UNDECODABLE[:4], ids=IDS[:4])
def test_a_pricing_document_gets_a_line_message(value, says):
    text = '{"version": 1,\n "operator": "cpo-a.example",\n "currency": VALUE}'
    text = text.replace("VALUE", value)
    with pytest.raises(FormatError) as refused:
        load(text)
    assert str(refused.value) == f"line 3: the document is not storable text: a string holds {says}"


def test_a_surrogate_pair_in_a_pricing_document_is_the_character_it_writes():
    document = load('{"version": 1, "operator": "cpo \\ud83d\\ude00"}')
    assert document["operator"] == "cpo \U0001f600"


@pytest.mark.parametrize("escaped", ["\\ud83d\\ude00", "\\ud800"])
def test_a_pricing_document_upload_in_the_admin_is_a_form_error_or_taken(client, network, escaped):
    """The admin's import: a lone surrogate is a form error (a 500 before); the pair is an
    emoji like any other text (a 500 before too)."""
    OfferFactory(operator=network.op_a, code="emoji", title="TITLE")
    text = dump(export_pricing(network.op_a), "json").replace('"TITLE"', f'"Weekend {escaped}"')
    client.force_login(network.pricing_a)
    upload = SimpleUploadedFile("pricing.json", text.encode(), "application/json")
    reply = client.post(reverse("admin:offers_pricing_import"),
                        {"operator": network.op_a.pk, "file": upload})  # fmt: skip
    assert reply.status_code == 200
    errors = reply.context["form"].errors.get("file", [])
    if escaped == "\\ud800":
        assert len(errors) == 1 and 'an unpaired surrogate: "Weekend \\ud800"' in errors[0]
    else:
        assert not errors
        assert "Weekend \U0001f600" in reply.content.decode()


def test_the_refusal_shows_where_the_character_is_in_a_long_string():
    """The value is shown up to the character no column can store, the 40 characters before
    it at most, in JSON's escapes: a NUL past the start of a long string is seen, and the
    message itself is UTF-8 text (a lone surrogate in it could be sent nowhere)."""
    text = json.dumps({"note": "₹" + "x" * 60 + "\ud800" + "y" * 10})
    with pytest.raises(FormatError) as refused:
        load(text)
    said = str(refused.value)
    assert said.endswith('an unpaired surrogate: ..."' + "x" * 39 + '\\ud800"')
    said.encode("utf-8")  # raises if the message holds the surrogate itself
