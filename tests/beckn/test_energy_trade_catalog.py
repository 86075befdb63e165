"""EnergyTradeOffer terms in on_search: the schema's object once per catalog (on the
provider's offers, not under every item), valid against the schema in
spec/energy-trade-offer-schema.md, and the offered price of PER_KWH and FIXED trades in the
item offer's Beckn price."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import jsonschema
import pytest

from beckn.protocol.tags import find_group, tag_values
from beckn.simulator.journey import describe_terms, trade_terms
from beckn.wire.offer_json import energy_trade_group
from tests.beckn import bap as msgs
from tests.beckn.deg_pricing import IST, price_as_deg
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

# spec/energy-trade-offer-schema.md (v0.2), its attributes table as a JSON Schema
_TIME = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"}
_INSTANT = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}  # UTC
_CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$"}
ENERGY_TRADE_OFFER = {
    "type": "object",
    "required": ["pricingModel"],
    "additionalProperties": False,
    "properties": {
        "@context": {"type": "string"},
        "@type": {"const": "EnergyTradeOffer"},
        "pricingModel": {"enum": ["PER_KWH", "TIME_OF_DAY", "SUBSCRIPTION", "FIXED"]},
        "settlementType": {"enum": ["REAL_TIME", "HOURLY", "DAILY", "WEEKLY", "MONTHLY"]},
        "wheelingCharges": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "amount": {"type": "number"},
                "currency": _CURRENCY,
                "description": {"type": "string"},
            },
        },
        "minimumQuantity": {"type": "number"},
        "maximumQuantity": {"type": "number"},
        "validityWindow": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"start": _INSTANT, "end": _INSTANT},
        },
        "timeOfDayRates": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "timeRange": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"start": _TIME, "end": _TIME},
                    },
                    "rate": {"type": "number"},
                    "currency": _CURRENCY,
                },
            },
        },
    },
}
TRADE = {"benefit_kind": "energy_trade", "percent": None, "base": "", "min_session_value": None}


@pytest.fixture
def trades(network):
    price_as_deg(network.op_a)  # ₹18/kWh and the weekend offer
    OfferFactory(
        operator=network.op_a, code="solar-tod", title="Solar hours", pricing_model="TIME_OF_DAY",
        tod_rates=[{"timeRange": {"start": "09:00", "end": "17:00"}, "rate": "12.5"}],
        wheeling_amount=Decimal("2.50"), wheeling_description="Grid wheeling charge",
        min_quantity=Decimal("1"), max_quantity=Decimal("100"), settlement_type="DAILY",
        valid_from=dt.datetime(2025, 1, 1, tzinfo=IST), **TRADE,
    )  # fmt: skip
    OfferFactory(
        operator=network.op_a, code="trade-kwh", title="Trade at 12", pricing_model="PER_KWH",
        rate_per_kwh=Decimal("12"), **TRADE,
    )  # fmt: skip
    OfferFactory(
        operator=network.op_a, code="trade-fixed", title="Fixed 50", pricing_model="FIXED",
        fixed_price=Decimal("50"), **TRADE,
    )  # fmt: skip
    return network


def _provider(body) -> dict:
    found = [p for p in body["message"]["catalog"]["providers"] if p["id"] == "cpo-a.example"]
    return found[0]


def test_the_terms_are_published_once_and_match_the_schema(trades, bap, run, our_key):
    _, body = run(bap, "search", msgs.search())
    provider = _provider(body)
    offers = {o["id"]: o for o in provider["offers"]}
    terms = {}
    for code in ("solar-tod", "trade-kwh", "trade-fixed"):
        value = tag_values(offers[code]["tags"], "energy-trade-offer")["EnergyTradeOffer"]
        terms[code] = json.loads(value)
        jsonschema.validate(terms[code], ENERGY_TRADE_OFFER)
    assert terms["solar-tod"] == {
        "@context": terms["solar-tod"]["@context"],
        "@type": "EnergyTradeOffer",
        "pricingModel": "TIME_OF_DAY",
        "settlementType": "DAILY",
        "wheelingCharges": {
            "amount": 2.5,
            "currency": "INR",
            "description": "Grid wheeling charge",
        },
        "minimumQuantity": 1,
        "maximumQuantity": 100,
        "validityWindow": {"start": "2024-12-31T18:30:00Z"},
        "timeOfDayRates": [
            {"timeRange": {"start": "09:00", "end": "17:00"}, "rate": 12.5, "currency": "INR"}
        ],
    }
    assert terms["trade-kwh"]["pricingModel"] == "PER_KWH"
    assert find_group(offers["weekend-discount-25"]["tags"], "energy-trade-offer") is None
    for item in provider["items"]:  # not repeated under every item (compact catalog)
        for offer in item.get("offers", ()):
            assert find_group(offer.get("tags", []), "energy-trade-offer") is None


def test_per_kwh_and_fixed_trades_carry_their_offered_price(trades, bap, run, our_key):
    _, body = run(bap, "search", msgs.search())
    item = _provider(body)["items"][0]
    prices = {o["id"]: o.get("price") for o in item["offers"]}
    assert prices["trade-kwh"] == {"value": "12.00", "currency": "INR/kWh"}
    assert prices["trade-fixed"] == {"value": "50.00", "currency": "INR"}
    assert "solar-tod" not in prices  # the rate depends on the hour: in the terms


def test_every_published_offer_has_a_price_a_bap_can_show(trades, bap, run, our_key):
    """Each offer read back from on_search: a trade by its item price (PER_KWH, FIXED) or
    its terms' rates (TIME_OF_DAY), a discount by its value, whatever else is cheaper."""
    OfferFactory(
        operator=trades.op_a, code="trade-15", title="Trade at 15", pricing_model="PER_KWH",
        rate_per_kwh=Decimal("15"), **TRADE,
    )  # fmt: skip
    _, body = run(bap, "search", msgs.search())
    provider = _provider(body)
    charger = next(i for i in provider["items"] if i["id"] == trades.charger_a.code)
    prices = {o["id"]: o.get("price") for o in charger.get("offers", ())}
    assert prices["trade-15"] == {"value": "15.00", "currency": "INR/kWh"}
    assert prices["trade-kwh"] == {"value": "12.00", "currency": "INR/kWh"}
    for offer in provider["offers"]:
        trade = find_group(offer["tags"], "energy-trade-offer")
        if trade is None:
            details = tag_values(offer["tags"], "offer-details")
            assert details.get("discount-value") or prices.get(offer["id"]), offer
            continue
        terms = json.loads(tag_values(offer["tags"], "energy-trade-offer")["EnergyTradeOffer"])
        if terms["pricingModel"] == "TIME_OF_DAY":
            assert all(r["rate"] for r in terms["timeOfDayRates"]), offer
        else:
            assert prices.get(offer["id"]), f"{offer['id']}: no price a BAP can show"


def test_the_quote_carries_the_terms_of_an_applied_trade(trades, bap, run, our_key):
    provider, item = trades.op_a.code, trades.charger_a.code
    _, body = run(bap, "select", msgs.select(provider, item, offers=("trade-fixed",)))
    order = body["message"]["order"]
    offers = {o["id"]: o for o in order["offers"]}
    assert list(offers) == ["trade-fixed"]  # 5 kWh for ₹50 instead of ₹90: 40.00 is best
    value = tag_values(offers["trade-fixed"]["tags"], "energy-trade-offer")["EnergyTradeOffer"]
    terms = json.loads(value)
    jsonschema.validate(terms, ENERGY_TRADE_OFFER)
    assert terms["pricingModel"] == "FIXED"
    _, body = run(bap, "init", msgs.init(provider, item, offers=("trade-fixed",)))
    (offer,) = body["message"]["order"]["offers"]
    assert find_group(offer["tags"], "offer-validation") is not None
    assert json.loads(tag_values(offer["tags"], "energy-trade-offer")["EnergyTradeOffer"]) == terms


def test_the_bap_simulator_prints_the_terms():
    example = {  # the schema's own example
        "@type": "EnergyTradeOffer", "pricingModel": "TIME_OF_DAY", "settlementType": "DAILY",
        "wheelingCharges": {
            "amount": 2.5, "currency": "USD", "description": "PG&E Grid Services wheeling charge"
        },
        "minimumQuantity": 1.0, "maximumQuantity": 100.0,
        "validityWindow": {"start": "2024-10-04T00:00:00Z", "end": "2024-10-04T23:59:59Z"},
        "timeOfDayRates": [
            {"timeRange": {"start": "09:00", "end": "17:00"}, "rate": 0.15, "currency": "USD"}
        ],
    }  # fmt: skip
    provider = {"offers": [{"id": "t", "tags": [energy_trade_group(json.dumps(example))]}]}
    assert trade_terms(provider, "t") == example
    assert trade_terms(provider, "other") is None
    assert describe_terms(example) == (
        "TIME_OF_DAY; 09:00-17:00 at 0.15 USD/kWh; wheeling 2.5 USD (PG&E Grid Services "
        "wheeling charge); 1.0-100.0 kWh; settled DAILY; valid 2024-10-04T00:00:00Z to "
        "2024-10-04T23:59:59Z"
    )
