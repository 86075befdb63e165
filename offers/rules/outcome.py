"""What the rules answer: eligible or rejected (with a reason a person can read), and the
selected combination as quote lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from offers.rules.construct import Base, OfferRule
from pricing.engine import ZERO, QuoteLine, amount_with_symbol


class Reason(StrEnum):
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    NOT_VALID_HERE = "not_valid_here"
    NOT_VALID_NOW = "not_valid_now"
    BELOW_MIN_VALUE = "below_min_value"
    BELOW_MIN_KWH = "below_min_kwh"
    ABOVE_MAX_KWH = "above_max_kwh"
    SEGMENT = "segment"
    TIER = "tier"
    MEMBERS_ONLY = "members_only"
    FIRST_SESSION_ONLY = "first_session_only"
    REFERRAL_ONLY = "referral_only"
    NOT_ANNIVERSARY = "not_anniversary"
    CODE_REQUIRED = "code_required"
    CODE_UNKNOWN = "code_unknown"
    LIMIT_REACHED = "limit_reached"
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"
    BUDGET_EXHAUSTED = "budget_exhausted"
    HELD_OUT = "held_out"
    NO_BENEFIT = "no_benefit"
    OUTRANKED = "outranked"  # eligible, but the best combination gives more (or as much)
    COMBO_INCOMPLETE = "combo_incomplete"  # a combo without any of its secondary items


Failure = tuple[Reason, str]


def rupees(amount: Decimal, currency: str = "INR") -> str:
    """Money to the paisa as every page writes it: '₹1,500.00', '$2.50'."""
    return amount_with_symbol(currency, amount)


@dataclass(frozen=True, slots=True)
class Eligible:
    """The offer applies on its own. `discount` is rounded, after cap and budget."""

    offer: OfferRule
    discount: Decimal
    base: Base
    code: str = ""  # the code the buyer used, for opt-in offers
    wheeling: Decimal = ZERO  # energy-trade wheeling charge added with the offer
    kwh_drawn: Decimal | None = None  # kWh taken from a kWh credit package

    @property
    def net(self) -> Decimal:
        """What the customer saves: the discount less any wheeling charge it brings."""
        return self.discount - self.wheeling


@dataclass(frozen=True, slots=True)
class Rejected:
    offer_id: str
    reason: Reason
    message: str
    would_be: Eligible | None = None  # HELD_OUT: what the customer would have had


@dataclass(frozen=True, slots=True)
class Applied:
    """One offer in the quote (held_out: recorded for ROI, no discount given)."""

    offer_id: str
    discount: Decimal  # positive; the quote line carries it negated
    base: Base
    code: str = ""
    held_out: bool = False
    kwh_drawn: Decimal | None = None
    wheeling: Decimal = ZERO


def outranked(offer_id: str, saving: Decimal, currency: str = "INR") -> Rejected:
    """An eligible offer left out of the best combination (the one the engine picks),
    which saves `saving`."""
    return Rejected(
        offer_id,
        Reason.OUTRANKED,
        f"Offer {offer_id} cannot be combined with the offers that give the best price, "
        f"which save {rupees(saving, currency)}",
    )


class Outranked(NamedTuple):
    """The eligible offers a selection left out, kept unworded: most quotes never read
    their rejections, so each outranked offer's Rejected is made the first time the
    result's `rejected` is read (outranked() words it)."""

    eligible_ids: Sequence[str]  # every eligible offer, in order
    applied: Sequence[Applied]  # the selected combination's offers
    dropped: Sequence[Rejected]  # and those dropped from its stack
    saving: Decimal  # what the selected combination saves
    currency: str

    def rejections(self) -> tuple[Rejected, ...]:
        chosen = {a.offer_id for a in self.applied}
        chosen.update(r.offer_id for r in self.dropped)
        saving, currency = self.saving, self.currency
        return tuple(
            outranked(offer_id, saving, currency)
            for offer_id in self.eligible_ids
            if offer_id not in chosen
        )


@dataclass(frozen=True, slots=True, eq=False)
class OfferResult:
    """The selection's lines and applied offers, and every offer not applied with its
    reason (`rejected`): the `stated` rejections, then the `outranked` offers'."""

    lines: tuple[QuoteLine, ...]
    applied: tuple[Applied, ...]
    stated: tuple[Rejected, ...] = ()
    outranked: Outranked | None = None
    _rejected: tuple[Rejected, ...] | None = field(default=None, init=False, repr=False)

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        """The stated rejections, then one OUTRANKED per eligible offer left out (worded
        on the first read, then kept)."""
        rejected = self._rejected
        if rejected is None:
            extra = self.outranked
            rejected = self.stated if extra is None else (*self.stated, *extra.rejections())
            object.__setattr__(self, "_rejected", rejected)
        return rejected

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OfferResult):
            return NotImplemented
        return (self.lines, self.applied, self.rejected) == (
            other.lines,
            other.applied,
            other.rejected,
        )

    def __hash__(self) -> int:
        return hash((self.lines, self.applied, self.rejected))

    def applied_ids(self) -> tuple[str, ...]:
        return tuple(a.offer_id for a in self.applied if not a.held_out)

    def rejection(self, offer_id: str) -> Rejected | None:
        return next((r for r in self.rejected if r.offer_id == offer_id), None)
