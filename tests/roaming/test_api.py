"""The OCPI HTTP surface: tokens (Base64 and plain), the envelope on every error, the
pagination parameters and headers, and one operator's partner never seeing another's."""

from __future__ import annotations

import pytest

from roaming.models import PartnerState
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db

TARIFFS = "/ocpi/2.2.1/tariffs"
LOCATIONS = "/ocpi/2.2.1/locations"


def envelope_of(response) -> dict:
    body = response.json()
    assert set(body) >= {"status_code", "status_message", "timestamp"}
    assert body["timestamp"].endswith("Z")
    return body


@pytest.fixture
def partner(ocpi):
    return registered_partner(network())


def test_a_base64_token_and_a_plain_one_both_open_the_api(client, partner):
    _row, token = partner
    encoded = client.get(TARIFFS, headers=auth(token))
    plain = client.get(TARIFFS, headers={"Authorization": f"Token {token}"})
    assert encoded.status_code == plain.status_code == 200
    assert envelope_of(encoded)["data"] == envelope_of(plain)["data"]


@pytest.mark.parametrize(
    "header",
    [None, "Token", "Token bm90LWEtdG9rZW4=", "Bearer abc", "Token \x7f\x7f", "Token ✓✓"],
)
def test_unknown_or_missing_tokens_get_401_in_the_envelope(client, partner, header):
    headers = {} if header is None else {"Authorization": header}
    response = client.get(TARIFFS, headers=headers)
    assert response.status_code == 401
    assert envelope_of(response)["status_code"] == 2000


def test_a_registration_token_opens_only_versions_and_credentials(client, ocpi):
    operator = network(stations=1)
    partner, token = registered_partner(operator)
    partner.inbound_token_final = False
    partner.state = PartnerState.PENDING
    partner.save()
    assert client.get("/ocpi/versions", headers=auth(token)).status_code == 200
    assert client.get("/ocpi/2.2.1", headers=auth(token)).status_code == 200
    assert client.get("/ocpi/2.2.1/credentials", headers=auth(token)).status_code == 200
    assert client.get(TARIFFS, headers=auth(token)).status_code == 401
    # PUT and DELETE need a registration first: HTTP 405, as the spec asks.
    assert client.delete("/ocpi/2.2.1/credentials", headers=auth(token)).status_code == 405


def test_get_credentials_answers_our_party_and_the_token_in_use(client, partner):
    _row, token = partner
    data = envelope_of(client.get("/ocpi/2.2.1/credentials", headers=auth(token)))["data"]
    assert data["token"] == token
    assert data["url"] == "http://testserver/ocpi/versions"
    assert data["roles"][0] == {
        "role": "CPO", "party_id": "CPO", "country_code": "IN",
        "business_details": {"name": "Operator cpo1.example"},
    }  # fmt: skip


@pytest.mark.parametrize(
    "query, message",
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("date_from=yesterday", "date_from"),
        ("date_to=2025-13-01T00:00:00Z", "date_to"),
    ],
)
def test_bad_paging_parameters_are_2001(client, partner, query, message):
    _row, token = partner
    response = client.get(f"{TARIFFS}?{query}", headers=auth(token))
    body = envelope_of(response)
    assert (response.status_code, body["status_code"]) == (200, 2001)  # reached OCPI: no HTTP error
    assert message in body["status_message"]


def test_pages_carry_the_link_and_counts_and_keep_the_filters(client, partner):
    _row, token = partner
    query = "limit=2&date_from=2020-01-01T00:00:00Z"
    first = client.get(f"{LOCATIONS}?{query}", headers=auth(token))
    assert first.headers["X-Total-Count"] == "3" and first.headers["X-Limit"] == "2"
    assert first.headers["Link"] == (
        "<http://testserver/ocpi/2.2.1/locations?offset=2&limit=2"
        '&date_from=2020-01-01T00%3A00%3A00Z>; rel="next"'
    )
    last = client.get(f"{LOCATIONS}?offset=2&{query}", headers=auth(token))
    assert "Link" not in last.headers and len(envelope_of(last)["data"]) == 1
    big = client.get(f"{TARIFFS}?limit=5000", headers=auth(token))
    assert big.headers["X-Limit"] == "100"


@pytest.mark.parametrize("limit", ["101", "99999999999999999999999", "9" * 5000])
def test_a_limit_above_the_most_is_the_most_however_large(client, partner, limit):
    """A limit past 64 bits was a 400 ("give a whole number") and one of more than 4,300
    digits a 3000, while 5000 was capped: a whole number, capped like any other."""
    _row, token = partner
    response = client.get(f"{LOCATIONS}?limit={limit}", headers=auth(token))
    assert (response.status_code, envelope_of(response)["status_code"]) == (200, 1000)
    assert response.headers["X-Limit"] == "100" and len(envelope_of(response)["data"]) == 3


@pytest.mark.parametrize("offset", ["3", "2000000000", "99999999999999999999999", "9" * 5000])
def test_an_offset_past_the_end_is_an_empty_page_however_large(client, partner, offset):
    """An offset past 64 bits was a 400; it is past the end like any other (kept within
    what the database binds before it reaches the query)."""
    _row, token = partner
    response = client.get(f"{LOCATIONS}?offset={offset}&limit=2", headers=auth(token))
    body = envelope_of(response)
    assert (response.status_code, body["status_code"], body["data"]) == (200, 1000, [])
    assert response.headers["X-Total-Count"] == "3" and response.headers["X-Limit"] == "2"
    assert "Link" not in response.headers


@pytest.mark.parametrize(
    "query",
    [
        "date_from=0001-01-01T00:00:00%2B05:30",
        "date_from=1970-01-01T00:00:00Z",
        "date_to=9999-12-31T23:59:59-14:00",
    ],
)
def test_a_bound_before_or_past_every_row_leaves_none_out(client, partner, query):
    """Year 1 or 9999 with an offset (past what Python's dates hold) and the epoch are
    bounds like any other: the whole list, not an internal error."""
    _row, token = partner
    everything = envelope_of(client.get(LOCATIONS, headers=auth(token)))["data"]
    for path in (TARIFFS, LOCATIONS):
        response = client.get(f"{path}?{query}", headers=auth(token))
        assert response.status_code == 200 and envelope_of(response)["status_code"] == 1000
    assert (
        envelope_of(client.get(f"{LOCATIONS}?{query}", headers=auth(token)))["data"] == everything
    )
    assert everything


def test_a_location_its_evse_and_its_connector(client, partner):
    _row, token = partner
    base = f"{LOCATIONS}/cpo1-st-001"
    location = envelope_of(client.get(base, headers=auth(token)))["data"]
    assert location["country"] == "IND" and location["time_zone"] == "Asia/Kolkata"
    evse = envelope_of(client.get(f"{base}/cpo1-ch-001", headers=auth(token)))["data"]
    assert evse["status"] == "AVAILABLE"
    connector = envelope_of(client.get(f"{base}/cpo1-ch-001/1", headers=auth(token)))["data"]
    assert connector["standard"] == "IEC_62196_T2_COMBO"
    assert connector["max_electric_power"] == 30000
    missing = client.get(f"{base}/nope", headers=auth(token))
    assert (missing.status_code, envelope_of(missing)["status_code"]) == (404, 2003)


def test_errors_are_envelopes_never_html(client, partner):
    _row, token = partner
    unknown = client.get("/ocpi/2.2.1/sessions", headers=auth(token))
    assert unknown.status_code == 404 and envelope_of(unknown)["status_code"] == 2000
    bad_json = client.put(
        "/ocpi/2.2.1/credentials", "{not json", content_type="application/json",
        headers=auth(token),
    )  # fmt: skip
    assert bad_json.status_code == 400 and envelope_of(bad_json)["status_code"] == 2001
    wrong_method = client.post(TARIFFS, {}, content_type="application/json", headers=auth(token))
    assert wrong_method.status_code == 405 and envelope_of(wrong_method)["status_code"] == 2000
    bad_credentials = client.put(
        "/ocpi/2.2.1/credentials", {"token": "x"}, content_type="application/json",
        headers=auth(token),
    )  # fmt: skip
    assert envelope_of(bad_credentials)["status_code"] == 2001


@pytest.mark.parametrize("url", [TARIFFS, f"{LOCATIONS}/cpo1-st-001", "/ocpi/2.2.1/credentials"])
def test_options_is_a_method_the_endpoint_has_not(client, partner, url):
    """OPTIONS answered DRF's metadata (name, renders, parses), not the envelope."""
    _row, token = partner
    response = client.options(url, headers=auth(token))
    body = envelope_of(response)
    assert (response.status_code, body["status_code"]) == (405, 2000)
    assert body["status_message"] == 'Method "OPTIONS" not allowed.'
    assert not set(body) & {"name", "description", "renders", "parses"}
    assert "OPTIONS" not in response.headers["Allow"] and "GET" in response.headers["Allow"]
    assert client.options(url).status_code == 401  # the token is checked first, as ever


def test_registration_with_an_unreachable_partner_is_3001(client, ocpi):
    operator = network(stations=1)
    partner, token = registered_partner(operator)
    partner.state = PartnerState.PENDING
    partner.save()
    role = {"role": "EMSP", "party_id": "EMS", "country_code": "NL"}
    credentials = {"token": "their-b", "url": "http://127.0.0.1:9/ocpi/versions", "roles": [role]}
    response = client.post("/ocpi/2.2.1/credentials", credentials,
                           content_type="application/json", headers=auth(token))  # fmt: skip
    assert (response.status_code, envelope_of(response)["status_code"]) == (200, 3001)


def test_a_partner_sees_only_its_operators_tariffs_and_locations(client, ocpi):
    _a, token_a = registered_partner(network("cpo-a.example", stations=2))
    network("cpo-b.example", stations=2)
    tariffs = envelope_of(client.get(TARIFFS, headers=auth(token_a)))["data"]
    locations = envelope_of(client.get(LOCATIONS, headers=auth(token_a)))["data"]
    assert {t["id"] for t in tariffs} == {"cpo-a-default", "cpo-a-station-001"}
    assert {loc["id"] for loc in locations} == {"cpo-a-st-000", "cpo-a-st-001"}
    assert all(loc["operator"]["name"] == "Operator cpo-a.example" for loc in locations)


def strings_in(value, path="") -> list[tuple[str, str]]:
    """(path, text) of every string in a JSON value."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in strings_in(v, f"{path}[{i}]")]
    return []


def test_every_string_we_serve_is_an_ocpi_string_and_every_time_an_ocpi_datetime(client, partner):
    """OCPI strings hold no line breaks, and a DateTime is at most 25 characters
    (types.asciidoc): a tariff with time-of-day bands (its names travel in
    tariff_alt_text) and every Location, with times that have microseconds."""
    import datetime as dt

    from pricing.models import Tariff
    from tests.pricing.factories import BandFactory

    row, token = partner
    tariff = Tariff.objects.filter(operator=row.operator).first()
    BandFactory(tariff=tariff, code="EVENING", start=dt.time(18), end=dt.time(21))
    BandFactory(tariff=tariff, code="NIGHT", start=dt.time(22), end=dt.time(6))
    served = [
        (url, envelope_of(client.get(url, headers=auth(token)))) for url in (TARIFFS, LOCATIONS)
    ]
    texts = [s for url, body in served for s in strings_in(body, url)]
    assert any(".tariff_alt_text" in path for path, _ in texts)
    assert [(p, t) for p, t in texts if "\n" in t or "\r" in t] == []
    times = [(p, t) for p, t in texts if p.endswith(("last_updated", "timestamp"))]
    assert times and [(p, t) for p, t in times if len(t) > 25 or not t.endswith("Z")] == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"party_id": "C\u00c9O"}, "party_id (3 letters or digits)"),  # no CDR could name it
        ({"country_code": "I1"}, "country_code (2 letters)"),
        ({"url": "https://emsp.example/" + "v" * 500}, "url: at most 500 characters"),
    ],
)
def test_credentials_a_partner_could_never_use_are_refused(change, words):
    """Stored, a party id no CDR can match left the partner unable to push; a URL past
    the column was a database error (a 3000 on PostgreSQL)."""
    from roaming.services import credentials
    from roaming.services.envelope import OcpiProblem

    role = {"role": "EMSP", "party_id": "EMS", "country_code": "NL"}
    data = {"token": "t-1", "url": "https://emsp.example/versions", "roles": [role]}
    credentials.read_credentials(data)  # as it is, taken
    data = {**data, "url": change.get("url", data["url"])}
    data["roles"] = [{**role, **{k: v for k, v in change.items() if k != "url"}}]
    with pytest.raises(OcpiProblem, match=words.replace("(", r"\(").replace(")", r"\)")):
        credentials.read_credentials(data)


CREDENTIALS = "/ocpi/2.2.1/credentials"
THEIR_ENDPOINTS = ("2.2.1", [{"identifier": "credentials", "role": "RECEIVER",
                              "url": "https://emsp.example/ocpi/2.2.1/credentials"}])  # fmt: skip


def their_credentials(token: str) -> dict:
    role = {"role": "EMSP", "party_id": "EMS", "country_code": "NL"}
    return {"token": token, "url": "https://emsp.example/ocpi/versions", "roles": [role]}


def test_a_registration_that_loses_a_race_gets_what_it_would_get_after_the_winner(
    client, ocpi, monkeypatch
):
    """Two POSTs with token A at once: the one that locks the partner second finds A
    replaced by the winner's C. It was answered HTTP 409, which OCPI has not (an HTTP
    error to a request that reached the OCPI layer "MUST NOT" be returned, status_codes);
    now as the same POST is answered after the winner: 401, A is no partner's token."""
    from roaming.models import Partner
    from roaming.services import credentials

    partner = Partner.objects.create(operator=network(stations=1), name="Twice")
    token_a = credentials.issue_registration_token(partner)

    def post(token: str):
        body = their_credentials(f"b-{token[:4]}")
        return client.post(CREDENTIALS, body, content_type="application/json",
                           headers=auth(token))  # fmt: skip

    winners = []

    def read_their_api_while_the_other_registers(url, token):
        monkeypatch.setattr(credentials, "fetch_endpoints", lambda url, token: THEIR_ENDPOINTS)
        winners.append(post(token_a))
        return THEIR_ENDPOINTS

    monkeypatch.setattr(credentials, "fetch_endpoints", read_their_api_while_the_other_registers)
    lost = post(token_a)
    assert envelope_of(winners[0])["status_code"] == 1000
    assert (lost.status_code, envelope_of(lost)["status_code"]) == (401, 2000)
    again = post(token_a)
    assert (again.status_code, envelope_of(again)["status_code"]) == (401, 2000)
    token_c = winners[0].json()["data"]["token"]
    assert client.get(TARIFFS, headers=auth(token_c)).status_code == 200  # the winner's


def test_an_unregistration_that_loses_a_race_to_a_token_update_leaves_the_registration(
    client, ocpi, monkeypatch
):
    """DELETE with token C while a PUT replaces C: the DELETE, answered after the PUT,
    presents a token no partner holds (401); it unregistered the partner, whose new
    token then opened nothing."""
    from roaming.models import Partner
    from roaming.services import credentials
    from roaming.services.envelope import OcpiProblem

    partner, _token = registered_partner(network(stations=1))
    as_the_delete_found_it = Partner.objects.get(pk=partner.pk)
    monkeypatch.setattr(credentials, "fetch_endpoints", lambda url, token: THEIR_ENDPOINTS)
    new = credentials.register_partner(partner, their_credentials("b-2"), update=True)
    with pytest.raises(OcpiProblem) as refused:
        credentials.unregister_partner(as_the_delete_found_it)
    assert (refused.value.http_status, refused.value.status_code) == (401, 2000)
    assert client.get(TARIFFS, headers=auth(new["token"])).status_code == 200


@pytest.mark.parametrize(
    ("body", "http_status"),
    [
        ('{"token": "t\\u0000"}', 200),  # JSON, refused by our limits: reached OCPI
        ('{"token": 1e999}', 200),
        ("[" * 30 + "]" * 30, 200),
        ('{"token": NaN}', 400),  # no JSON: status_codes' HTTP 400
        ('{"token": "t"', 400),
        (b'{"token": "\xff"}', 400),  # not UTF-8
    ],
)
def test_a_credentials_body_is_an_http_error_only_when_it_is_no_json(
    client, partner, body, http_status
):
    """status_codes: HTTP 400 "when a message does not contain a valid JSON string", and
    no HTTP error to valid JSON from a known partner. JSON past a limit of ours (a NUL, a
    number out of range, too deep) was a 400 too."""
    _row, token = partner
    reply = client.put(CREDENTIALS, body, content_type="application/json", headers=auth(token))
    assert reply.status_code == http_status
    assert envelope_of(reply)["status_code"] == 2001
