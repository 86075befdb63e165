"""An operator's offers today, for the staff home page: live offers, their money budgets
(spent and left), today's uses (offers.services.uses: settled since local midnight), and
the offers that need a look soon.

Read from the published catalog (`published_offers`: active offers not ended) and the
usage counters the limits are enforced against (`limits_from`), so the home page and the
quotes agree on what is live and what is left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from cpo_portal.models import Operator
from offers.models import OfferUsage, Redemption
from offers.rules.conditions import validity_window

from .catalog import catalog_for
from .facts import limits_from
from .publishing import published_offers
from .uses import total, within

NEAR_BUDGET = Decimal("0.8")  # spent share at which an offer's budget needs a look
NEAR_END = dt.timedelta(days=7)
ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class OfferAlert:
    offer_pk: int
    code: str
    title: str
    reason: str  # "budget" or "ending"
    spent_share: Decimal | None = None  # budget: spent / budget
    ends_at: dt.datetime | None = None  # ending


@dataclass(frozen=True, slots=True)
class OffersToday:
    currency: str
    live: int  # active, started and not ended
    starting_later: int  # active, starting later
    budget: Decimal  # the money budgets (in `currency`) of the live and starting offers
    budget_spent: Decimal
    budget_left: Decimal
    uses_today: int  # settled uses since local midnight (offers.services.uses)
    discount_today: Decimal  # the discount given on them
    alerts: tuple[OfferAlert, ...]


def _today(operator: Operator, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(operator.time_zone)
    midnight = dt.datetime.combine(now.astimezone(zone).date(), dt.time(), tzinfo=zone)
    return midnight, midnight + dt.timedelta(days=1)


def offers_today(operator: Operator, now: dt.datetime | None = None) -> OffersToday:
    now = now or timezone.now()
    catalog = catalog_for(operator)
    offers = published_offers(operator, at=now)
    infos = [catalog.offers[o.id] for o in offers if o.id in catalog.offers]
    spent = dict(
        OfferUsage.objects.filter(offer_id__in=[i.pk for i in infos]).values_list(
            "offer_id", "budget_spent"
        )
    )
    live = starting = 0
    budget = budget_spent = budget_left = ZERO
    alerts: list[OfferAlert] = []
    for info in infos:
        start, end = validity_window(info.rule)
        if start is not None and start > now:
            starting += 1
        else:
            live += 1
        if end is not None and end - now <= NEAR_END:
            alerts.append(OfferAlert(info.pk, info.code, info.rule.title, "ending", ends_at=end))
        if info.budget is None:
            continue
        used = spent.get(info.pk, ZERO)
        if info.rule.currency == catalog.currency:  # the totals are in one currency
            left = limits_from(info, 0, used, None).remaining_budget or ZERO
            budget += info.budget
            budget_spent += used
            budget_left += max(left, ZERO)
        share = used / info.budget if info.budget else Decimal("1")
        if share >= NEAR_BUDGET:
            alerts.append(
                OfferAlert(info.pk, info.code, info.rule.title, "budget", spent_share=share)
            )
    start_of_day, end_of_day = _today(operator, now)
    today = total(within(Redemption.objects.filter(operator=operator), start_of_day, end_of_day))
    return OffersToday(
        currency=catalog.currency,
        live=live,
        starting_later=starting,
        budget=budget,
        budget_spent=budget_spent,
        budget_left=budget_left,
        uses_today=today.count,
        discount_today=today.discount,
        alerts=tuple(sorted(alerts, key=lambda a: (a.reason, a.code))),
    )
