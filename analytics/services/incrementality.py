"""ROI per offer from the rollups: the holdout comparison when the offer has a holdout,
else the same stations' baseline before the offer started (definitions in calc.roi).

A few queries whatever the number of offers: the holdout arms in one COUNT(DISTINCT), the
baselines from OfferScopeDaily (each offer's stations and hour bands, precomputed).
With a station or region filter the baseline is worked out from DailyRollup instead,
within the filter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q, Sum

from analytics.calc import roi
from analytics.models import DailyCustomer, DailyRollup, OfferDaily, OfferScopeDaily
from analytics.services import customer_sets
from analytics.services.filters import Filters, figures
from cpo_portal import formatting
from offers.models import Offer
from pricing.engine import ZERO

BASELINE_MAX_DAYS = 90
ACTIVE = Q(sessions__gt=0) | Q(redemptions__gt=0)


def has_holdout(offer: Offer) -> bool:
    return bool(offer.holdout_percent and offer.holdout_percent > 0)


Span = tuple[dt.date, dt.date]  # first and last day


@dataclass(frozen=True, slots=True)
class Windows:
    """The days an offer ran in the filtered range, and the same number of days before
    it started (at most BASELINE_MAX_DAYS)."""

    during: Span | None
    before: Span | None

    @staticmethod
    def of(start: dt.date | None, first: dt.date | None, last: dt.date | None) -> Windows:
        if start is None or first is None or last is None:
            return Windows(None, None)
        during = (max(first, start), last)
        days = min((during[1] - during[0]).days + 1, BASELINE_MAX_DAYS)
        return Windows(during, (start - dt.timedelta(days=days), start - dt.timedelta(days=1)))

    def both(self) -> tuple[Span, Span] | None:
        """(during, before), when the offer ran in the range."""
        return (self.during, self.before) if self.during and self.before else None


def holdout_arms(f: Filters, offer_ids: Iterable[int]) -> dict[int, tuple[roi.Arm, roi.Arm]]:
    """offer id -> (treated, held-out): distinct customers, revenue, discount. One query."""
    ids = list(offer_ids)
    if not ids:
        return {}
    empty = roi.Arm(0, ZERO)
    arms: dict[int, list[roi.Arm]] = {i: [empty, empty] for i in ids}
    if not (f.station_id or f.region or f.offer_type):  # the daily customer sets answer
        wanted = [i for i in ids if not f.offer_id or i == f.offer_id]
        found = customer_sets.arms(f.operator.pk, f.date_from, f.date_to, wanted)
    else:
        rows = (
            f.apply(DailyCustomer.objects.filter(offer_id__in=ids))
            .values_list("offer_id", "held_out")
            .annotate(Count("customer_id", distinct=True), Sum("revenue"), Sum("discount"))
            .order_by()
        )
        found = {(o, held): (n, rev or ZERO, disc or ZERO) for o, held, n, rev, disc in rows}
    for (offer_id, held_out), (n, revenue, discount) in found.items():
        arms[offer_id][1 if held_out else 0] = roi.Arm(n, revenue, discount)
    return {i: (a[0], a[1]) for i, a in arms.items()}


def start_dates(offers: list[Offer]) -> dict[int, dt.date | None]:
    """The local date each offer started: valid_from, else its first day in the rollups."""
    out: dict[int, dt.date | None] = {}
    for o in offers:
        if o.valid_from is not None:
            out[o.pk] = o.valid_from.astimezone(ZoneInfo(o.operator.time_zone)).date()
    missing = [o.pk for o in offers if o.pk not in out]
    if missing:
        firsts = dict(
            OfferDaily.objects.filter(offer_id__in=missing)
            .values("offer_id")
            .annotate(d=Min("date"))
            .values_list("offer_id", "d")
        )
        out.update({pk: firsts.get(pk) for pk in missing})
    return out


def windows(f: Filters, offers: list[Offer]) -> dict[int, Windows]:
    spans = {
        r["offer_id"]: (r["a"], r["b"])
        for r in figures(f.without_offer(), by_offer=True)
        .filter(ACTIVE, offer_id__in=[o.pk for o in offers])
        .values("offer_id")
        .annotate(a=Min("date"), b=Max("date"))
        .order_by()
    }
    starts = start_dates(offers)
    return {o.pk: Windows.of(starts[o.pk], *spans.get(o.pk, (None, None))) for o in offers}


def _days(span: Span, data_from: dt.date | None) -> int:
    first = max(span[0], data_from) if data_from else span[1] + dt.timedelta(days=1)
    return max((span[1] - first).days + 1, 0)


def scope_periods(f: Filters, spans: dict[int, Windows]) -> dict[int, tuple[roi.Period, ...]]:
    """(during, before) revenue in each offer's scope, from OfferScopeDaily."""
    found = {pk: both for pk, w in spans.items() if (both := w.both())}
    if not found:
        return {}
    lo = min(before[0] for _, before in found.values())
    hi = max(during[1] for during, _ in found.values())
    sums: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    rows = OfferScopeDaily.objects.filter(
        operator=f.operator, offer_id__in=list(found), date__range=(lo, hi)
    ).values_list("offer_id", "date", "revenue")
    for offer_id, day, revenue in rows:
        during, before = found[offer_id]
        if during[0] <= day <= during[1]:
            sums[offer_id, "during"] += revenue
        elif before[0] <= day <= before[1]:
            sums[offer_id, "before"] += revenue
    data_from = OfferDaily.objects.filter(operator=f.operator).aggregate(d=Min("date"))["d"]
    return {
        pk: (
            roi.Period(_days(during, during[0]), sums[pk, "during"]),
            roi.Period(_days(before, data_from), sums[pk, "before"]),
        )
        for pk, (during, before) in found.items()
    }


def filtered_periods(
    f: Filters, spans: dict[int, tuple[Span, Span]]
) -> dict[int, tuple[roi.Period, roi.Period]]:
    """With a station or region filter: each offer's stations and bands within it, the
    revenue there while it ran and in its baseline days. Two queries for all the offers:
    where each was used, then the filtered revenue per station, band and day."""
    if not spans:
        return {}
    used: dict[int, tuple[set, set]] = {pk: (set(), set()) for pk in spans}
    cells = (
        f.apply(DailyRollup.objects.filter(offer_id__in=list(spans)))
        .filter(ACTIVE)
        .values_list("offer_id", "station_id", "hour_band")
        .distinct()
        .order_by()
    )
    for offer_id, station, band in cells:
        used[offer_id][0].add(station)
        used[offer_id][1].add(band)
    lo = min(before[0] for _, before in spans.values())
    hi = max(during[1] for during, _ in spans.values())
    every = replace(f.without_offer(), date_from=lo, date_to=hi)
    daily = (
        every.apply(DailyRollup.objects.all())
        .filter(
            station_id__in={s for stations, _ in used.values() for s in stations},
            hour_band__in={b for _, bands in used.values() for b in bands},
        )
        .values_list("station_id", "hour_band", "date")
        .annotate(revenue=Sum("gross_revenue"))
        .order_by()
    )
    rows = list(daily)
    out = {}
    for pk, (during, before) in spans.items():
        stations, bands = used[pk]
        mine = [(d, r) for s, b, d, r in rows if s in stations and b in bands]
        first = min((d for d, _ in mine if d >= before[0]), default=None)
        out[pk] = (
            roi.Period(
                _days(during, during[0]),
                sum((r for d, r in mine if during[0] <= d <= during[1]), ZERO),
            ),
            roi.Period(
                _days(before, first), sum((r for d, r in mine if before[0] <= d <= before[1]), ZERO)
            ),
        )
    return out


def baseline_periods(f: Filters, offers: list[Offer]) -> dict[int, tuple[roi.Period, ...]]:
    spans = windows(f, offers)
    if not (f.station_id or f.region):
        return scope_periods(f, spans)
    return dict(filtered_periods(f, {o.pk: both for o in offers if (both := spans[o.pk].both())}))


def estimates(f: Filters, offers: Iterable[Offer]) -> dict[int, roi.Estimate]:
    """offer id -> Estimate, each by its offer's method."""
    offers = list(offers)
    arms = holdout_arms(f, [o.pk for o in offers if has_holdout(o)])
    plain = [o for o in offers if not has_holdout(o)]
    discounts = dict(
        figures(f.without_offer(), by_offer=True)
        .filter(offer_id__in=[o.pk for o in plain])
        .values("offer_id")
        .annotate(d=Sum("discount_cost"))
        .values_list("offer_id", "d")
        .order_by()
    )
    periods = baseline_periods(f, plain)
    none = (roi.Period(0, ZERO), roi.Period(0, ZERO))
    out: dict[int, roi.Estimate] = {}
    for offer in offers:
        if offer.pk in arms:
            out[offer.pk] = roi.from_holdout(*arms[offer.pk], rupees=formatting.money_text)
        else:
            during, before = periods.get(offer.pk, none)
            out[offer.pk] = roi.from_baseline(
                during, before, discounts.get(offer.pk) or ZERO, rupees=formatting.money_text
            )
    return out
