"""An id, a count or a phone number typed with a digit that is not 0-9 ("²" passes
`str.isdigit`, then `int` refuses it or the database cannot match it) gets the surface's
own answer, never a 500 or a traceback: every surface reads whole numbers through
`cpo_portal.formatting.number_inputs.whole_number`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cpo_portal.formatting.number_inputs import whole_number, whole_number_at_most
from offers.customer_keys import ContactError, normalise_phone

SUPERSCRIPT_TWO = "\u00b2"


def test_only_the_digits_0_to_9_make_a_whole_number():
    assert whole_number("42") == 42 and whole_number("007") == 7
    for text in (SUPERSCRIPT_TWO, "4" + SUPERSCRIPT_TWO, "\u0663", "", "-1", "1.5", " 1"):
        assert whole_number(text) is None, text


def test_a_number_past_64_bits_is_none_however_many_digits_it_has():
    """`int` refuses a text of more than 4,300 digits with an error (a 500 where a 400 was
    due); leading zeros are no part of the size."""
    assert whole_number("9" * 5000) is None and whole_number(str(2**63)) is None
    assert whole_number(str(2**63 - 1)) == 2**63 - 1
    assert whole_number("0" * 5000 + "7") == 7


def test_a_number_at_most_reads_any_larger_one_as_the_most():
    for text in ("101", str(2**64), "9" * 5000):
        assert whole_number_at_most(text, 100) == 100, text[:30]
    assert whole_number_at_most("0" * 40 + "42", 100) == 42
    assert whole_number_at_most("000", 100) == 0
    for text in (SUPERSCRIPT_TWO, "", "-1", "1e3", " 1"):
        assert whole_number_at_most(text, 100) is None, text


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "admin:offers_offer_simulate",
        "admin:analytics_whatifrun_add",
    ],
)
@pytest.mark.parametrize("param", ["offer", "surge_rule", "presented_share"])
def test_admin_pages_take_the_id_as_unknown(network, url, param):
    client = logged_in(network.pricing_a)
    response = client.get(f"{reverse(url)}?{param}={SUPERSCRIPT_TWO}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_api_refuses_the_operator_with_its_message(network):
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    response = api.get(reverse("analytics-api:offer-roi"), {"operator": SUPERSCRIPT_TWO})
    assert response.status_code == 400
    assert response.json()["operator"][0].startswith("Select a valid choice.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["ocpi_tariff", "export", "--tariff", SUPERSCRIPT_TWO], "Unknown tariff '²'."),
        (["rollup_backfill", "--parts", SUPERSCRIPT_TWO], "--parts: takes a whole number"),
        (["rollup_backfill", "--status", SUPERSCRIPT_TWO], "'²' is not a run id"),
    ],
)
def test_commands_say_so_in_one_line(args, says):
    with pytest.raises(CommandError, match=says):
        call_command(*args)


def test_a_phone_number_with_such_a_digit_is_not_a_phone_number():
    with pytest.raises(ContactError, match=r"not a valid E\.164 phone number"):
        normalise_phone("+9198765432" + SUPERSCRIPT_TWO)
