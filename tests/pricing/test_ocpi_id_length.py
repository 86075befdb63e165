"""A tariff's code may be 64 characters long, but OCPI publishes its first 36 as the
Tariff id (cpo_portal.db.values.ocpi_id_of): the admin refuses a second tariff of the
operator whose code shares them, in words, and the database refuses it on every path."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from pricing.models import Tariff
from tests.pricing.admin_posts import tariff_post, url
from tests.pricing.factories import TariffFactory

pytestmark = pytest.mark.django_db

SHARED = "weekday-evening-peak-for-fleet-vans-"  # 36 characters
REFUSAL = (
    "Roaming partners see only a code's first 36 characters (its OCPI tariff id) and ignore "
    "their case, and another tariff of this operator has a code with the same first 36 "
    "characters, ignoring case: change this code within its first 36."
)


def test_the_admin_refuses_a_tariff_whose_code_shares_its_first_36_characters(as_pricing_a, priced):
    TariffFactory(operator=priced.op_a, code=f"{SHARED}2025", active=False)
    data = tariff_post(priced.op_a, code=f"{SHARED}2026", active=None)
    response = as_pricing_a.post(url("tariff", "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [REFUSAL]
    assert not Tariff.objects.filter(code=f"{SHARED}2026").exists()

    data["code"] = f"{SHARED[:-1]}2026"
    assert as_pricing_a.post(url("tariff", "add"), data).status_code == 302


def test_the_admin_refuses_a_tariff_whose_code_differs_only_in_case(as_pricing_a, priced):
    """OCPI ids are CiStrings: "Peak-Evening" and "peak-evening" are one tariff id."""
    TariffFactory(operator=priced.op_a, code="Peak-Evening", active=False)
    data = tariff_post(priced.op_a, code="peak-evening", active=None)
    response = as_pricing_a.post(url("tariff", "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [REFUSAL]
    assert not Tariff.objects.filter(code="peak-evening").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffFactory(operator=priced.op_a, code="PEAK-EVENING", active=False)


def test_tariff_codes_differing_only_after_36_characters_cannot_both_be_stored(priced):
    TariffFactory(operator=priced.op_a, code=f"{SHARED}2025", active=False)
    TariffFactory(operator=priced.op_b, code=f"{SHARED}2026", active=False)  # another party
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffFactory(operator=priced.op_a, code=f"{SHARED}2026", active=False)
