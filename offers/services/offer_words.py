"""An offer row in words, for the admin's list and anything else that shows offers: the
model read through offers.rules.describe (the wording) and cpo_portal.formatting (money
and dates), so the list and the pages say the same."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from cpo_portal import formatting
from offers.conversion import TermsError, benefit_of, window_of
from offers.models import Offer
from offers.rules import describe


@dataclass(frozen=True)
class OfferWords:
    value: str  # "15 % off energy, cap ₹100"
    schedule: str  # "weekdays 18:00-22:00, until 30 Nov 2026, 23:59"
    budget: describe.BudgetUse | None  # None: no money budget
    budget_text: str  # "₹40.00 of ₹500.00", or "no money budget"
    budget_split: str = ""  # "₹30.00 on settled uses, ₹10.00 held by open orders"


def offer_words(offer: Offer, settled: Decimal | None = None) -> OfferWords:
    """`settled`: the discount given on the offer's settled uses (offers.services.uses),
    to split the budget spent into what settled and what open orders hold."""
    currency = offer.effective_currency
    try:
        value = describe.value_text(benefit_of(offer, currency), offer.max_discount, currency)
    except (TermsError, ValueError, TypeError):  # a draft not yet filled in
        value = "not yet set"
    schedule = describe.schedule_text(window_of(offer))
    zone = offer.operator.time_zone
    if offer.valid_from:
        schedule += f", from {formatting.local_time(offer.valid_from, zone)}"
    if offer.valid_until:
        schedule += f", until {formatting.local_time(offer.valid_until, zone)}"
    spent = offer.usage.budget_spent if hasattr(offer, "usage") else Decimal(0)
    budget = describe.budget_use(spent, offer.budget)
    in_money = partial(formatting.money_text, currency=currency)
    text = budget.text(in_money) if budget else ""
    split = ""
    if budget is not None and settled is not None:
        split = f"{in_money(settled)} on settled uses"
        if spent > settled:
            split += f", {in_money(spent - settled)} held by open orders"
        elif spent < settled:
            split += f", {in_money(settled - spent)} recovered since"
    return OfferWords(value, schedule, budget, text or "no money budget", split)
