"""Offers as data, in the ONDC offer construct's vocabulary.

An offer is applicability (where and when), a qualifier (who and how much), one benefit,
meta (auto or opt-in, additive or exclusive, priority), an optional holdout and an
optional cap. Limits (uses left, budget left) are not part of the offer: they are facts
the caller reads from the database at quote time (see facts.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from offers.rules.benefit_types import (
    Base,
    Benefit,
    BenefitKind,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    PercentOff,
    PricingModel,
    RateOverride,
    ServiceFeeWaiver,
    SettlementType,
    Slab,
    SlabMode,
    Slabs,
    TimeOfDayRate,
    WheelingCharges,
)
from pricing.engine import TimeWindow

__all__ = [
    "Applicability",
    "Base",
    "Benefit",
    "BenefitKind",
    "BudgetPolicy",
    "BuyXGetY",
    "ComboTerms",
    "CreditDrawdown",
    "EnergyTradeTerms",
    "FixedOff",
    "FreeKwh",
    "GeoCircle",
    "Holdout",
    "HolidayRule",
    "Meta",
    "OfferDefinitionError",
    "OfferRule",
    "OndcOfferType",
    "PercentOff",
    "PricingModel",
    "Qualifier",
    "RateOverride",
    "ServiceFeeWaiver",
    "SettlementType",
    "Slab",
    "SlabMode",
    "Slabs",
    "TimeOfDayRate",
    "WheelingCharges",
    "ondc_type_of",
]


class OfferDefinitionError(ValueError):
    """An offer that cannot be priced: an unsupported ONDC type or inconsistent terms."""

    def __init__(self, offer_id: str, problems: list[str]) -> None:
        self.offer_id = offer_id
        self.problems = problems
        super().__init__(f"Offer {offer_id}: " + "; ".join(problems))


class OndcOfferType(StrEnum):
    DISCOUNT = "discount"
    BUY_X_GET_Y = "buyxgety"
    FREEBIE = "freebie"
    SLAB = "slab"
    COMBO = "combo"
    DELIVERY = "delivery"
    EXCHANGE = "exchange"  # no meaning for a charging session: refused
    FINANCING = "financing"  # no meaning for a charging session: refused


class HolidayRule(StrEnum):
    ANY_DAY = "any_day"
    HOLIDAYS_ONLY = "holidays_only"
    EXCEPT_HOLIDAYS = "except_holidays"


class BudgetPolicy(StrEnum):
    """When the remaining budget is below the discount: cut the discount to it, or refuse."""

    CUT = "cut"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class GeoCircle:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class Applicability:
    """Where and when. Each attribute is a union of its values; attributes intersect.

    Empty sets and None mean 'any'. The validity window is inclusive at both ends (DEG
    publishes valid-until as 23:59:59) and is read against the session's start. Local
    windows, holidays and the launch window are read at the session's local start.
    """

    station_codes: frozenset[str] = frozenset()
    region_codes: frozenset[str] = frozenset()
    city_codes: frozenset[str] = frozenset()
    site_kinds: frozenset[str] = frozenset()
    charger_codes: frozenset[str] = frozenset()
    category_codes: frozenset[str] = frozenset()
    circles: tuple[GeoCircle, ...] = ()
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    windows: tuple[TimeWindow, ...] = ()
    holidays: HolidayRule = HolidayRule.ANY_DAY
    launch_days: int | None = None  # only in the first N days after the station opened


@dataclass(frozen=True, slots=True)
class Qualifier:
    """Who qualifies and for how much. Empty sets, None and False mean 'no condition'.

    The session value compared with `min_session_value` is the priced session's pre-tax
    gross before any discount: energy + service fee + idle fee + surges (ONDC: cart value
    not including taxes).
    """

    min_session_value: Decimal | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    segments: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    members_only: bool = False
    first_session_only: bool = False
    referred_only: bool = False
    anniversary_days: int | None = None  # None: not an anniversary offer; 0: the day itself
    declared: tuple[tuple[str, int], ...] = ()  # declared qualifiers (qualifiers/), by key


@dataclass(frozen=True, slots=True)
class Meta:
    auto: bool = True  # False: opt-in, needs a matched code
    additive: bool = False  # True: stacks with other additive offers
    priority: int = 0  # higher first


@dataclass(frozen=True, slots=True)
class ComboTerms:
    """ONDC combo: the discount needs the primary item (the charging session, at the
    offer's chargers) and at least one of these secondary items or add-ons (qualifier
    item_id). The logic is in offers.rules.combo."""

    secondary_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class Holdout:
    """Share (0..1) of eligible, identified customers who do not get the offer (control)."""

    share: Decimal = Decimal("0")


_ONDC_TYPE: dict[BenefitKind, OndcOfferType] = {
    BenefitKind.FREE_KWH: OndcOfferType.FREEBIE,
    BenefitKind.BUY_X_GET_Y: OndcOfferType.BUY_X_GET_Y,
    BenefitKind.SLABS: OndcOfferType.SLAB,
    BenefitKind.SERVICE_FEE_WAIVER: OndcOfferType.DELIVERY,  # the fee is our 'delivery'
}


def ondc_type_of(benefit: Benefit) -> OndcOfferType:
    return _ONDC_TYPE.get(benefit.kind, OndcOfferType.DISCOUNT)


@dataclass(frozen=True, slots=True)
class OfferRule:
    id: str
    operator_code: str
    title: str  # descriptor name, also the quote line title
    benefit: Benefit
    short_desc: str = ""
    type_label: str = ""  # DEG offer-type, e.g. WEEKEND_SPECIAL
    applicability: Applicability = Applicability()
    qualifier: Qualifier = Qualifier()
    meta: Meta = Meta()
    holdout: Holdout | None = None
    max_discount: Decimal | None = None  # DEG max-discount, ONDC value cap
    budget_policy: BudgetPolicy = BudgetPolicy.CUT
    ondc_type: OndcOfferType | None = None  # None: derived from the benefit
    combo: ComboTerms | None = None  # set: an ONDC combo (offers.rules.combo prices it)
    # ISO 4217 code of every amount the offer states (fixed off, cap, budget, rates, minimum
    # session value, wheeling): it applies only to sessions priced in this currency
    currency: str = "INR"

    @property
    def offer_type(self) -> OndcOfferType:
        if self.ondc_type is not None:
            return self.ondc_type
        return OndcOfferType.COMBO if self.combo is not None else ondc_type_of(self.benefit)

    @property
    def currencies(self) -> frozenset[str]:
        """Every currency the offer's amounts are stated in (one, when it is well defined)."""
        used = {self.currency}
        trade = self.energy_trade
        if trade is not None:
            used.update(r.currency for r in trade.time_of_day_rates)
            if trade.wheeling is not None:
                used.add(trade.wheeling.currency)
        return frozenset(used)

    @property
    def energy_trade(self) -> EnergyTradeTerms | None:
        return self.benefit if isinstance(self.benefit, EnergyTradeTerms) else None
