"""Offer admin: tenant-safe (lists, forms, M2M choices, forged ids, actions), role-aware,
forms that refuse inconsistent input, clone/pause/resume, usage columns, simulation."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from offers.models import Offer, OfferCode, OfferUsage
from tests.offers.conftest import weekend_offer
from tests.offers.factories import OfferFactory
from tests.support.admin import admin_urls, offer_post

pytestmark = pytest.mark.django_db


url = admin_urls("offers")


@pytest.fixture
def offers(network):
    network.offer_a = weekend_offer(network.op_a)
    network.offer_b = weekend_offer(network.op_b, code="b-only-offer", title="B's secret offer")
    return network


def test_change_list_shows_only_own_offers_with_usage(as_pricing_a, offers):
    offers.offer_a.max_uses, offers.offer_a.budget = 50, Decimal("1000")
    offers.offer_a.save()
    OfferUsage.objects.filter(offer=offers.offer_a).update(uses=12, budget_spent=Decimal("270"))
    page = as_pricing_a.get(url("offer", "changelist")).content.decode()
    assert "weekend-discount-25" in page and "b-only-offer" not in page
    # settled uses (none in the ledger), then what the limit counts as taken
    assert '<td class="field-uses">0<br><span class="quiet">12 of 50 taken, open orders ' in page
    assert "₹270.00 of ₹1,000.00" in page  # budget used, beside its bar
    assert "₹0.00 on settled uses, ₹270.00 held by open orders" in page
    assert '<meter class="budget-bar" min="0" max="1" high="0.8" value="0.27">' in page


def test_other_operators_offer_pages_are_unreachable(as_pricing_a, offers):
    for page in ("change", "history", "delete"):
        response = as_pricing_a.get(url("offer", page, offers.offer_b.pk), follow=True)
        assert "B&#x27;s secret offer" not in response.content.decode(), page
        assert "B's secret offer" not in response.content.decode(), page


def test_form_pickers_search_only_own_stations_and_chargers(as_pricing_a, offers):
    page = as_pricing_a.get(url("offer", "add")).content.decode()
    assert 'class="admin-autocomplete' in page  # searchable pickers, not every row as options
    assert "Station of B" not in page and "b-charger-01" not in page
    for field, own, theirs in (
        ("stations", "Station of A", "Station of B"),
        ("chargers", offers.charger_a.code, "b-charger-01"),
    ):
        found = as_pricing_a.get(
            reverse("admin:autocomplete"),
            {"app_label": "offers", "model_name": "offer", "field_name": field, "term": ""},
        ).json()["results"]
        texts = " ".join(r["text"] for r in found)
        assert own in texts and theirs not in texts, field
        b_only = as_pricing_a.get(
            reverse("admin:autocomplete"),
            {"app_label": "offers", "model_name": "offer", "field_name": field, "term": "b"},
        ).json()["results"]
        assert theirs not in " ".join(r["text"] for r in b_only), field
    assert "offers/offer_form.js" in page
    assert "benefit-group for-percent for-service_fee_waiver" in page


def test_forged_station_or_operator_is_refused(as_pricing_a, offers):
    response = as_pricing_a.post(
        url("offer", "add"), offer_post(offers.op_a, stations=[offers.station_b.pk])
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    as_pricing_a.post(url("offer", "add"), offer_post(offers.op_b))
    assert not Offer.objects.filter(code="happy-hour").exists()


def test_user_of_two_operators_cannot_mix_their_stations(client, offers):
    from cpo_portal.models import StaffMembership

    StaffMembership.objects.create(
        user=offers.pricing_a, operator=offers.op_b, role="pricing_manager"
    )
    client.force_login(offers.pricing_a)
    response = client.post(
        url("offer", "add"), offer_post(offers.op_a, stations=[offers.station_b.pk])
    )
    assert "Not Operator A&#x27;s: Station of B." in response.content.decode()
    assert not Offer.objects.filter(code="happy-hour").exists()


def test_valid_offer_is_created_with_its_code(as_pricing_a, offers):
    data = offer_post(offers.op_a, **{"codes-TOTAL_FORMS": "1", "codes-0-code": "happy20"})
    response = as_pricing_a.post(url("offer", "add"), data)
    errors = re.findall(r"errorlist.*?</ul>", response.content.decode(), re.S)
    assert response.status_code == 302, errors
    offer = Offer.objects.get(code="happy-hour")
    assert (offer.operator, offer.days_of_week, str(offer.window_start)) == (
        offers.op_a,
        [0, 1, 2, 3, 4],
        "14:00:00",
    )
    assert offer.codes.get().code == "HAPPY20"
    assert offer.usage.uses == 0


def test_a_code_the_operator_already_uses_is_a_form_error_on_add_and_change(as_pricing_a, offers):
    """Its case aside (codes are upper-cased), a taken code: the form again with the error,
    not a 500 from the database's unique constraint; another operator's code is free."""
    as_pricing_a.post(
        url("offer", "add"),
        offer_post(offers.op_a, **{"codes-TOTAL_FORMS": "1", "codes-0-code": "happy20"}),
    )
    first = Offer.objects.get(code="happy-hour")
    OfferCode.objects.update_or_create(
        offer=offers.offer_b, batch=None, defaults={"operator": offers.op_b, "code": "THEIRS"}
    )
    taken = "Offer code with this Operator and Code already exists."
    for code in ("happy20", "HAPPY20"):
        data = offer_post(
            offers.op_a, code="happy-hour-2", **{"codes-TOTAL_FORMS": "1", "codes-0-code": code}
        )
        response = as_pricing_a.post(url("offer", "add"), data)
        assert response.status_code == 200 and taken in response.content.decode()
    assert not Offer.objects.filter(code="happy-hour-2").exists()
    data = offer_post(
        offers.op_a, code="happy-hour-2", **{"codes-TOTAL_FORMS": "1", "codes-0-code": "theirs"}
    )
    assert as_pricing_a.post(url("offer", "add"), data).status_code == 302
    second = Offer.objects.get(code="happy-hour-2")
    change = offer_post(
        offers.op_a, code="happy-hour-2",
        **{"codes-TOTAL_FORMS": "1", "codes-INITIAL_FORMS": "1",
           "codes-0-id": str(second.codes.get().pk), "codes-0-offer": str(second.pk),
           "codes-0-code": "happy20"},
    )  # fmt: skip
    response = as_pricing_a.post(url("offer", "change", second.pk), change)
    assert response.status_code == 200 and taken in response.content.decode()
    assert first.codes.get().code == "HAPPY20" and second.codes.get().code == "THEIRS"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"percent": ""}, "Required for a percent off (with an optional cap) benefit."),
        ({"benefit_kind": "fixed", "amount": "30"}, "Not used by a fixed amount off benefit"),
        ({"ondc_type": "exchange"}, "Not available for charging: an Exchange offer"),
        ({"ondc_type": "financing"}, "a charging session is paid, not financed"),
        ({"window_end": ""}, "Give both ends of the local time window, or neither."),
        (
            {"benefit_kind": "slabs", "percent": "", "base": "", "slabs": '[{"from_kwh": 0}]'},
            "Slab 1 needs exactly one of a percent or a rate.",
        ),
    ],
)
def test_inconsistent_input_is_refused_with_a_clear_message(as_pricing_a, offers, changes, message):
    response = as_pricing_a.post(url("offer", "add"), offer_post(offers.op_a, **changes))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Offer.objects.filter(code="happy-hour").exists()


def test_analyst_reads_and_simulates_but_cannot_edit(client, offers):
    client.force_login(offers.analyst_a)
    assert client.get(url("offer", "changelist")).status_code == 200
    assert client.get(url("offer", "add")).status_code == 403
    assert client.get(url("offer", "simulate")).status_code == 200
    response = client.post(url("offer", "change", offers.offer_a.pk), offer_post(offers.op_a))
    assert response.status_code == 403
    client.post(
        url("offer", "changelist"), {"action": "pause", "_selected_action": [offers.offer_a.pk]}
    )
    offers.offer_a.refresh_from_db()
    assert offers.offer_a.status == "active"


def test_pause_resume_and_clone_touch_only_own_offers(as_pricing_a, offers):
    offers.offer_a.stations.add(offers.station_a)
    both = [offers.offer_a.pk, offers.offer_b.pk]
    as_pricing_a.post(url("offer", "changelist"), {"action": "pause", "_selected_action": both})
    statuses = dict(Offer.objects.values_list("code", "status"))
    assert statuses == {"weekend-discount-25": "paused", "b-only-offer": "active"}
    as_pricing_a.post(url("offer", "changelist"), {"action": "resume", "_selected_action": both})
    assert Offer.objects.get(pk=offers.offer_a.pk).status == "active"
    as_pricing_a.post(url("offer", "changelist"), {"action": "clone", "_selected_action": both})
    as_pricing_a.post(url("offer", "changelist"), {"action": "clone", "_selected_action": both})
    copies = Offer.objects.filter(code__contains="-copy").order_by("code")
    assert [(c.code, c.status, c.operator_id) for c in copies] == [
        ("weekend-discount-25-copy", "draft", offers.op_a.pk),
        ("weekend-discount-25-copy2", "draft", offers.op_a.pk),
    ]
    assert list(copies[0].stations.all()) == [offers.station_a]
    assert copies[0].title == "Weekend Special - 25% Off (copy)"
    assert not copies[0].codes.exists()


def test_history_records_who_changed_what(as_pricing_a, offers):
    offers.offer_a.status = "paused"
    offers.offer_a.save()
    page = as_pricing_a.get(url("offer", "history", offers.offer_a.pk)).content.decode()
    assert "Changed" in page or "status" in page
    assert offers.offer_a.history.count() == 2


def test_simulation_shows_applied_and_rejected_with_reasons(as_pricing_a, offers):
    from pricing.models import Tariff

    Tariff.objects.create(
        operator=offers.op_a,
        code="std",
        name="Std",
        energy_rate_per_kwh=Decimal("18"),
        service_fee=Decimal("10"),
    )
    draft = OfferFactory(
        operator=offers.op_a,
        code="fleet-draft",
        title="Fleet",
        status="draft",
        segments=["fleet"],
        percent=Decimal("10"),
        min_session_value=None,
    )
    params = {
        "charger": offers.charger_a.pk,
        "start": "2025-09-21T10:00",
        "amount": "100",
        "codes": "WEEKEND25, NOPE",
        "offers": [draft.pk],
    }
    page = as_pricing_a.get(url("offer", "simulate"), params).content.decode()
    assert "\u2212₹22.50" in page and "₹91.45" in page
    assert "Code NOPE matches no offer" in page
    assert "<li><strong>Fleet</strong> is for fleet customers only</li>" in page  # once
    params["segment"] = "fleet"
    page = as_pricing_a.get(url("offer", "simulate"), params).content.decode()
    # fleet 9.00 loses to 22.50
    assert "cannot be combined with the offers that give the best price" in page


@pytest.mark.parametrize("joined", ["9999-12-31", "0001-01-01"])
def test_simulation_refuses_a_joining_date_past_the_product_s_range(as_pricing_a, offers, joined):
    """A customer's joining date takes the range every stored one does (2000-2099): year
    9999 typed into the price tool is refused, not priced as a customer joining then."""
    params = {
        "charger": offers.charger_a.pk,
        "start": "2025-09-21T10:00",
        "amount": "100",
        "joined_on": joined,
    }
    response = as_pricing_a.get(url("offer", "simulate"), params)
    assert response.context["form"].errors["joined_on"] == [
        "Give a date from 2000-01-01 to 2099-12-31."
    ]
    assert "quote" not in response.context


def test_simulation_refuses_other_operators_chargers_and_offers(as_pricing_a, offers):
    params = {"charger": offers.charger_b.pk, "start": "2025-09-21T10:00", "amount": "100"}
    page = as_pricing_a.get(url("offer", "simulate"), params).content.decode()
    assert "Select a valid choice" in page and "Charging session cost" not in page
    params = {
        "charger": offers.charger_a.pk,
        "start": "2025-09-21T10:00",
        "amount": "100",
        "offers": [offers.offer_b.pk],
    }
    page = as_pricing_a.get(url("offer", "simulate"), params).content.decode()
    assert "Select a valid choice" in page


@pytest.mark.parametrize("emptied", ["", "null"])
def test_an_emptied_json_box_saves_as_empty_not_a_500(as_pricing_a, offers, emptied):
    """Slabs and time-of-day rates hold a list, never a null: a pricing manager who
    clears either box (or writes null) saves the offer with an empty list."""
    data = offer_post(offers.op_a, slabs=emptied, tod_rates=emptied)
    response = as_pricing_a.post(url("offer", "add"), data)
    assert response.status_code == 302, re.findall(r"errorlist.*?</ul>", response.content.decode())
    saved = Offer.objects.get(operator=offers.op_a, code="happy-hour")
    assert (saved.slabs, saved.tod_rates) == ([], [])
