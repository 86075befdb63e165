"""Operator value rules in the model: an ISO 4217 currency and a GST fraction, refused by
the admin form, the demo seeder's helper and (the tax rate) the database alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpo_portal.db.validation import describe
from cpo_portal.db.values import CURRENCIES, currency_code
from cpo_portal.demo import upsert_operator
from cpo_portal.models import Operator
from tests.support.admin import operator_post

pytestmark = pytest.mark.django_db
ZZZ = "'ZZZ' is not an ISO 4217 currency code; use one like INR."


def test_admin_form_and_seeder_refuse_an_unknown_currency(client, network):
    client.force_login(network.admin_a)
    url = reverse("admin:cpo_portal_operator_change", args=[network.op_a.pk])
    page = client.post(url, operator_post(network.op_a, currency="ZZZ")).content.decode()
    assert ZZZ.replace("'", "&#x27;") in page
    with pytest.raises(ValidationError) as caught:
        upsert_operator("zzz.example", name="Z", currency="ZZZ")
    assert describe(caught.value, Operator) == f"currency (currency): {ZZZ}"
    network.op_a.refresh_from_db()
    assert network.op_a.currency == "INR"
    assert not Operator.objects.filter(code="zzz.example").exists()


def test_the_currency_list_is_iso_4217_money():
    for code in ("INR", "EUR", "USD", "JPY", "IDR"):
        currency_code(code)
    for code in ("ZZZ", "XXX", "XTS", "XAU", "inr", "RUR"):  # RUR: withdrawn in 1998
        assert code not in CURRENCIES


def test_the_operator_tax_rate_is_a_fraction(network):
    network.op_a.tax_rate = Decimal("1.5")
    with pytest.raises(ValidationError) as caught:
        network.op_a.full_clean()
    assert caught.value.message_dict["tax_rate"] == ["GST must be between 0% and 100%."]
