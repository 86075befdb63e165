"""The API's series: the daily figures summed per day, week or month across the user's
operators, optionally per offer, station or hour band and for one channel. It reads the
smallest table that answers (OfferDaily, DailyRollup, or ChannelDaily for a channel, as
filters.channel_rows says, the rule the dashboards' figures() follows too)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum

from analytics.models import ChannelDaily, DailyRollup, OfferDaily
from analytics.models.measures import CELL, stored
from analytics.services.filters import ChannelRows, channel_rows, scoped
from analytics.services.offer_roi import period_day, period_expr
from offers.models import SessionChannel

GROUP_FIELDS = {"offer": "offer_id", "station": "station_id", "hour_band": "hour_band"}
MEASURES = [m for m in stored(CELL) if m not in ("tax", "recovered_discount")]
# The filters that ChannelDaily (one channel's rows) answers too, by its field.
CHANNEL_FILTERS = {
    "operator": "operator",
    "station": "station",
    "region": "region_code",
    "date_from": "date__gte",
    "date_to": "date__lte",
}
NO_CHANNEL_BY_BAND = "Sessions by channel are not kept by hour band: leave out one or the other."
NO_BECKN_WITHOUT_OFFER = (
    "Beckn sessions with and without an offer are not kept apart by channel: leave out "
    "channel, or no_offer."
)


def points(fine: QuerySet, user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The series' points: `fine` is DailyRollup already filtered and scoped to `user`,
    `data` the validated filters. Raises ValidationError for what is not kept by channel."""
    granularity = data.get("granularity") or "day"
    group = GROUP_FIELDS.get(data.get("group_by") or "none")
    by_cell = group in ("station_id", "hour_band") or any(
        data.get(k) for k in ("station", "region", "hour_band")
    )
    rows = fine if by_cell else _coarse(user, data)
    if data.get("channel"):
        rows = _of_channel(user, data, group, rows)
    keys = ["period", "operator_id", *([group] if group else [])]
    summed = (
        rows.annotate(period=period_expr(granularity))
        .values(*keys)
        .annotate(**{name: Sum(name) for name in MEASURES})
        .order_by(*keys)
    )
    return [_point(row, group) for row in summed]


def _of_channel(user: Any, data: dict[str, Any], group: str | None, every: QuerySet) -> QuerySet:
    """One channel's rows (filters.channel_rows, as the dashboards read them)."""
    if group == "hour_band" or data.get("hour_band"):
        raise ValidationError({"channel": [NO_CHANNEL_BY_BAND]})
    offers = group == "offer_id" or bool(data.get("offer") or data.get("offer_type"))
    if data.get("no_offer") is not None:
        if data["channel"] == SessionChannel.BECKN:
            raise ValidationError({"no_offer": [NO_BECKN_WITHOUT_OFFER]})
        offers = offers or not data["no_offer"]
    answer = channel_rows(data["channel"], offers)
    if answer == ChannelRows.EVERY:
        return every
    if answer == ChannelRows.NONE:
        return DailyRollup.objects.none()
    rows = scoped(ChannelDaily.objects.filter(channel=data["channel"]), user)
    for name, lookup in CHANNEL_FILTERS.items():
        if data.get(name):
            rows = rows.filter(**{lookup: data[name]})
    return rows


def _coarse(user: Any, data: dict[str, Any]) -> QuerySet:
    """The same filters on OfferDaily, a few rows per day instead of thousands."""
    rows = scoped(OfferDaily.objects.all(), user)
    if data.get("operator"):
        rows = rows.filter(operator=data["operator"])
    if data.get("offer"):
        rows = rows.filter(offer=data["offer"])
    if data.get("no_offer") is not None:
        rows = rows.filter(offer__isnull=data["no_offer"])
    if data.get("offer_type"):
        rows = rows.filter(offer_type=data["offer_type"])
    if data.get("date_from"):
        rows = rows.filter(date__gte=data["date_from"])
    if data.get("date_to"):
        rows = rows.filter(date__lte=data["date_to"])
    return rows


def _point(row: dict[str, Any], group: str | None) -> dict[str, Any]:
    row["period"] = period_day(row["period"])
    row["group"] = None if group is None else row.get(group)
    return row
