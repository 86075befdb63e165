"""The operator's fee settings in the admin: the overcharge estimation buffer and the
maximum buyer finder fee, typed in percent, stored as shares, refused when out of range
with the field's own message (and by the database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cpo_portal.models import Operator
from tests.support.admin import operator_post

pytestmark = pytest.mark.django_db


def _post(client, network, **fields):
    client.force_login(network.superuser)
    url = reverse("admin:cpo_portal_operator_change", args=[network.op_a.pk])
    return client.post(url, operator_post(network.op_a, offer_combination="ondc", **fields))


def test_the_admin_stores_the_fees_typed_in_percent(client, network):
    response = _post(client, network, overcharge_buffer="10", max_buyer_finder_fee="2.5")
    assert response.status_code == 302, response.content.decode()[:3000]
    network.op_a.refresh_from_db()
    assert (network.op_a.overcharge_buffer, network.op_a.max_buyer_finder_fee) == (
        Decimal("0.1000"), Decimal("0.0250"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "overcharge_buffer",
            "-1",
            "The overcharge estimation buffer must be between 0% and 100%.",
        ),
        (
            "overcharge_buffer",
            "150",
            "The overcharge estimation buffer must be between 0% and 100%.",
        ),
        (
            "max_buyer_finder_fee",
            "100.5",
            "The maximum buyer finder fee must be between 0% and 100%.",
        ),
        (
            "max_buyer_finder_fee",
            "-0.01",
            "The maximum buyer finder fee must be between 0% and 100%.",
        ),
        ("max_buyer_finder_fee", "lots", "Enter a number."),
    ],
)
def test_the_admin_refuses_bad_fee_settings(client, network, field, value, message):
    response = _post(client, network, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    network.op_a.refresh_from_db()
    assert getattr(network.op_a, field) == 0


def test_the_database_refuses_a_fee_setting_over_100_percent(network):
    with pytest.raises(IntegrityError), transaction.atomic():
        Operator.objects.filter(pk=network.op_a.pk).update(overcharge_buffer=Decimal("1.5"))
