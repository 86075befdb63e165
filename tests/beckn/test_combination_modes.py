"""The offer combination is the operator's setting: changed in the admin (scoped to the
operator's staff, kept in its history), read by the commerce service on every quote, and
each documented mode (docs/offers.md, Selection) reached end to end through a Beckn select."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cpo_portal.models import Operator
from cpo_portal.models.operators import OfferCombination
from offers.rules.choose import Combination
from tests.beckn import bap as msgs
from tests.beckn.deg_pricing import price_as_deg
from tests.offers.factories import OfferFactory
from tests.support.beckn import breakup

pytestmark = pytest.mark.django_db
SESSION = [("Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"), ("Service fee", "10.00")]
WEEKEND = ("Weekend Special Offer (25% off)", "-22.50")
ONDC_ONLY = [*SESSION, WEEKEND, ("GST (18%)", "13.95")]
# 25 % of the 90.00 energy; then 10 % of the 67.50 left; then the whole fee: 39.25 off
STACKED = [
    *SESSION,
    WEEKEND,
    ("Loyalty 10% (additive)", "-6.75"),
    ("Fee waived (additive)", "-10.00"),
    ("GST (18%)", "10.94"),
]


@pytest.fixture
def offers(network):
    """The worked example on the DEG session (₹100 = 5 kWh at ₹18 + ₹10 fee): the exclusive
    weekend offer saves 22.50; the additive stack alone 9.00 + 10.00 = 19.00."""
    price_as_deg(network.op_a)
    plain = {"min_session_value": None, "max_discount": None, "additive": True}
    OfferFactory(
        operator=network.op_a, code="loyalty-10", title="Loyalty 10% (additive)",
        percent=Decimal("10"), priority=10, **plain,
    )  # fmt: skip
    OfferFactory(
        operator=network.op_a, code="fee-waiver", title="Fee waived (additive)",
        benefit_kind="service_fee_waiver", percent=None, base="", priority=1, **plain,
    )  # fmt: skip
    return network


def _set_mode(operator: Operator, mode: str) -> None:
    operator.offer_combination = mode
    operator.full_clean()
    operator.save()


def test_the_settings_choices_are_the_rules_modes():
    assert [c.value for c in OfferCombination] == [c.value for c in Combination]
    assert Operator().offer_combination == Combination.ONDC  # the default


@pytest.mark.parametrize(
    ("mode", "expected", "total"),
    [
        (Combination.ONDC, ONDC_ONLY, "91.45"),  # 22.50 alone beats the 19.00 stack
        (Combination.EXCLUSIVE_PLUS_ADDITIVES, STACKED, "71.69"),  # 60.75 + 10.94 tax
    ],
)
def test_every_mode_through_a_beckn_select(offers, bap, run, our_key, mode, expected, total):
    _set_mode(offers.op_a, mode)
    _, body = run(bap, "select", msgs.select(offers.op_a.code, offers.charger_a.code))
    assert breakup(body) == expected
    assert body["message"]["order"]["quote"]["price"]["value"] == total


def operator_form(operator: Operator, **changes) -> dict:
    fields = (
        "code", "name", "short_desc", "logo_url", "currency", "time_zone", "gstin", "tax_rate",
        "prices_include_tax", "surge_notice_hours", "offer_combination", "overcharge_buffer",
        "max_buyer_finder_fee",
    )  # fmt: skip
    data = {f: getattr(operator, f) for f in fields}
    data = {k: v for k, v in data.items() if v is not False}  # unchecked boxes are not posted
    return {**data, **changes}


def test_operator_admin_sets_the_mode_and_the_next_select_uses_it(
    offers, bap, run, our_key, client
):
    client.force_login(offers.admin_a)
    url = reverse("admin:cpo_portal_operator_change", args=[offers.op_a.pk])
    response = client.post(
        url, operator_form(offers.op_a, offer_combination="exclusive_plus_additives")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    offers.op_a.refresh_from_db()
    assert offers.op_a.offer_combination == "exclusive_plus_additives"
    changed = offers.op_a.history.first()
    assert (changed.offer_combination, changed.history_user) == (
        "exclusive_plus_additives",
        offers.admin_a,
    )
    _, body = run(bap, "select", msgs.select(offers.op_a.code, offers.charger_a.code))
    assert breakup(body) == STACKED


def test_another_operators_staff_cannot_change_the_mode(offers, client):
    client.force_login(offers.admin_b)
    url = reverse("admin:cpo_portal_operator_change", args=[offers.op_a.pk])
    client.post(url, operator_form(offers.op_a, offer_combination="exclusive_plus_additives"))
    offers.op_a.refresh_from_db()
    assert offers.op_a.offer_combination == "ondc"
