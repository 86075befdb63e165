"""Facts the caller loads (from the database, the request) and hands to the rules.

The rules only read them: uses left, budget left and credit balances are decremented by
the caller, in the database, when a redemption is confirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from pricing.engine import Customer


@dataclass(frozen=True, slots=True)
class CreditBalance:
    """A prepaid balance: rupees (`amount`) or a kWh package (`kwh`). Rupees win if both."""

    account: str
    amount: Decimal | None = None
    kwh: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    key: str = ""  # salted hash; empty for anonymous
    segment: str = ""
    tier: str = ""
    member: bool = False
    first_session: bool = False
    referred: bool = False
    joined_on: dt.date | None = None
    credits: tuple[CreditBalance, ...] = ()

    @classmethod
    def of(cls, customer: Customer) -> CustomerFacts:
        """The request's customer; add the database facts with dataclasses.replace."""
        return cls(key=customer.key, segment=customer.segment, tier=customer.tier)

    def credit(self, account: str) -> CreditBalance | None:
        return next((c for c in self.credits if c.account == account), None)


@dataclass(frozen=True, slots=True)
class StationFacts:
    lat: float | None = None
    lon: float | None = None
    opened_on: dt.date | None = None  # local date the station opened
    chargers: int | None = None  # how many chargers it has (None: not counted)


@dataclass(frozen=True, slots=True)
class Limits:
    """What is left of an offer's limits at quote time. None means unlimited."""

    remaining_uses: int | None = None
    remaining_customer_uses: int | None = None
    remaining_budget: Decimal | None = None


NO_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class PresentedCode:
    """A code the buyer presented for an offer; `matched` is the caller's verdict."""

    code: str
    matched: bool


@dataclass(frozen=True, slots=True)
class OfferFacts:
    customer: CustomerFacts = CustomerFacts()
    station: StationFacts = StationFacts()
    operator_code: str = ""  # empty: do not check the offer's operator
    holidays: frozenset[dt.date] = frozenset()  # the operator's local holidays
    codes: Mapping[str, PresentedCode] = field(default_factory=dict)  # by offer id
    unmatched_codes: tuple[str, ...] = ()  # codes that matched no offer at all
    limits: Mapping[str, Limits] = field(default_factory=dict)  # by offer id
    now: dt.datetime | None = None  # quote time; an offer ended by now is not quoted

    def limits_for(self, offer_id: str) -> Limits:
        return self.limits.get(offer_id, NO_LIMITS)
