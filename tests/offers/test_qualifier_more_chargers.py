"""The declared qualifier 'at stations with more than N chargers' (offers.rules.qualifiers):
its form row, its place in the pricing document, its test on a quote, its wording."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from beckn.services.commerce import publish
from cpo_portal.models import Charger
from offers.models import Offer
from offers.rules.outcome import Reason
from offers.services.catalog import catalog_for
from offers.services.config.exporting import export_pricing
from offers.services.config.importing import import_pricing
from offers.services.quoting import SessionAsk, quote_with_offers
from tests.factories import ChargerFactory, StationFactory
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory
from tests.support.admin import offer_post

pytestmark = pytest.mark.django_db

BIG_HUBS = {"more_chargers_than": 4}


def hub(operator, chargers: int) -> Charger:
    """A station of `operator` with `chargers` chargers; one of them, as quotes read it."""
    station = StationFactory(operator=operator)
    made = [ChargerFactory(station=station) for _ in range(chargers)]
    return Charger.objects.select_related("station", "operator").get(pk=made[0].pk)


def big_hubs_offer(operator):
    return OfferFactory(
        operator=operator, code="big-hubs", title="Big hubs 10%", percent=Decimal("10"),
        min_session_value=None, conditions=BIG_HUBS,
    )  # fmt: skip


def test_the_form_row_saves_the_qualifier_and_refuses_a_negative_count(client, deg):
    client.force_login(deg.pricing_a)
    add = reverse("admin:offers_offer_add")
    refused = client.post(add, offer_post(deg.op_a, more_chargers_than="-1"))
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["more_chargers_than"]
    assert errors == ["Ensure this value is greater than or equal to 0."]
    assert not Offer.objects.filter(code="happy-hour").exists()

    assert client.post(add, offer_post(deg.op_a, more_chargers_than="4")).status_code == 302
    offer = Offer.objects.get(code="happy-hour")
    assert offer.conditions == BIG_HUBS
    change = client.get(reverse("admin:offers_offer_change", args=[offer.pk]))
    assert change.context["adminform"].form["more_chargers_than"].value() == 4

    cleared = offer_post(deg.op_a, more_chargers_than="")
    client.post(reverse("admin:offers_offer_change", args=[offer.pk]), cleared)
    offer.refresh_from_db()
    assert offer.conditions == {}


def test_the_pricing_document_carries_the_qualifier_both_ways(deg):
    big_hubs_offer(deg.op_a)
    document = export_pricing(deg.op_a)
    row = next(o for o in document["offers"] if o["code"] == "big-hubs")
    assert row["conditions"] == BIG_HUBS

    row["conditions"] = {"more_chargers_than": 6}
    plan = import_pricing(deg.op_a, document)
    assert plan.errors == []
    assert Offer.objects.get(code="big-hubs").conditions == {"more_chargers_than": 6}


@pytest.mark.parametrize(
    ("conditions", "error"),
    [
        (
            {"more_chargers_than": "many"},
            "more chargers than: stations with more than N chargers: a whole number, not 'many'.",
        ),
        (
            {"more_chargers_than": -2},
            "more chargers than: stations with more than N chargers: at least 0.",
        ),
        (
            {"most_chargers": 4},
            "declared qualifiers: Unknown condition 'most_chargers' (known: more_chargers_than).",
        ),
    ],
)
def test_the_import_refuses_what_the_qualifier_refuses(deg, conditions, error):
    big_hubs_offer(deg.op_a)
    document = export_pricing(deg.op_a)
    i = next(i for i, o in enumerate(document["offers"]) if o["code"] == "big-hubs")
    document["offers"][i]["conditions"] = conditions
    plan = import_pricing(deg.op_a, document, dry_run=True)
    assert plan.errors == [f'Offer "Big hubs 10%" (big-hubs), {error}']


def test_a_quote_applies_it_at_five_chargers_and_not_at_three(deg):
    deg.weekend.status = "paused"  # it would outrank the 10 %
    deg.weekend.save()
    big_hubs_offer(deg.op_a)
    five, three = hub(deg.op_a, 5), hub(deg.op_a, 3)

    at_five = quote_with_offers(SessionAsk(five, SUNDAY_10, amount=Decimal("100")))
    assert at_five.applied_ids() == ("big-hubs",)
    assert at_five.discount == Decimal("9.00")  # 10 % of the ₹90 of energy

    at_three = quote_with_offers(
        SessionAsk(three, SUNDAY_10, amount=Decimal("100"), offer_ids=["big-hubs"])
    )
    assert "big-hubs" not in at_three.applied_ids()
    why = next(r for r in at_three.rejected if r.offer_id == "big-hubs")
    assert why.reason is Reason.NOT_VALID_HERE
    assert why.message == (
        "Offer big-hubs is valid only at stations with more than 4 chargers; this station has 3"
    )


def test_its_wording_reaches_the_catalog(deg):
    big_hubs_offer(deg.op_a)
    rule = catalog_for(deg.op_a).offers["big-hubs"].rule
    assert publish(rule).extra == {"min-station-chargers": "4"}
    assert catalog_for(deg.op_a).declared


def test_an_offers_old_version_shows_in_its_history_beside_the_declared_rows(client, network):
    offer = OfferFactory(
        operator=network.op_a, title="Before", conditions={"more_chargers_than": 4}
    )
    offer.title = "After"
    offer.save()
    first = offer.history.order_by("history_id").first()
    client.force_login(network.superuser)
    page = client.get(f"/admin/offers/offer/{offer.pk}/history/{first.history_id}/")
    assert page.status_code == 200
    assert "Before" in page.content.decode()
