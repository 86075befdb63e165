"""The DEG offer and surge journeys through the real pricing and offers services (no fake):
tariffs, surge rules and offers in the database, the redemption ledger written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from beckn.models import Order, OrderState
from beckn.protocol.tags import tag_values
from offers.models import Redemption
from offers.services.quoting import SessionAsk
from pricing.models import SurgeRule, Tariff
from tests.beckn import bap as msgs
from tests.support.beckn import breakup, surge_notices

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def test_offer_journey_with_the_ledger(deg, bap, run, our_key, clock):
    op, charger = deg.op_a.code, deg.charger_a.code
    _, selected = run(bap, "select", msgs.select(op, charger))
    assert breakup(selected) == [
        ("Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"),
        ("Service fee", "10.00"),
        ("Weekend Special Offer (25% off)", "-22.50"),
        ("GST (18%)", "13.95"),
    ]
    run(bap, "init", msgs.init(op, charger))
    _, confirmed = run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    order = Order.objects.get()
    kinds = sorted(
        Redemption.objects.filter(order_ref=order.reference).values_list("kind", flat=True)
    )
    assert kinds == ["redeemed", "validated"]  # a select writes no ledger row
    assert confirmed["message"]["order"]["id"] == order.order_id
    run(bap, "update", msgs.update_start(order.order_id))
    clock(msgs.SESSION_END)  # charging ended
    _, ended = run(bap, "update", msgs.update_end(order.order_id, kwh="5.2"))
    assert breakup(ended) == [
        ("Charging session cost (5.2 kWh @ ₹18.00/kWh)", "93.60"),
        ("Service fee", "10.00"),
        ("Weekend Special Offer (25% off)", "-23.40"),
        ("GST (18%)", "14.44"),
    ]
    summary = tag_values(ended["message"]["order"]["tags"], "offer-summary")
    assert summary["total-savings"] == "₹23.40"
    assert summary["offer-type"] == "WEEKEND_SPECIAL"
    assert summary["next-offer"] == "Holiday Special - 30% off (Dec 25-31)"
    settled = Redemption.objects.get(order_ref=order.reference, kind="settled")
    assert settled.discount == Decimal("23.40")


def test_cancel_reverses_in_the_ledger(deg, bap, run, our_key):
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger))
    order = Order.objects.get()
    _, cancelled = run(bap, "cancel", {"order_id": order.order_id})
    reversed_row = Redemption.objects.get(order_ref=order.reference, kind="reversed")
    assert reversed_row.discount == Decimal("22.50")
    assert cancelled["message"]["order"]["status"] == "CANCELLED"


def test_a_customer_identified_at_init_in_a_holdout_goes_on_without_the_offer(
    deg, bap, run, our_key
):
    """select is anonymous (no holdout applies); init names the customer, who falls in the
    offer's control group: not an error, the offer is left out and the new total shown."""
    from offers.models import Offer
    from offers.services.catalog import forget_catalog

    Offer.objects.filter(code="weekend-discount-25").update(holdout_percent=Decimal("100"))
    forget_catalog()
    op, charger = deg.op_a.code, deg.charger_a.code
    _, selected = run(bap, "select", msgs.select(op, charger))
    assert ("Weekend Special Offer (25% off)", "-22.50") in breakup(selected)
    _, initialised = run(bap, "init", msgs.init(op, charger))
    assert "error" not in initialised
    assert all(title != "Weekend Special Offer (25% off)" for title, _ in breakup(initialised))
    change = tag_values(initialised["message"]["order"]["tags"], "quote-change")
    assert change["previous-total"] == "91.45" and change["new-total"] == "118.00"


def test_an_exhausted_offer_is_refused_at_confirm_with_30006(deg, bap, run, our_key):
    from offers.models import Offer

    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    Offer.objects.filter(code="weekend-discount-25").update(max_uses=0)
    from offers.services.catalog import forget_catalog

    forget_catalog()
    _, refused = run(bap, "confirm", msgs.confirm(op, charger))
    assert refused["error"]["code"] == "30006"
    assert "weekend-discount-25" in refused["error"]["message"]
    assert Order.objects.get().state == "initialized"


def test_surge_journey_tax_inclusive_congestion_fee(network, bap, run, our_key, clock):
    from pricing.services import clear_cache

    clear_cache()
    Tariff.objects.create(
        operator=network.op_a, code="metro", name="Metro", energy_rate_per_kwh=Decimal("16"),
        service_fee=Decimal("0"), tax_rate=Decimal("0.18"), prices_include_tax=True, active=True,
    )  # fmt: skip
    SurgeRule.objects.create(
        operator=network.op_a, code="congestion", kind="peak", name="Congestion Fee",
        form="per_kwh",
        amount=Decimal("1"), window_start=dt.time(18), window_end=dt.time(21),
        effective_from=dt.datetime(2025, 1, 1, tzinfo=IST),
    )  # fmt: skip
    clear_cache()
    op, charger = network.op_a.code, network.charger_a.code
    morning = msgs.search()
    _, found = run(bap, "search", morning)
    station = found["message"]["catalog"]["providers"][0]["fulfillments"][0]
    assert tag_values(station.get("tags"), "surge-notice") == {}
    evening = msgs.search()
    evening["intent"]["fulfillment"]["stops"][0]["time"]["range"] = {
        "start": f"{msgs.MONDAY}T18:15:00+05:30",
        "end": f"{msgs.MONDAY}T19:15:00+05:30",
    }
    _, found = run(bap, "search", evening)
    provider = found["message"]["catalog"]["providers"][0]
    assert tag_values(provider["fulfillments"][0]["tags"], "surge-notice") == {"code": "congestion"}
    assert surge_notices(provider)["congestion"] == {
        "badge": "Congestion Fee",
        "explanation": "Congestion Fee: ₹1/kWh between 6 PM - 9 PM",
        "code": "congestion",
    }
    body = msgs.init(op, charger, offers=())
    stops = body["order"]["fulfillments"][0]["stops"]
    stops[0]["time"]["timestamp"] = f"{msgs.MONDAY}T18:25:00+05:30"
    stops[1]["time"]["timestamp"] = f"{msgs.MONDAY}T19:25:00+05:30"
    run(bap, "init", body)
    confirm = msgs.confirm(op, charger, offers=())
    confirm["order"]["fulfillments"][0]["stops"] = stops
    run(bap, "confirm", confirm)
    order = Order.objects.get()
    end = f"{msgs.MONDAY}T19:25:00+05:30"
    clock(end)  # charging ended
    _, ended = run(bap, "update", msgs.update_end(order.order_id, kwh="5.2", end=end))
    assert breakup(ended) == [
        ("Charging session cost (5.2 kWh @ ₹16.00/kWh)", "83.20"),
        ("Congestion Fee (₹1/kWh x 5.2 kWh)", "5.20"),
    ]
    assert ended["message"]["order"]["quote"]["price"]["value"] == "88.40"
    receipt = tag_values(ended["message"]["order"]["tags"], "receipt")
    assert receipt["surge"] == "5.20" and receipt["tax-included"] == "13.48"


def test_a_session_without_offers_reaches_analytics_once(network, bap, run, our_key, client, clock):
    """Charging ends through Beckn with no offer: the session is recorded for analytics
    (NoOfferSession) exactly once, and the rollup and the API count it."""
    from analytics.models import NoOfferSession
    from analytics.services.rollup import run_incremental
    from beckn.services import commerce
    from pricing.services import clear_cache

    Tariff.objects.create(
        operator=network.op_a, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
        service_fee=Decimal("10"), tax_rate=Decimal("0.18"), active=True,
    )  # fmt: skip
    clear_cache()
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger, offers=()))
    run(bap, "confirm", msgs.confirm(op, charger, offers=()))
    order = Order.objects.get()
    run(bap, "update", msgs.update_start(order.order_id))
    clock(msgs.SESSION_END)  # charging ended
    _, ended = run(bap, "update", msgs.update_end(order.order_id, kwh="5.2"))
    assert not Redemption.objects.filter(order_ref=order.reference).exists()
    (session,) = NoOfferSession.objects.filter(order_ref=order.reference)
    assert session.energy_kwh == Decimal("5.2")
    assert session.gross_amount == Decimal("103.60")  # 5.2 x 18 + 10
    assert str(session.net_amount) == ended["message"]["order"]["quote"]["price"]["value"]
    assert session.customer_key == order.customer_key != ""
    assert session.station_id == network.charger_a.station_id
    assert session.session_start_hour == 10

    # A re-sent end (or any retry of the settlement) records nothing more.
    run(bap, "update", msgs.update_end(order.order_id, kwh="5.2"))
    order.refresh_from_db()
    commerce.settle(
        order.reference,
        SessionAsk(order.charger, session.session_start, kwh=Decimal("5.2"),
                   end=session.session_end, customer_key=order.customer_key),
    )  # fmt: skip
    assert NoOfferSession.objects.filter(order_ref=order.reference).count() == 1

    run_incremental()
    client.force_login(network.analyst_a)
    day = session.occurred_at.astimezone(IST).date()
    span = f"date_from={day}&date_to={day}"
    series = client.get(f"/api/analytics/series/?{span}&granularity=day").json()["results"]
    assert [(p["sessions"], p["gross_revenue"]) for p in series] == [(1, "103.60")]
    page = client.get(f"/analytics/?{span}&export=stations")
    assert page.status_code == 200 and network.charger_a.station.code in page.content.decode()


def test_a_settled_offer_session_is_not_recorded_twice(deg, bap, run, our_key, clock):
    """With an offer the ledger has the session already: nothing in NoOfferSession."""
    from analytics.models import NoOfferSession

    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    order = Order.objects.get()
    run(bap, "update", msgs.update_start(order.order_id))
    clock(msgs.SESSION_END)  # charging ended
    run(bap, "update", msgs.update_end(order.order_id, kwh="5.2"))
    assert Redemption.objects.filter(order_ref=order.reference, kind="settled").exists()
    assert not NoOfferSession.objects.filter(order_ref=order.reference).exists()


def test_cancel_takes_the_reversed_discount_out_of_the_order(deg, bap, run, our_key):
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    order = Order.objects.get()
    _, cancelled = run(bap, "cancel", {"order_id": order.order_id})
    assert breakup(cancelled) == [
        ("Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"),
        ("Service fee", "10.00"),
        ("GST (18%)", "18.00"),
    ]
    assert cancelled["message"]["order"]["quote"]["price"]["value"] == "118.00"
    offer = cancelled["message"]["order"]["offers"][0]
    assert tag_values(offer["tags"], "offer-reversal") == {
        "reversed": "true",
        "amount-reversed": "22.50",
    }
    _, status = run(bap, "status", {"order_id": order.order_id})
    assert status["message"]["order"]["quote"]["price"]["value"] == "118.00"
    redemption = tag_values(status["message"]["order"]["offers"][0]["tags"], "offer-redemption")
    assert redemption["redeemed"] == "false"  # reversed: it no longer stands
    assert redemption["reversed"] == "true"
    assert redemption["amount-reversed"] == "22.50"
    assert redemption["discount-applied"] == "0.00"


def test_on_init_carries_the_offer_code_when_the_offer_is_named_by_id(deg, bap, run, our_key):
    from offers.models import Offer, OfferCode

    OfferCode.objects.create(offer=Offer.objects.get(code="weekend-discount-25"), code="WEEKEND25")
    op, charger = deg.op_a.code, deg.charger_a.code
    _, initialized = run(bap, "init", msgs.init(op, charger))  # offers: [{"id": ...}]
    validation = tag_values(
        initialized["message"]["order"]["offers"][0]["tags"], "offer-validation"
    )
    assert validation["offer-code"] == "WEEKEND25"
    assert validation["discount-applied"] == "22.50"


def test_a_settlement_the_bap_sent_wrong_is_its_error_and_can_be_sent_again(
    deg, bap, run, our_key, clock
):
    """Energy the pricing refuses (none, or past the session's bound) is the BAP's input:
    30000, as the same energy at select, not the 40000 of a failure of ours; the order stays
    active and a corrected end settles it."""
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "select", msgs.select(op, charger))
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger))
    order = Order.objects.get()
    run(bap, "update", msgs.update_start(order.order_id))
    clock(msgs.SESSION_END)  # charging ended
    for kwh in ("0", "5000"):
        _, refused = run(bap, "update", msgs.update_end(order.order_id, kwh=kwh))
        assert refused["error"]["code"] == "30000", refused["error"]
        assert "cannot be settled" in refused["error"]["message"]
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE
    _, ended = run(bap, "update", msgs.update_end(order.order_id, kwh="5.2"))
    assert "error" not in ended, ended["error"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
