"""The API docs: the OpenAPI schema documents the Beckn endpoints; Swagger UI and the
browsable API render without inline styles, and only Swagger UI may load data: images."""

from __future__ import annotations

from pathlib import Path

import pytest
import rest_framework
from drf_spectacular.validation import validate_schema

from beckn.protocol.schema import REQUEST_ACTIONS

API_TEMPLATE = Path(__file__).parents[2] / "templates" / "rest_framework" / "api.html"


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, name = node["$ref"].split("/")
        node = schema["components"]["schemas"][name]
    return node


def test_schema_documents_every_beckn_action_with_request_and_ack(schema):
    validate_schema(schema)  # still a valid OpenAPI 3 document
    for action in REQUEST_ACTIONS:
        operation = schema["paths"][f"/beckn/{action}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["required"] == ["context", "message"]
        context = resolve(schema, body["properties"]["context"]["allOf"][0])
        assert {"action", "bap_id", "transaction_id"} <= set(context["properties"])
        assert {"200", "400", "401"} <= set(operation["responses"])
        ok = operation["responses"]["200"]["content"]["application/json"]
        assert ok["example"] == {"message": {"ack": {"status": "ACK"}}}
        nack = operation["responses"]["400"]["content"]["application/json"]["example"]
        assert nack["message"]["ack"]["status"] == "NACK" and nack["error"]["code"] == "30000"
        assert operation["security"] == [{"BecknSubscriberAuth": []}]
    search = schema["paths"]["/beckn/search"]["post"]["requestBody"]["content"]
    intent = search["application/json"]["schema"]["properties"]["message"]["properties"]
    assert intent["intent"] == {"$ref": "#/components/schemas/BecknIntent"}
    answer = schema["components"]["schemas"]["BecknAckResponse"]
    assert answer["properties"]["error"] == {"$ref": "#/components/schemas/BecknError"}
    assert "/api/analytics/series/" in schema["paths"]  # the DRF endpoints stay


def test_swagger_page_has_no_inline_style_and_alone_allows_data_images(client, network):
    client.force_login(network.analyst_a)
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert "<style" not in html and "swagger_page.css" in html
    assert "img-src 'self' data:" in docs["Content-Security-Policy"]
    assert "style-src" not in docs["Content-Security-Policy"]  # default-src 'self' rules
    script = client.get("/api/docs/?script").content.decode()
    assert '"validatorUrl": null' in script or '"validatorUrl":null' in script
    elsewhere = client.get("/admin/")
    assert "data:" not in elsewhere["Content-Security-Policy"]


def test_browsable_api_renders_without_inline_styles(client, network):
    client.force_login(network.superuser)
    page = client.get("/api/analytics/daily-rollups/", HTTP_ACCEPT="text/html")
    html = page.content.decode()
    assert page.status_code == 200 and "Filters" in html and "drf-side-action" in html
    assert "<style" not in html and "style=" not in html


def test_our_browsable_api_block_follows_drf(settings):
    """templates/rest_framework/api.html carries DRF's request_forms block with classes
    for its style attributes: it must still be DRF's block once those are undone."""
    ours = API_TEMPLATE.read_text()
    drf = (Path(rest_framework.__file__).parent / "templates/rest_framework/base.html").read_text()
    marker, end = "{% block request_forms %}", "{% endblock request_forms %}"
    theirs = drf[drf.index(marker) : drf.index(end)]
    mine = ours[ours.index(marker) : ours.index(end)]
    mine = mine.replace(
        '<div class="dropdown pull-right drf-side-action">',
        '<div class="dropdown" style="float: right; margin-right: 10px">',
    ).replace(
        '<button class="pull-right drf-side-action btn btn-default" data-toggle="modal" '
        'data-target="#filtersModal">',
        '<button style="float: right; margin-right: 10px" data-toggle="modal" '
        'data-target="#filtersModal" class="btn btn-default">',
    )
    assert mine == theirs
