"""The seeds' flows in Beckn 2.0 give the same money as their 1.1 runs: an offer shown at
discovery and applied at select, a surge noticed at discovery and itemised at select, a
cancel that reverses the discount, an energy trade."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from beckn.models import Order
from offers.models import Redemption
from pricing.models import SurgeRule, Tariff
from pricing.services import clear_cache
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg
from tests.offers.factories import OfferFactory
from tests.support.beckn import money_1_1, money_2_0

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
TRADE = {"benefit_kind": "energy_trade", "percent": None, "base": "", "min_session_value": None}


@pytest.fixture
def deg(network):
    price_as_deg(network.op_a, type_label="WEEKEND_SPECIAL")
    return network


def test_an_offer_shown_at_discovery_and_applied_at_select(deg, bap, bap_v2, run, run_v2, our_key):
    op, charger = deg.op_a.code, deg.charger_a.code
    _, found = run_v2(bap_v2, "discover", v2.discover())
    offers = {o["id"] for c in found["message"]["catalogs"] for o in c.get("offers", [])}
    assert "weekend-discount-25" in offers
    _, one = run(bap, "select", msgs.select(op, charger))
    _, two = run_v2(bap_v2, "select", v2.contract(charger, offer="weekend-discount-25"))
    assert money_2_0(two) == money_1_1(one)
    assert money_1_1(one)[0] == "91.45"


def test_a_cancel_reverses_the_discount_the_same(deg, bap, bap_v2, run, run_v2, our_key):
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger))
    first = Order.objects.get()
    run(bap, "cancel", {"order_id": first.order_id})
    run_v2(bap_v2, "init", v2.contract(charger, offer="weekend-discount-25", buyer=True))
    run_v2(bap_v2, "confirm", v2.contract(charger, offer="weekend-discount-25", buyer=True))
    second = Order.objects.exclude(pk=first.pk).get()
    _, cancelled = run_v2(bap_v2, "cancel", v2.by_id(second.order_id, charger))
    assert cancelled["message"]["contract"]["status"]["code"] == "CANCELLED"
    reversed_amounts = [
        Redemption.objects.get(order_ref=o.reference, kind="reversed").discount
        for o in (first, second)
    ]
    assert reversed_amounts == [Decimal("22.50"), Decimal("22.50")]


def test_a_surge_noticed_at_discovery_is_itemised_at_select(
    network, bap, bap_v2, run, run_v2, our_key
):
    clear_cache()
    Tariff.objects.create(
        operator=network.op_a, code="metro", name="Metro", energy_rate_per_kwh=Decimal("16"),
        service_fee=Decimal("0"), tax_rate=Decimal("0.18"), prices_include_tax=True, active=True,
    )  # fmt: skip
    SurgeRule.objects.create(
        operator=network.op_a, code="congestion", kind="peak", name="Congestion Fee",
        form="per_kwh", amount=Decimal("1"), window_start=dt.time(18), window_end=dt.time(21),
        effective_from=dt.datetime(2025, 1, 1, tzinfo=IST),
    )  # fmt: skip
    clear_cache()
    op, charger = network.op_a.code, network.charger_a.code
    evening = v2.discover()
    evening["intent"]["filters"] = {
        "type": "jsonpath",
        "expression": "$[?(@.beckn:availabilityWindow.schema:startTime"
        f" <= '{msgs.MONDAY}T18:15:00+05:30'"
        f" && @.beckn:availabilityWindow.schema:endTime >= '{msgs.MONDAY}T19:15:00+05:30')]",
    }
    _, found = run_v2(bap_v2, "discover", evening)
    (catalog,) = [c for c in found["message"]["catalogs"] if c["provider"]["id"] == op]
    listed = next(o for o in catalog["offers"] if o["id"] == f"list-price:{charger}")
    assert listed["descriptor"]["shortDesc"] == "Congestion Fee"
    assert "₹1/kWh between 6 PM - 9 PM" in listed["descriptor"]["longDesc"]
    start, end = f"{msgs.MONDAY}T18:25:00+05:30", f"{msgs.MONDAY}T19:25:00+05:30"
    one_body = msgs.select(op, charger, offers=())
    stops = one_body["order"]["fulfillments"][0]["stops"]
    stops[0]["time"]["timestamp"], stops[1]["time"]["timestamp"] = start, end
    _, one = run(bap, "select", one_body)
    _, two = run_v2(bap_v2, "select", v2.contract(charger, start=start, end=end))
    assert money_2_0(two) == money_1_1(one)
    kinds = [
        c["type"]
        for c in two["message"]["contract"]["consideration"][0]["considerationAttributes"][
            "components"
        ]
    ]
    assert "SURCHARGE" in kinds


def test_an_energy_trade_costs_the_same(network, bap, bap_v2, run, run_v2, our_key):
    price_as_deg(network.op_a)
    OfferFactory(
        operator=network.op_a, code="trade-kwh", title="Trade at 12", pricing_model="PER_KWH",
        rate_per_kwh=Decimal("12"), **TRADE,
    )  # fmt: skip
    op, charger = network.op_a.code, network.charger_a.code
    _, found = run_v2(bap_v2, "discover", v2.discover())
    (trade,) = [
        o
        for c in found["message"]["catalogs"]
        for o in c.get("offers", [])
        if o["id"] == "trade-kwh"
    ]
    assert trade["offerAttributes"]["@type"] == "EnergyTradeOffer"
    assert trade["offerAttributes"]["pricingModel"] == "PER_KWH"
    _, one = run(bap, "select", msgs.select(op, charger, offers=("trade-kwh",)))
    _, two = run_v2(bap_v2, "select", v2.contract(charger, offer="trade-kwh"))
    assert money_2_0(two) == money_1_1(one)
    offer = two["message"]["contract"]["commitments"][0]["offer"]
    assert offer["id"] == "trade-kwh"
    assert offer["offerAttributes"]["@type"] == "EnergyTradeOffer"
