"""An operator's currency is fixed once anything is priced in it (tariffs, offers, orders):
the admin form says why and what to do; an operator with nothing priced may change it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpo_portal.models import Operator
from tests.offers.factories import OfferFactory
from tests.pricing.factories import TariffFactory
from tests.support.admin import operator_post

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_switching_a_priced_operator_to_another_currency(client, network):
    TariffFactory(operator=network.op_a)
    OfferFactory(operator=network.op_a, code="ten")
    client.force_login(network.admin_a)
    url = reverse("admin:cpo_portal_operator_change", args=[network.op_a.pk])
    page = client.post(url, operator_post(network.op_a, currency="USD"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "prices in INR: it has 1 tariff, 1 offer in INR" in text
    assert "set up another operator" in text
    assert Operator.objects.get(pk=network.op_a.pk).currency == "INR"


def test_orders_alone_fix_the_currency(network):
    from beckn.models import Order

    Order.objects.create(
        operator=network.op_b, charger_code="c1", bap_id="bap.example", transaction_id="t1"
    )
    network.op_b.currency = "USD"
    with pytest.raises(ValidationError) as caught:
        network.op_b.full_clean()
    assert "it has 1 order in INR" in caught.value.message_dict["currency"][0]


def test_nothing_priced_means_the_currency_may_change(network):
    operator = network.op_b
    operator.currency = "USD"
    operator.full_clean()
    operator.save()
    TariffFactory(operator=operator, currency="USD")
    operator.currency = "EUR"
    with pytest.raises(ValidationError) as caught:
        operator.full_clean()
    assert "currency stays USD" in caught.value.message_dict["currency"][0]
