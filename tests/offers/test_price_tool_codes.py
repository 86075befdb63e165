"""Codes in the price tool: another operator's code is a code matching no offer (its
offer never named), a single-use code already used is said to be, and an unused one is
applied without being redeemed: the tool writes no use, count or ledger row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offers.models import Customer, OfferCode, OfferUsage, Redemption
from offers.models.usage import CustomerOfferUsage
from offers.services.codes import generate_batch
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin_a", "pricing_a", "analyst_a"])
def test_codes_are_tried_not_redeemed_and_other_operators_stay_unnamed(client, deg, role):
    theirs = OfferFactory(operator=deg.op_b, code="b-secret", title="B Secret Deal",
                          percent=Decimal("10"))  # fmt: skip
    OfferCode.objects.create(offer=theirs, code="BSECRET")
    diwali = OfferFactory(operator=deg.op_a, code="diwali", title="Diwali", auto=False,
                          percent=Decimal("50"), min_session_value=None)  # fmt: skip
    used, fresh = generate_batch(diwali, 2).codes.order_by("pk")
    OfferCode.objects.filter(pk=used.pk).update(used_at=SUNDAY_10, used_order="o-1")
    client.force_login(getattr(deg, role))
    params = {"charger": deg.charger.pk, "start": "2025-09-24T10:00", "kwh": "10",
              "contact": "+91 98765 43210", "codes": f"BSECRET, {used.code}, b-secret"}  # fmt: skip
    models = (Redemption, OfferUsage, CustomerOfferUsage, Customer)
    before = [list(model.objects.values()) for model in models]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:offers_offer_simulate"), params)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Code BSECRET matches no offer" in page
        assert "B Secret" not in page and "b-secret</" not in page
        assert f"Code {used.code} has already been used" in page
        params["codes"] = fresh.code
        response = client.get(reverse("admin:offers_offer_simulate"), params)
    assert [title for title, _ in response.context["applied"]] == ["Diwali"]
    lines = response.context["quote"]["lines"]
    assert sum(Decimal(ln["amount"]) for ln in lines) == Decimal(response.context["quote"]["total"])
    fresh.refresh_from_db()
    assert fresh.used_at is None and fresh.used_by == "" and fresh.used_order == ""
    assert [list(model.objects.values()) for model in models] == before
    written = [q["sql"] for q in queries.captured_queries
               if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
               and "offers_" in q["sql"]]  # fmt: skip
    assert written == []
