"""The offer rules: pure functions over dataclasses, no Django, no I/O (docs/offers.md).

Offers are data (construct.py: OfferRule); evaluate() says whether one applies to a priced
session and why not (evaluate.assess, the one evaluator, on many); select_in() /
quote_offers() pick the best allowed combination as quote lines (choose.py); OfferIndex
finds the candidates; redeemed_on_delivery() recomputes on delivered energy (settle.py);
compose() runs a whole quote.

This package's namespace is the rules' public face: other apps import from `offers.rules`
only (an import-linter contract, pyproject.toml).
"""

from offers.rules.benefit_types import (
    Base,
    Benefit,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    PercentOff,
    PricingModel,
    RateOverride,
    ServiceFeeWaiver,
    Slabs,
)
from offers.rules.choose import Combination
from offers.rules.combo import is_combo
from offers.rules.composition import Compete, Settle, compose
from offers.rules.conditions import without_validity
from offers.rules.construct import OfferRule
from offers.rules.energy_trade import energy_trade_json
from offers.rules.evaluate import evaluate
from offers.rules.facts import CustomerFacts, Limits, OfferFacts, PresentedCode, StationFacts
from offers.rules.geo import EARTH_RADIUS_KM, haversine_km
from offers.rules.index import OfferIndex
from offers.rules.ondc import ondc_description
from offers.rules.outcome import Applied, Reason
from offers.rules.qualifiers import declared_tags
from offers.rules.uses import USES_LABEL, USES_MEANING

__all__ = [
    "EARTH_RADIUS_KM",
    "USES_LABEL",
    "USES_MEANING",
    "Applied",
    "Base",
    "Benefit",
    "BuyXGetY",
    "Combination",
    "Compete",
    "CreditDrawdown",
    "CustomerFacts",
    "EnergyTradeTerms",
    "FixedOff",
    "FreeKwh",
    "Limits",
    "OfferFacts",
    "OfferIndex",
    "OfferRule",
    "PercentOff",
    "PresentedCode",
    "PricingModel",
    "RateOverride",
    "Reason",
    "ServiceFeeWaiver",
    "Settle",
    "Slabs",
    "StationFacts",
    "compose",
    "declared_tags",
    "energy_trade_json",
    "evaluate",
    "haversine_km",
    "is_combo",
    "ondc_description",
    "without_validity",
]
