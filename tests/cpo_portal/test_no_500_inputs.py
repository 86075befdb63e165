"""Inputs that used to give a 500 get a clear answer: deep or long-numbered JSON to the
REST API (the project's JSON limits in DRF's parser), a 5,000-digit number in a pricing
document (a line message), and control characters in text on every write path (the
models' own rule, so an import reports them instead of the database refusing a NUL)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from cpo_portal.db.values import no_control_characters_but_lines
from cpo_portal.web import jsonlimits
from offers.services.config.exporting import export_pricing
from offers.services.config.format import FormatError, load
from offers.services.config.importing import import_pricing
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
URL = "/api/analytics/whatif-runs/"


@pytest.fixture
def api(network):
    client = APIClient()
    client.force_authenticate(network.analyst_a)
    return client


def post_raw(api, raw: str):
    return api.post(URL, data=raw, content_type="application/json")


def test_json_nested_3000_deep_to_the_api_is_a_400(api):
    response = post_raw(api, "[" * 3000 + "]" * 3000)
    assert response.status_code == 400
    assert f"nested more than {jsonlimits.MAX_DEPTH} levels deep" in response.json()["detail"]


@pytest.mark.parametrize("raw", ['{"offer": ' + "9" * 5000 + "}", '{"offer": NaN}'])
def test_numbers_json_cannot_hold_or_python_cannot_read_are_a_400(api, raw):
    response = post_raw(api, raw)
    assert response.status_code == 400, response.content


def test_a_body_over_the_api_limit_is_a_400(api):
    response = post_raw(api, '{"pad": "' + "x" * jsonlimits.API_MAX_BYTES + '"}')
    assert response.status_code == 400
    assert "larger than" in response.json()["detail"]


def test_a_5000_digit_integer_in_a_pricing_document_is_a_line_message():
    with pytest.raises(FormatError, match=r"^line 3: .*number of 5,000 characters"):
        load("version: 1\noffers:\n- percent: " + "1" * 5000 + "\n")
    with pytest.raises(FormatError, match="line 1: "):
        load('{"version": 1, "n": ' + "7" * 4400 + "}")


def test_a_nul_in_a_title_in_a_pricing_document_is_an_import_error(network):
    OfferFactory(operator=network.op_a, code="nul-title", title="Plain")
    document = export_pricing(network.op_a)
    row = next(r for r in document["offers"] if r["code"] == "nul-title")
    row["title"] = "Weekend\x00Offer"
    plan = import_pricing(network.op_a, document)
    assert [e for e in plan.errors if "title" in e and "control characters" in e], plan.errors


def test_every_text_field_refuses_control_characters_and_text_areas_keep_lines(network):
    station = network.station_a
    station.name = "North\x07Gate"
    with pytest.raises(ValidationError) as caught:
        station.full_clean()
    assert "Remove control characters" in str(caught.value.message_dict["name"])
    offer = OfferFactory(operator=network.op_a, code="lines")
    offer.short_desc = "Tab\tand no line"
    with pytest.raises(ValidationError):
        offer.full_clean()
    no_control_characters_but_lines("line one\nline two\twith a tab\r\n")
    with pytest.raises(ValidationError):
        no_control_characters_but_lines("NUL\x00here")
