"""The benefit an offer gives: a tagged union, one frozen dataclass per kind.

Every class carries its `kind`; the ones that can take money off more than one thing
carry a `base`. Re-exported by offers.rules.construct.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar


class Base(StrEnum):
    """What a discount takes money off. GROSS is the whole pre-tax session."""

    ENERGY = "energy"
    SERVICE_FEE = "service_fee"
    GROSS = "gross"


class BenefitKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    RATE_OVERRIDE = "rate_override"
    FREE_KWH = "free_kwh"
    BUY_X_GET_Y = "buy_x_get_y"
    SLABS = "slabs"
    SERVICE_FEE_WAIVER = "service_fee_waiver"
    CREDIT_DRAWDOWN = "credit_drawdown"
    ENERGY_TRADE = "energy_trade"


class SlabMode(StrEnum):
    WHOLE = "whole"  # the slab the session's kWh falls in prices the whole session
    MARGINAL = "marginal"  # each kWh is priced by the slab it falls in (tax-bracket style)


@dataclass(frozen=True, slots=True)
class PercentOff:
    kind: ClassVar[BenefitKind] = BenefitKind.PERCENT
    percent: Decimal
    base: Base = Base.ENERGY


@dataclass(frozen=True, slots=True)
class FixedOff:
    kind: ClassVar[BenefitKind] = BenefitKind.FIXED
    amount: Decimal
    base: Base = Base.GROSS


@dataclass(frozen=True, slots=True)
class RateOverride:
    """The energy is charged at `rate_per_kwh` instead: discount = energy - kWh x rate."""

    kind: ClassVar[BenefitKind] = BenefitKind.RATE_OVERRIDE
    rate_per_kwh: Decimal


@dataclass(frozen=True, slots=True)
class FreeKwh:
    """The first `kwh` are free, valued at the session's average energy rate."""

    kind: ClassVar[BenefitKind] = BenefitKind.FREE_KWH
    kwh: Decimal


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    """For every `buy_kwh` paid, the next `free_kwh` are free (groups of X + Y kWh)."""

    kind: ClassVar[BenefitKind] = BenefitKind.BUY_X_GET_Y
    buy_kwh: Decimal
    free_kwh: Decimal


@dataclass(frozen=True, slots=True)
class Slab:
    """[from_kwh, to_kwh) with either a percent off or a replacement rate."""

    from_kwh: Decimal
    to_kwh: Decimal | None = None  # None: open-ended
    percent: Decimal | None = None
    rate_per_kwh: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Slabs:
    kind: ClassVar[BenefitKind] = BenefitKind.SLABS
    slabs: tuple[Slab, ...]
    mode: SlabMode = SlabMode.WHOLE


@dataclass(frozen=True, slots=True)
class ServiceFeeWaiver:
    kind: ClassVar[BenefitKind] = BenefitKind.SERVICE_FEE_WAIVER
    percent: Decimal = Decimal("100")


@dataclass(frozen=True, slots=True)
class CreditDrawdown:
    """Prepaid credit or a monthly package, possibly shared by a family plan.

    The balance is a customer fact under `account`: rupees are drawn on `base`, kWh on the
    energy (valued at the session's average rate). The discount is min(balance, cost).
    """

    kind: ClassVar[BenefitKind] = BenefitKind.CREDIT_DRAWDOWN
    account: str
    base: Base = Base.GROSS


class PricingModel(StrEnum):
    PER_KWH = "PER_KWH"
    TIME_OF_DAY = "TIME_OF_DAY"
    SUBSCRIPTION = "SUBSCRIPTION"
    FIXED = "FIXED"


class SettlementType(StrEnum):
    REAL_TIME = "REAL_TIME"
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


@dataclass(frozen=True, slots=True)
class WheelingCharges:
    amount: Decimal
    currency: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class TimeOfDayRate:
    """A local [start, end) every day; end <= start wraps past midnight."""

    start: dt.time
    end: dt.time
    rate: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class EnergyTradeTerms:
    """The EnergyTradeOffer schema (v0.2), as a benefit.

    PER_KWH prices the energy at `rate_per_kwh`, FIXED at `fixed_price` for the session
    (both carried by the Beckn Offer's price, not by this schema); TIME_OF_DAY prices each
    slice of the session by the rate of the window it falls in (tariff rate outside every
    window); SUBSCRIPTION means the energy is covered by the subscription.
    """

    kind: ClassVar[BenefitKind] = BenefitKind.ENERGY_TRADE
    pricing_model: PricingModel
    rate_per_kwh: Decimal | None = None
    fixed_price: Decimal | None = None
    time_of_day_rates: tuple[TimeOfDayRate, ...] = ()
    wheeling: WheelingCharges | None = None
    minimum_quantity: Decimal | None = None
    maximum_quantity: Decimal | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    settlement_type: SettlementType | None = None


Benefit = (
    PercentOff
    | FixedOff
    | RateOverride
    | FreeKwh
    | BuyXGetY
    | Slabs
    | ServiceFeeWaiver
    | CreditDrawdown
    | EnergyTradeTerms
)


def credit_account(benefit: Benefit) -> str:
    """The credit account a credit-drawdown benefit draws on (TypeError for other kinds)."""
    if not isinstance(benefit, CreditDrawdown):
        raise TypeError(f"A {benefit.kind} benefit draws on no credit account")
    return benefit.account
