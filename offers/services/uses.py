"""One definition of an offer's *use* (its words: offers.rules.uses), counted in the
ledger for every page, CSV and API that shows uses.

A **use** is a settled redemption: a delivered session on which the offer's discount was
given, i.e. the order's latest `settled` ledger row for the offer, not held out, with a
discount above zero. It counts once, on the local date on which it settled (the date the
ROI dashboard, the API and the what-if window read). Quoted (select) and confirmed (init,
confirm) rows are steps of an order, not uses: a confirmed order that is cancelled, or
settles with nothing given, never becomes one.

The offer list, the staff home, the budget bar, the ROI dashboard (through the rollups,
which test USE_SQL on the same columns) and the ledger's "uses" filter all count with
this module, so they show the same figure for the same offer and period.

The usage counters the limits are enforced against (`OfferUsage`) are something else:
they also hold what open orders (confirmed, not yet settled) have taken, so that a limit
is never overrun; pages that show them say so ("held by open orders").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from offers.models import Redemption, RedemptionKind

# The same test on a ledger row's columns, for the rollups' SQL: with the row being the
# order's latest settled row for its offer (the rollups' `live` flag), it is a use when
USE_SQL = "offer_id IS NOT NULL AND NOT held_out AND discount > 0"
ZERO = Decimal("0.00")


def settled_uses(rows: QuerySet[Redemption] | None = None) -> QuerySet[Redemption]:
    """The ledger rows among `rows` (default: all) that are uses."""
    rows = Redemption.objects.all() if rows is None else rows
    later = Redemption.objects.filter(
        order_ref=OuterRef("order_ref"),
        offer_id=OuterRef("offer_id"),
        kind=RedemptionKind.SETTLED,
        seq__gt=OuterRef("seq"),
    )
    return rows.filter(kind=RedemptionKind.SETTLED, held_out=False, discount__gt=0).exclude(
        Exists(later)
    )


def within(rows: QuerySet[Redemption], start: dt.datetime, end: dt.datetime):
    """Rows that settled in [start, end)."""
    return rows.filter(occurred_at__gte=start, occurred_at__lt=end)


@dataclass(frozen=True, slots=True)
class Uses:
    count: int
    discount: Decimal  # the discount given on those uses


def total(rows: QuerySet[Redemption]) -> Uses:
    """The uses among `rows` and the discount given on them."""
    got = settled_uses(rows).aggregate(n=Count("pk"), given=Sum("discount"))
    return Uses(got["n"] or 0, got["given"] or ZERO)


def annotate(offers: QuerySet) -> QuerySet:
    """Offers with `settled_uses` and `settled_discount`: every use since the offer
    began (two correlated subqueries, one index lookup each per offer shown)."""
    mine = settled_uses(Redemption.objects.filter(offer_id=OuterRef("pk")))
    per_offer = mine.order_by().values("offer_id")
    count = per_offer.annotate(n=Count("pk")).values("n")
    given = per_offer.annotate(s=Sum("discount")).values("s")
    money = DecimalField(max_digits=14, decimal_places=2)
    return offers.annotate(
        settled_uses=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        settled_discount=Coalesce(
            Subquery(given, output_field=money), Value(ZERO), output_field=money
        ),
    )
