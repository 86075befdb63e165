"""Incrementality and ROI, as plain arithmetic over figures the services load.

Revenue throughout is the pre-tax session value *before* the offer's discount (energy,
fees and surge): what customers spent. The discount is then counted exactly once, as the
cost. So

    ROI = (incremental revenue - discount cost) / discount cost

reads "rupees gained (or lost) per rupee of discount": 0 is break-even, -1 means the
discount bought no extra revenue at all.

Two ways to estimate the incremental revenue:

- holdout: eligible, identified customers are split at random (offers.rules.holdout);
  the treated got the offer, the held-out did not. Uplift per customer is treated revenue
  per treated customer minus held-out revenue per held-out customer; incremental revenue
  is that uplift times the treated customers.
- baseline: with no holdout, the same stations (and hour bands) in a comparable period
  just before the offer started: expected revenue is the baseline's revenue per day times
  the offer period's days; incremental revenue is what happened minus that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pricing.engine import ZERO, as_text, money

Rupees = Callable[[Decimal], str]  # how amounts read in notes (services pass the formatter)

RATIO = Decimal("0.0001")
# A baseline shorter than this many days is flagged: a few days before the offer (a
# weekend, a holiday) can make any period after it look like a gain or a loss.
SHORT_BASELINE_DAYS = 14


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator to 4 places, or None when the denominator is not positive."""
    if denominator <= 0:
        return None
    return (numerator / denominator).quantize(RATIO, rounding=ROUND_HALF_UP)


def roi(incremental: Decimal, discount: Decimal) -> Decimal | None:
    """(incremental - discount) / discount; None when no discount was given."""
    return ratio(incremental - discount, discount)


@dataclass(frozen=True, slots=True)
class Arm:
    """One side of a holdout test: distinct customers, their revenue and discount."""

    customers: int
    revenue: Decimal
    discount: Decimal = ZERO

    @property
    def per_customer(self) -> Decimal | None:
        if self.customers <= 0:
            return None
        return money(self.revenue / self.customers)


@dataclass(frozen=True, slots=True)
class Estimate:
    method: str  # "holdout", "baseline" or "none"
    incremental_revenue: Decimal | None
    discount_cost: Decimal
    roi: Decimal | None
    note: str  # why a figure is missing, or how it was reached, in words
    baseline_days: int | None = None  # days of baseline behind a baseline estimate

    @property
    def complete(self) -> bool:
        return self.roi is not None

    @property
    def low_confidence(self) -> bool:
        """A baseline estimate on fewer than SHORT_BASELINE_DAYS days: a rough guide."""
        days = self.baseline_days
        return self.method == "baseline" and days is not None and days < SHORT_BASELINE_DAYS

    def flags(self, rupees: Rupees = as_text) -> list[str]:
        """What a reader must know before trusting this ROI, in words (empty: nothing)."""
        out = []
        days = self.baseline_days
        if self.low_confidence and self.roi is not None:
            out.append(
                f"Short baseline: only {days} {'day' if days == 1 else 'days'} before "
                f"the offer (fewer than {SHORT_BASELINE_DAYS}), so this ROI is a rough guide."
            )
        if self.roi is not None and self.roi < -1 and self.incremental_revenue is not None:
            against = "the held-out customers" if self.method == "holdout" else "the baseline"
            out.append(
                f"ROI below \u22121: revenue came out {rupees(-self.incremental_revenue)} lower "
                f"than {against} suggests, on top of {rupees(self.discount_cost)} of "
                "discount, so the offer lost more than it cost."
            )
        return out


@dataclass(frozen=True, slots=True)
class Headline:
    """The ROI over the offers that have an estimate: the figures the page shows beside it
    (incremental revenue, discount cost) are the very sums it is computed from."""

    incremental_revenue: Decimal
    discount_cost: Decimal
    roi: Decimal | None
    offers_in: int
    offers_left_out: int


def headline(found: list[Estimate]) -> Headline:
    """Sum the complete estimates and take the ROI of the sums; count the rest as left out."""
    done = [e for e in found if e.complete]
    incremental = sum((e.incremental_revenue or ZERO for e in done), ZERO)
    discount = sum((e.discount_cost for e in done), ZERO)
    return Headline(
        incremental, discount, roi(incremental, discount), len(done), len(found) - len(done)
    )


def from_holdout(treated: Arm, control: Arm, rupees: Rupees = as_text) -> Estimate:
    """Uplift per eligible customer, scaled to the treated customers."""
    cost = money(treated.discount)
    if treated.per_customer is None or control.per_customer is None:
        missing = "treated" if treated.per_customer is None else "held-out"
        return Estimate("holdout", None, cost, None, f"No {missing} customers in this period.")
    uplift = treated.revenue / treated.customers - control.revenue / control.customers
    incremental = money(uplift * treated.customers)
    note = (
        f"{treated.customers} treated customers spent {rupees(treated.per_customer)} each, "
        f"{control.customers} held-out customers {rupees(control.per_customer)} each."
    )
    return Estimate("holdout", incremental, cost, roi(incremental, cost), note)


@dataclass(frozen=True, slots=True)
class Period:
    days: int
    revenue: Decimal

    @property
    def per_day(self) -> Decimal | None:
        return None if self.days <= 0 else self.revenue / self.days


def from_baseline(
    during: Period, before: Period, discount: Decimal, rupees: Rupees = as_text
) -> Estimate:
    """What happened at the offer's stations against their own recent past."""
    cost = money(discount)
    if during.days <= 0:
        return Estimate("baseline", None, cost, None, "The offer did not run in this period.")
    if before.per_day is None or before.revenue <= 0:
        return Estimate(
            "baseline", None, cost, None, "No baseline: these stations have no data before it."
        )
    expected = money(before.per_day * during.days)
    incremental = money(during.revenue) - expected
    days = "day" if before.days == 1 else "days"
    note = (
        f"{during.days} days with the offer took {rupees(during.revenue)}; the "
        f"{before.days} {days} before it averaged {rupees(money(before.per_day))} a day."
    )
    return Estimate(
        "baseline", incremental, cost, roi(incremental, cost), note, baseline_days=before.days
    )


def counterfactual(net: Decimal, discount: Decimal, incremental: Decimal) -> Decimal:
    """Revenue 'without the offer': no discount given, but no incremental revenue either."""
    return money(net + discount - incremental)
