"""What a dashboard, an export or an API call looks at: one operator, a date range and
optional offer / offer type / station / region. Every query on the rollups goes through
`Filters.apply`, after `tenancy.scope` has already cut the queryset to the user's
operators, so the operator filter here is a second lock, not the only one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Max, QuerySet

from analytics.models import DailyRollup, OfferDaily, StationDaily
from cpo_portal import tenancy
from cpo_portal.models import Operator

DEFAULT_DAYS = 90


@dataclass(frozen=True, slots=True)
class Filters:
    operator: Operator
    date_from: dt.date
    date_to: dt.date
    offer_id: int | None = None
    offer_type: str = ""
    station_id: int | None = None
    region: str = ""

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def apply(self, qs: QuerySet, offers: bool = True) -> QuerySet:
        """Filter a rollup queryset (DailyRollup, HourlyRollup, DailyCustomer).

        `offers=False` for tables without the offer dimension (HourlyRollup)."""
        qs = qs.filter(operator=self.operator, date__range=(self.date_from, self.date_to))
        if self.station_id:
            qs = qs.filter(station_id=self.station_id)
        if self.region:
            qs = qs.filter(region_code=self.region)
        if offers and self.offer_id:
            qs = qs.filter(offer_id=self.offer_id)
        if offers and self.offer_type:
            qs = qs.filter(offer_type=self.offer_type)
        return qs

    def without_offer(self) -> Filters:
        return replace(self, offer_id=None, offer_type="")

    def query(self) -> dict[str, str]:
        """The filters as query-string values (links, export URLs)."""
        values = {
            "operator": str(self.operator.pk),
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "offer": str(self.offer_id or ""),
            "offer_type": self.offer_type,
            "station": str(self.station_id or ""),
            "region": self.region,
        }
        return {k: v for k, v in values.items() if v}


def figures(f: Filters, by_station: bool = False, by_offer: bool = False) -> QuerySet:
    """The smallest rollup that can answer under these filters, already filtered:
    OfferDaily (no station or region asked), StationDaily (no offer asked), else
    DailyRollup. All three carry the same measures. `by_station` / `by_offer`: the
    caller groups or filters by that dimension itself."""
    if not (f.station_id or f.region or by_station):
        return f.apply(OfferDaily.objects.all())
    if not (f.offer_id or f.offer_type or by_offer):
        return f.apply(StationDaily.objects.all(), offers=False)
    return f.apply(DailyRollup.objects.all())


def allowed_operators(user) -> QuerySet:
    """Operators whose dashboards the user may see: any role (analyst, pricing manager,
    operator admin) at that operator; every operator for a superuser."""
    return tenancy.scope(Operator.objects.order_by("name"), user, tenancy.ALL_ROLES)


def scoped(qs: QuerySet, user) -> QuerySet:
    return tenancy.scope(qs, user, tenancy.ALL_ROLES)


def default_range(operator: Operator) -> tuple[dt.date, dt.date]:
    """The last DEFAULT_DAYS days that have data (or up to today when there is none)."""
    latest = OfferDaily.objects.filter(operator=operator).aggregate(m=Max("date"))["m"]
    end = latest or dt.date.today()
    return end - dt.timedelta(days=DEFAULT_DAYS - 1), end
