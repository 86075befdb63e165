"""Offer factories. The default offer is DEG's weekend-discount-25 without the weekend:
25 % off the energy, minimum session value 50, cap 100."""

from __future__ import annotations

from decimal import Decimal

import factory

from offers.models import Offer
from tests.factories import OperatorFactory


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    operator = factory.SubFactory(OperatorFactory)
    code = factory.Sequence(lambda n: f"offer-{n:04d}")
    title = factory.Sequence(lambda n: f"Offer {n}")
    status = "active"
    benefit_kind = "percent"
    percent = Decimal("25")
    base = "energy"
    min_session_value = Decimal("50")
    max_discount = Decimal("100")
