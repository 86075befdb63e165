"""Offer value rules in the model: bounded JSON terms (slabs, time-of-day rates), money and
percentages, refused alike by the admin form, full_clean() and the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cpo_portal.web.jsonlimits import text_depth, value_depth
from offers.models import AddOn, Offer
from tests.offers.factories import OfferFactory
from tests.support.admin import offer_post

pytestmark = pytest.mark.django_db
DEEP = "[" * 5000 + "]" * 5000  # 10 kB: deeper than the JSON parser can recurse


def test_deeply_nested_slabs_are_a_form_error_not_a_500(client, network):
    client.force_login(network.pricing_a)
    response = client.post(
        reverse("admin:offers_offer_add"),
        offer_post(network.op_a, benefit_kind="slabs", percent="", base="", slabs=DEEP),
    )
    assert response.status_code == 200
    assert "The JSON is nested more than 4 levels deep." in (response.content.decode())
    assert not Offer.objects.filter(code="happy-hour").exists()


def test_deeply_nested_terms_are_refused_by_the_model(network):
    offer = OfferFactory.build(operator=network.op_a, benefit_kind="slabs", percent=None)
    deep: list = []
    for _ in range(50):
        deep = [deep]
    offer.slabs = deep
    offer.tod_rates = [{"rate": "1" * 20_000}]
    with pytest.raises(ValidationError) as caught:
        offer.full_clean()
    errors = caught.value.message_dict
    assert errors["slabs"][0] == "The JSON is nested more than 4 levels deep."
    assert errors["tod_rates"][0] == "The JSON is larger than 16,384 bytes."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", Decimal("10000000.01"), "At most 10000000."),
        ("max_discount", Decimal("-1"), "Must not be negative."),
        ("budget", Decimal("1000000000.01"), "At most 1000000000."),
        ("wheeling_currency", "ZZZ", "'ZZZ' is not an ISO 4217 currency code; use one like INR."),
    ],
)
def test_offer_money_and_currency_bounds(network, field, value, message):
    offer = OfferFactory.build(operator=network.op_a)
    setattr(offer, field, value)
    with pytest.raises(ValidationError) as caught:
        offer.full_clean()
    assert message in caught.value.message_dict[field]


def test_the_database_refuses_out_of_range_offer_values(network):
    offer = OfferFactory(operator=network.op_a)
    for values in ({"percent": Decimal("150")}, {"holdout_percent": Decimal("101")},
                   {"budget": Decimal("-5")}):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            Offer.objects.filter(pk=offer.pk).update(**values)


def test_the_database_refuses_an_add_on_tax_rate_above_one(network):
    add_on = AddOn.objects.create(
        operator=network.op_a, code="valet", name="Valet", price=Decimal("100")
    )
    for values in ({"tax_rate": Decimal("5")}, {"price": Decimal("-1")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            AddOn.objects.filter(pk=add_on.pk).update(**values)


def test_depth_counts_ignore_brackets_inside_strings():
    assert text_depth('{"a": "[[[[[[", "b": [{"c": "]]]\\"["}]}') == 3
    assert value_depth({"a": [{"b": [1]}]}) == 4
    assert (text_depth("5"), value_depth("x")) == (0, 0)
    assert text_depth('[["\\"\\"\\"') == 2  # an unterminated string runs to the end
    assert text_depth("[" * 100_000, stop=10) == 11  # counting stops past the limit
