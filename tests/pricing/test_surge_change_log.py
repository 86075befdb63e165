"""A surge rule's amount reads in the change log as every other surface writes it
(pricing.engine.text.surge_amount): by the rule's form, on each side of the change the
form the rule had then."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.pricing.admin_posts import surge_edit_post, url
from tests.pricing.factories import SurgeFactory

pytestmark = pytest.mark.django_db


def edit(client, rule, **fields) -> None:
    response = client.post(url("surgerule", "change", rule.pk), surge_edit_post(rule, **fields))
    assert response.status_code == 302, response.content.decode()[:3000]


def pages(client, rule) -> list[str]:
    """The change log and the rule's own history page."""
    return [
        client.get("/admin/changes/?kind=pricing.surgerule").content.decode(),
        client.get(url("surgerule", "history", rule.pk)).content.decode(),
    ]


def test_a_percent_surges_amount_is_a_percentage_not_money(as_pricing_a, network):
    rule = SurgeFactory(operator=network.op_a, form="percent", amount=Decimal("10"))
    edit(as_pricing_a, rule, amount="12.35")
    for page in pages(as_pricing_a, rule):
        assert "<strong>amount</strong> 10% → 12.35%" in page
        assert "₹12.35" not in page


def test_a_per_kwh_surges_amount_is_a_rate_per_kwh(as_pricing_a, network):
    rule = SurgeFactory(operator=network.op_a, form="per_kwh", amount=Decimal("1"))
    edit(as_pricing_a, rule, amount="0.125")
    for page in pages(as_pricing_a, rule):
        assert "<strong>amount</strong> ₹1/kWh → ₹0.125/kWh" in page


@pytest.mark.parametrize(
    "before, after, words",
    [
        (("per_kwh", "0.125"), ("percent", "12.35"), "₹0.125/kWh → 12.35%"),
        (("flat", "1500"), ("per_kwh", "2"), "₹1,500 → ₹2/kWh"),
        (("percent", "20"), ("flat", "10.5"), "20% → ₹10.50"),
    ],
)
def test_each_side_reads_by_the_form_the_rule_had_then(as_pricing_a, network, before, after, words):
    rule = SurgeFactory(operator=network.op_a, form=before[0], amount=Decimal(before[1]))
    edit(as_pricing_a, rule, form=after[0], amount=after[1])
    for page in pages(as_pricing_a, rule):
        assert f"<strong>amount</strong> {words}" in page
        assert "<strong>charge form</strong>" in page
