"""What a dashboard, an export or an API call looks at: one operator, a date range and
optional offer / offer type / station / region / channel. Every query on the rollups goes through
`Filters.apply`, after `tenancy.scope` has already cut the queryset to the user's
operators, so the operator filter here is a second lock, not the only one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet

from analytics.models import ChannelDaily, DailyRollup, OfferDaily, StationDaily
from cpo_portal import tenancy
from cpo_portal.db import years
from cpo_portal.models import Operator
from offers.models import SessionChannel

DEFAULT_DAYS = 90
# Every date filter (dashboards, exports, the API) lies in these bounds, and a range spans
# at most MAX_SPAN_DAYS: the ledger starts after DATE_MIN, and a range's cost grows with
# its length (periods, baselines), so an unbounded one is refused rather than computed.
DATE_MIN = years.FIRST.date()  # the product's range of dates (cpo_portal.db.years)
DATE_MAX = years.END.date() - dt.timedelta(days=1)
MAX_SPAN_DAYS = 3 * 366
# The channel filter, one definition for every page, export and API call that takes it
# (the ROI dashboard, the surge page, the hourly rollups): its label and its choices.
CHANNEL_LABEL = "Channel"
CHANNEL_CHOICES = [("", "All channels"), *SessionChannel.choices]


@dataclass(frozen=True, slots=True)
class Filters:
    operator: Operator
    date_from: dt.date
    date_to: dt.date
    offer_id: int | None = None
    offer_type: str = ""
    station_id: int | None = None
    region: str = ""
    channel: str = ""  # a SessionChannel value; "" for every channel

    @classmethod
    def of(cls, operator: Operator, data: dict) -> Filters:
        """The filters of a validated form or filterset's data (dates already resolved:
        resolve_range), the offer and station as model instances."""
        offer, station = data.get("offer"), data.get("station")
        return cls(
            operator=operator,
            date_from=data["date_from"],
            date_to=data["date_to"],
            offer_id=offer.pk if offer else None,
            offer_type=data.get("offer_type") or "",
            station_id=station.pk if station else None,
            region=data.get("region") or "",
            channel=data.get("channel") or "",
        )

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

    def by_channel(self, qs: QuerySet) -> QuerySet:
        """Cut a queryset of a table with a `channel` column (HourlyRollup, HourlyPeriod,
        ChannelDaily) to the chosen channel; every channel when none is chosen."""
        return qs.filter(channel=self.channel) if self.channel else qs

    @property
    def channel_label(self) -> str:
        """The chosen channel as people say it ("OCPI roaming"); "" for every channel."""
        return str(SessionChannel(self.channel).label) if self.channel else ""

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
            "channel": self.channel,
        }
        return {k: v for k, v in values.items() if v}


class ChannelRows:
    """Where one channel's figures come from (channel_rows)."""

    CHANNEL = "channel"  # ChannelDaily: that channel's sessions by station and day
    EVERY = "every"  # the rollups without a channel: offers are redeemed on Beckn orders only
    NONE = "none"  # another channel redeems no offer


def channel_rows(channel: str, offers: bool) -> str:
    """Where the figures of `channel` come from when the question is about offers
    (`offers`: an offer or offer type asked, or figures by offer) or not (ChannelRows)."""
    if not offers:
        return ChannelRows.CHANNEL
    return ChannelRows.EVERY if channel == SessionChannel.BECKN else ChannelRows.NONE


def figures(f: Filters, by_station: bool = False, by_offer: bool = False) -> QuerySet:
    """The smallest rollup that can answer under these filters, already filtered:
    OfferDaily (no station or region asked), StationDaily (no offer asked), else
    DailyRollup. All three carry the same measures. `by_station` / `by_offer`: the
    caller groups or filters by that dimension itself.

    With a channel: ChannelDaily, the sessions of that channel by station; offers are
    redeemed on Beckn orders only, so an offer asked of another channel has no rows."""
    if f.channel:
        rows = channel_rows(f.channel, bool(f.offer_id or f.offer_type or by_offer))
        if rows == ChannelRows.NONE:
            return DailyRollup.objects.none()
        if rows == ChannelRows.EVERY:
            return figures(replace(f, channel=""), by_station, by_offer)
        return f.apply(f.by_channel(ChannelDaily.objects.all()), offers=False)
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


def default_range(operator: Operator | QuerySet) -> tuple[dt.date, dt.date]:
    """The last DEFAULT_DAYS days that have data (or up to today when there is none): the
    operator's, or the latest of several operators' (a queryset of them)."""
    operators = operator if isinstance(operator, QuerySet) else [operator]
    latest = OfferDaily.objects.filter(operator__in=operators).aggregate(m=Max("date"))["m"]
    end = latest or dt.date.today()
    return end - dt.timedelta(days=DEFAULT_DAYS - 1), end


def check_dates(date_from: dt.date | None, date_to: dt.date | None) -> None:
    """The date filters as given (either may be absent): in bounds, in order, not too far
    apart. ValidationError, per field where one field is at fault, says why."""
    errors = {
        name: f"Pick a date from {DATE_MIN} to {DATE_MAX}."
        for name, value in (("date_from", date_from), ("date_to", date_to))
        if value is not None and not DATE_MIN <= value <= DATE_MAX
    }
    if errors:
        raise ValidationError(errors)
    if date_from and date_to and date_to < date_from:
        raise ValidationError({"date_to": "The end date is before the start date."})
    if date_from and date_to and (date_to - date_from).days > MAX_SPAN_DAYS:
        raise ValidationError({"date_to": f"Pick at most three years ({MAX_SPAN_DAYS} days)."})


def check_owners(data: dict) -> None:
    """The offer and station asked (model instances) belong to the operator asked, or to
    each other's when none is: another operator's is refused, not answered with nothing
    (every API endpoint; the dashboards' choices are the operator's own). ValidationError
    names the field at fault."""
    operator = data.get("operator")
    owner = operator.pk if operator else None
    errors = {}
    for name in ("offer", "station"):
        chosen = data.get(name)
        if chosen is not None and owner is None:
            owner = chosen.operator_id
        elif chosen is not None and chosen.operator_id != owner:
            errors[name] = f"That {name} belongs to another operator."
    if errors:
        raise ValidationError(errors)


def resolve_range(
    operator: Operator | QuerySet, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The range every dashboard, export and API call looks at: the dates given, the
    missing end the last day with data (never before the start), the missing start
    DEFAULT_DAYS before the end. The result passes `check_dates`, or ValidationError says
    why not."""
    check_dates(date_from, date_to)
    if date_to is None:
        date_to = max(default_range(operator)[1], date_from or DATE_MIN)
    if date_from is None:
        date_from = max(DATE_MIN, date_to - dt.timedelta(days=DEFAULT_DAYS - 1))
    check_dates(date_from, date_to)
    return date_from, date_to
