"""Offers in their own currency, through the ORM: the quote service never gives a discount
stated in one currency on a session priced in another, and every write path that cleans
an offer refuses a definition that mixes currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from offers.rules.outcome import Reason
from offers.services.quoting import SessionAsk, quote_with_offers
from tests.offers.conftest import SUNDAY_10, deg_tariff
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
TRADE = {"benefit_kind": "energy_trade", "percent": None, "base": "", "min_session_value": None}


@pytest.fixture
def usd_charger(network):
    """An INR operator's charger priced by a USD tariff ($0.30/kWh, no fee)."""
    deg_tariff(
        network.op_a, currency="USD", energy_rate_per_kwh=Decimal("0.30"), service_fee=Decimal(0)
    )
    return network.charger_a


def test_issue_repro_inr_offers_give_nothing_on_a_usd_session(network, usd_charger):
    trade = OfferFactory(
        operator=network.op_a,
        code="trade",
        pricing_model="FIXED",
        fixed_price=Decimal("1"),
        **TRADE,
    )
    OfferFactory(
        operator=network.op_a, code="rupee-off", benefit_kind="fixed", amount=Decimal("1"),
        percent=None, base="", min_session_value=None,
    )  # fmt: skip
    assert trade.currency == "INR"  # unstated: the operator's
    oq = quote_with_offers(SessionAsk(usd_charger, SUNDAY_10, kwh=Decimal("10")))
    assert oq.applied == () and oq.discount == 0
    assert oq.quote.total == Decimal("3.54")  # $3.00 + 18 % tax, nothing off
    reasons = {r.offer_id: (r.reason, r.message) for r in oq.rejected}
    assert reasons == {
        "trade": (
            Reason.NOT_VALID_HERE,
            "Offer trade is priced in INR; this station charges in USD",
        ),
        "rupee-off": (
            Reason.NOT_VALID_HERE,
            "Offer rupee-off is priced in INR; this station charges in USD",
        ),
    }


def test_an_offer_stated_in_the_tariffs_currency_applies(network, usd_charger):
    OfferFactory(
        operator=network.op_a, code="trade", currency="USD", pricing_model="FIXED",
        fixed_price=Decimal("1"), wheeling_amount=Decimal("0.10"), **TRADE,
    )  # fmt: skip
    oq = quote_with_offers(SessionAsk(usd_charger, SUNDAY_10, kwh=Decimal("10")))
    assert oq.applied_ids() == ("trade",)
    assert oq.discount == Decimal("2.00")  # $3.00 of energy for $1.00


def _trade(network, **extra):
    return OfferFactory.build(
        operator=network.op_a, code="t", title="T", pricing_model="TIME_OF_DAY",
        **{**TRADE, "tod_rates": [{"timeRange": {"start": "09:00", "end": "17:00"}, "rate": 12}],
           **extra},
    )  # fmt: skip


def test_clean_refuses_amounts_in_another_currency(network):
    offer = _trade(network, wheeling_amount=Decimal("0.10"), wheeling_currency="USD")
    with pytest.raises(ValidationError) as exc:
        offer.full_clean()
    assert exc.value.message_dict == {
        "wheeling_currency": ["Wheeling charge is in USD, but the offer is in INR."]
    }
    offer = _trade(
        network,
        currency="USD",
        tod_rates=[
            {"timeRange": {"start": "09:00", "end": "17:00"}, "rate": 12, "currency": "INR"}
        ],
    )
    with pytest.raises(ValidationError) as exc:
        offer.full_clean()
    assert exc.value.message_dict == {
        "tod_rates": ["Time-of-day rate 09:00 is in INR, but the offer is in USD."]
    }
    with pytest.raises(ValidationError) as exc:
        _trade(network, currency="usd").full_clean()
    assert "currency" in exc.value.message_dict


def test_clean_states_the_operators_currency_when_none_is_given(network):
    network.op_a.currency = "USD"
    offer = _trade(network, wheeling_amount=Decimal("0.10"))
    offer.full_clean()
    assert offer.currency == "USD"
