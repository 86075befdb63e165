"""ROI per offer from the rollups: the holdout comparison when the offer has a holdout,
else the same stations' baseline before the offer started (definitions in calc.roi)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q, Sum

from offers.analytics.calc import roi
from offers.analytics.models import DailyCustomer, DailyRollup
from offers.analytics.services.filters import Filters
from offers.models import Offer
from pricing.engine.money import ZERO

BASELINE_MAX_DAYS = 90


def has_holdout(offer: Offer) -> bool:
    return bool(offer.holdout_percent and offer.holdout_percent > 0)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The windows a baseline estimate compared, for the drill-down page."""

    stations: tuple[int, ...]
    bands: tuple[str, ...]
    during: tuple[dt.date, dt.date] | None
    before: tuple[dt.date, dt.date] | None


def holdout_arms(f: Filters, offer_ids: Iterable[int]) -> dict[int, tuple[roi.Arm, roi.Arm]]:
    """offer id -> (treated, held-out): distinct customers, revenue, discount. One query."""
    ids = list(offer_ids)
    if not ids:
        return {}
    rows = (
        f.apply(DailyCustomer.objects.filter(offer_id__in=ids))
        .values("offer_id", "held_out")
        .annotate(n=Count("customer_id", distinct=True), rev=Sum("revenue"), disc=Sum("discount"))
        .order_by()
    )
    empty = roi.Arm(0, ZERO)
    arms: dict[int, list[roi.Arm]] = {i: [empty, empty] for i in ids}
    for row in rows:
        arm = roi.Arm(row["n"], row["rev"] or ZERO, row["disc"] or ZERO)
        arms[row["offer_id"]][1 if row["held_out"] else 0] = arm
    return {i: (a[0], a[1]) for i, a in arms.items()}


def _start_date(offer: Offer) -> dt.date | None:
    """The local date the offer started: valid_from, else its first day in the rollups."""
    if offer.valid_from is not None:
        return offer.valid_from.astimezone(ZoneInfo(offer.operator.time_zone)).date()
    first = DailyRollup.objects.filter(operator_id=offer.operator_id, offer=offer).aggregate(
        d=Min("date")
    )["d"]
    return first


def baseline_windows(f: Filters, offer: Offer) -> Baseline:
    """Where and when the offer ran in the filtered range, and the comparable period."""
    used = f.apply(DailyRollup.objects.filter(offer=offer)).filter(
        Q(sessions__gt=0) | Q(redemptions__gt=0)
    )
    stations = tuple(sorted(set(used.values_list("station_id", flat=True).order_by())))
    bands = tuple(sorted(set(used.values_list("hour_band", flat=True).order_by())))
    span = used.aggregate(a=Min("date"), b=Max("date"))
    start = _start_date(offer)
    if span["a"] is None or start is None:
        return Baseline(stations, bands, None, None)
    during = (max(span["a"], start), span["b"])
    days = min((during[1] - during[0]).days + 1, BASELINE_MAX_DAYS)
    before = (start - dt.timedelta(days=days), start - dt.timedelta(days=1))
    return Baseline(stations, bands, during, before)


def baseline_estimate(f: Filters, offer: Offer, discount: roi.Decimal) -> roi.Estimate:
    windows = baseline_windows(f, offer)
    if windows.during is None or windows.before is None:
        return roi.from_baseline(roi.Period(0, ZERO), roi.Period(0, ZERO), discount)
    everything = replace(f.without_offer(), date_from=windows.before[0], date_to=windows.during[1])
    sums = (
        everything.apply(DailyRollup.objects.all())
        .filter(station_id__in=windows.stations, hour_band__in=windows.bands)
        .aggregate(
            during=Sum("gross_revenue", filter=Q(date__gte=windows.during[0])),
            before=Sum("gross_revenue", filter=Q(date__lte=windows.before[1])),
            first=Min("date"),
        )
    )
    during_days = (windows.during[1] - windows.during[0]).days + 1
    before_first = max(windows.before[0], sums["first"] or windows.before[1])
    before_days = max((windows.before[1] - before_first).days + 1, 0)
    return roi.from_baseline(
        roi.Period(during_days, sums["during"] or ZERO),
        roi.Period(before_days, sums["before"] or ZERO),
        discount,
    )


def discount_by_offer(f: Filters, offer_ids: Iterable[int]) -> dict[int, roi.Decimal]:
    rows = (
        f.apply(DailyRollup.objects.filter(offer_id__in=list(offer_ids)))
        .values("offer_id")
        .annotate(d=Sum("discount_cost"))
        .order_by()
    )
    return {r["offer_id"]: r["d"] or ZERO for r in rows}


def estimates(f: Filters, offers: Iterable[Offer]) -> dict[int, roi.Estimate]:
    """offer id -> Estimate, each by its offer's method."""
    offers = list(offers)
    arms = holdout_arms(f, [o.pk for o in offers if has_holdout(o)])
    discounts = discount_by_offer(f, [o.pk for o in offers if not has_holdout(o)])
    out: dict[int, roi.Estimate] = {}
    for offer in offers:
        if offer.pk in arms:
            out[offer.pk] = roi.from_holdout(*arms[offer.pk])
        else:
            out[offer.pk] = baseline_estimate(f, offer, discounts.get(offer.pk, ZERO))
    return out
