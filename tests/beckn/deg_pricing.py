"""Operator A priced as the DEG offers page, for the Beckn journey tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from offers.services.catalog import forget_catalog
from pricing.models import Tariff
from pricing.services import clear_cache
from tests.offers.factories import OfferFactory

IST = ZoneInfo("Asia/Kolkata")


def price_as_deg(operator, **offer_fields):
    """₹18/kWh, a ₹10 fee, 18 % GST and the weekend offer (25 % off; `offer_fields` add to
    or override its fields), with the per-process price and offer caches emptied first."""
    clear_cache()
    forget_catalog()
    Tariff.objects.create(
        operator=operator, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
        service_fee=Decimal("10"), tax_rate=Decimal("0.18"), active=True,
    )  # fmt: skip
    fields = {
        "code": "weekend-discount-25",
        "title": "Weekend Special Offer (25% off)",
        "valid_from": dt.datetime(2025, 1, 1, tzinfo=IST),
        **offer_fields,
    }
    return OfferFactory(operator=operator, **fields)
