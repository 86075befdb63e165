"""Codes only where they gate something (never a batch on an auto-applied offer, whichever
way it is made), and the simulator's "as if opted in" really opting a code-only offer in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from offers.models import CodeBatch
from offers.rules.outcome import Reason
from offers.services import SessionAsk, quote_session_with_offers
from offers.services.codes import generate_batch
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def test_no_batch_for_an_auto_applied_offer_from_the_service(network):
    offer = OfferFactory(operator=network.op_a, code="everyone", auto=True)
    with pytest.raises(ValidationError) as caught:
        generate_batch(offer, 5)
    assert "auto-applied" in caught.value.message_dict["offer"][0]
    assert not CodeBatch.objects.exists()


def test_no_batch_for_an_auto_applied_offer_in_the_admin(client, network):
    auto = OfferFactory(operator=network.op_a, code="everyone", auto=True)
    client.force_login(network.pricing_a)
    response = client.post(
        reverse("admin:offers_codebatch_add"), {"offer": auto.pk, "prefix": "X", "count": "5"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "codes would do nothing" in errors["offer"][0]
    assert not CodeBatch.objects.exists()


def test_an_offer_with_batches_cannot_become_auto_applied(network):
    offer = OfferFactory(operator=network.op_a, code="diwali", auto=False)
    generate_batch(offer, 2)
    offer.auto = True
    with pytest.raises(ValidationError) as caught:
        offer.full_clean()
    assert "auto-applied" in caught.value.message_dict["auto"][0]
    offer.auto = False
    offer.full_clean()


def test_previewing_a_code_only_draft_opts_the_customer_in(deg):
    draft = OfferFactory(
        operator=deg.op_a,
        code="diwali-draft",
        title="Diwali 50",
        status="draft",
        auto=False,
        percent=Decimal("50"),
        min_session_value=None,
        max_discount=None,
    )
    generate_batch(draft, 2)  # code-only: naming its id alone never unlocks it
    ask = SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), offer_ids=("diwali-draft",))
    named = quote_session_with_offers(ask)
    assert "diwali-draft" not in named.applied_ids()
    previewed = quote_session_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), preview=(draft.pk,))
    )
    assert "diwali-draft" in previewed.applied_ids()
    assert previewed.rejection("diwali-draft") is None
    without = quote_session_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))
    assert "diwali-draft" not in without.applied_ids()


def test_the_simulator_applies_the_previewed_code_only_offer(client, deg):
    draft = OfferFactory(
        operator=deg.op_a,
        code="code-only",
        title="Code only 40",
        auto=False,
        additive=True,
        percent=Decimal("40"),
        min_session_value=None,
        max_discount=None,
    )
    generate_batch(draft, 1)
    client.force_login(deg.pricing_a)
    query = {
        "charger": deg.charger.pk,
        "start": "2025-09-21T10:00",
        "kwh": "5",
        "offers": draft.pk,
    }
    response = client.get(reverse("admin:offers_offer_simulate"), query)
    assert response.status_code == 200
    oq = response.context["oq"]
    assert "code-only" in oq.applied_ids()
    assert oq.rejection("code-only") is None
    assert Reason.CODE_REQUIRED not in {r.reason for r in oq.rejected}
