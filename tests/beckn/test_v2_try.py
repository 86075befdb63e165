"""2.0's `context.try: true`: a preview of update, cancel, rate and support answers what
the request would do and changes nothing; any other action refuses it with its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beckn.models import Order, OrderState
from offers.models import Redemption
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg

pytestmark = pytest.mark.django_db
OFFER = "weekend-discount-25"


@pytest.fixture
def deg(network):
    price_as_deg(network.op_a, type_label="WEEKEND_SPECIAL")
    return network


@pytest.fixture
def confirmed(confirmed_v2) -> Order:
    return confirmed_v2


def ledger(order: Order) -> list[str]:
    return sorted(
        Redemption.objects.filter(order_ref=order.reference).values_list("kind", flat=True)
    )


def test_a_cancel_preview_answers_the_cancellation_and_cancels_nothing(
    deg, bap_v2, run_v2, confirmed
):
    before = ledger(confirmed)
    _, preview = run_v2(
        bap_v2, "cancel", v2.by_id(confirmed.order_id, deg.charger_a.code), **{"try": True}
    )
    assert preview["context"]["try"] is True
    contract = preview["message"]["contract"]
    assert contract["status"]["code"] == "CANCELLED"
    confirmed.refresh_from_db()
    assert confirmed.state == OrderState.CONFIRMED
    assert ledger(confirmed) == before  # no reversal written
    # carried out, the cancel answers what the preview said
    _, done = run_v2(bap_v2, "cancel", v2.by_id(confirmed.order_id, deg.charger_a.code))
    assert "try" not in done["context"]
    assert done["message"]["contract"]["status"] == contract["status"]
    assert done["message"]["contract"]["consideration"] == contract["consideration"]
    assert Redemption.objects.get(order_ref=confirmed.reference, kind="reversed").discount == (
        Decimal("22.50")
    )


def test_a_stop_preview_answers_the_settled_session_and_leaves_it_charging(
    deg, bap_v2, run_v2, confirmed, clock
):
    charger = deg.charger_a.code
    run_v2(bap_v2, "update", v2.session_update(confirmed.order_id, charger, "ACTIVE"))
    clock(v2.SESSION_END)  # charging ended
    _, preview = run_v2(
        bap_v2,
        "update",
        v2.session_update(confirmed.order_id, charger, "COMPLETED", kwh=5.2),
        **{"try": True},
    )
    contract = preview["message"]["contract"]
    assert contract["status"]["code"] == "COMPLETE"
    assert contract["contractAttributes"]["meteredEnergyKWh"] == 5.2
    previewed = contract["consideration"][0]["considerationAttributes"]["value"]
    confirmed.refresh_from_db()
    assert confirmed.state == OrderState.ACTIVE and confirmed.delivered_kwh is None
    assert "settled" not in ledger(confirmed)
    _, done = run_v2(
        bap_v2, "update", v2.session_update(confirmed.order_id, charger, "COMPLETED", kwh=5.2)
    )
    assert (
        done["message"]["contract"]["consideration"][0]["considerationAttributes"]["value"]
        == previewed
    )


def test_a_rating_preview_records_nothing(deg, bap_v2, run_v2, confirmed):
    rating = {
        "ratingInputs": [
            {
                "target": {"id": confirmed.order_id, "descriptor": {"code": "ORDER"}},
                "range": {"ratingValue": 4, "bestRating": 5, "worstRating": 1},
            }
        ]
    }
    _, preview = run_v2(bap_v2, "rate", rating, **{"try": True})
    assert preview["context"]["try"] is True and "error" not in preview
    confirmed.refresh_from_db()
    assert confirmed.ratings == []
    run_v2(bap_v2, "rate", rating)
    confirmed.refresh_from_db()
    assert len(confirmed.ratings) == 1


@pytest.mark.parametrize("action", ["select", "init", "confirm", "discover"])
def test_try_on_an_action_without_a_preview_is_refused_with_its_reason(
    deg, bap_v2, client, our_key, action
):
    message = v2.discover() if action == "discover" else v2.contract(deg.charger_a.code)
    response = bap_v2.post(client, action, bap_v2.body(action, message, **{"try": True}))
    answer = response.json()
    assert response.status_code == 400 and answer["status"] == "NACK"
    assert answer["error"]["paths"] == "$.context.try"
    assert f"send {action} without it" in answer["error"]["errorMessage"]
    assert not Order.objects.exists()


def test_try_that_is_not_a_boolean_is_refused(deg, bap_v2, client, our_key, confirmed):
    body = bap_v2.body("cancel", v2.by_id(confirmed.order_id, deg.charger_a.code), **{"try": "yes"})
    answer = bap_v2.post(client, "cancel", body).json()
    assert answer["status"] == "NACK" and "true or false" in answer["error"]["errorMessage"]
