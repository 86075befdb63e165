"""The surge page sums whole months and blocks from HourlyPeriod and the edge days from
HourlyRollup: the same figures as summing HourlyRollup over the range."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Sum

from analytics.calc import periods
from analytics.models import HourlyRollup
from analytics.services.filters import Filters
from analytics.services.rollup import backfill, run_incremental
from analytics.services.surge_impact import slots
from tests.analytics.conftest import at

pytestmark = pytest.mark.django_db
FIRST, LAST = dt.date(2025, 1, 20), dt.date(2025, 4, 10)


def reference_slots(f: Filters) -> list[tuple]:
    """The reference: HourlyRollup summed over the whole range, day by day."""
    rows = (
        f.by_channel(f.apply(HourlyRollup.objects.all(), offers=False))
        .values_list("station_id", "weekend", "hour")
        .annotate(Sum("sessions"), Sum("surge_sessions"), Sum("energy_kwh"), Sum("surge_revenue"))
        .order_by()
    )
    return sorted((s or 0, w, h, n, m, k, r) for s, w, h, n, m, k, r in rows)


def page_slots(f: Filters) -> list[tuple]:
    got = slots(f)
    return sorted(
        (s.station, s.weekend, s.hour, s.sessions, s.surged, s.kwh, s.surge_revenue) for s in got
    )


def test_split_covers_every_day_once():
    rng = random.Random(6)
    for _ in range(300):
        a = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(800))
        b = a + dt.timedelta(days=rng.randrange(400))
        cut = periods.split(a, b)
        days = list(cut.days)
        for m in cut.months:
            days += [m + dt.timedelta(days=i) for i in range((periods.month_end(m) - m).days + 1)]
        for s in cut.blocks:
            days += [s + dt.timedelta(days=i) for i in range((periods.block_end(s) - s).days + 1)]
        assert sorted(days) == [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]
        assert len(cut.days) <= 12


@pytest.mark.parametrize("incremental", [False, True])
def test_surge_slots_equal_the_hourly_sum(network, ledger_a, ledger_b, incremental):
    rng = random.Random(7)
    day = FIRST
    while day <= LAST:
        for _ in range(rng.randrange(3)):
            ledger = rng.choice([ledger_a, ledger_b])
            ledger.plain(
                start=at(day, rng.randrange(24), rng.randrange(60)),
                customer=f"c{rng.randrange(9)}",
                gross=str(rng.randrange(50, 300)),
                surge=rng.choice(["0", "0", "7.25"]),
                channel=rng.choice(["beckn", "beckn", "roaming", "own_app"]),
                energy=f"{rng.randrange(1, 40)}.{rng.randrange(1000):03d}",
            )
        day += dt.timedelta(days=1)
    if incremental:
        run_incremental()
    else:
        backfill(FIRST, LAST, progress=False)
    ranges = [(FIRST, LAST), (dt.date(2025, 2, 1), dt.date(2025, 2, 28))]
    for _ in range(25):
        a = FIRST + dt.timedelta(days=rng.randrange(80))
        ranges.append((a, a + dt.timedelta(days=rng.randrange(80))))
    assert len(reference_slots(Filters(network.op_a, FIRST, LAST))) > 20  # not an empty world
    every = reference_slots(Filters(network.op_a, FIRST, LAST))
    roaming = reference_slots(Filters(network.op_a, FIRST, LAST, channel="roaming"))
    assert 0 < sum(s[3] for s in roaming) < sum(s[3] for s in every)  # a real cut
    station = network.station_a
    for a, b in ranges:
        for f in (
            Filters(network.op_a, a, b),
            Filters(network.op_a, a, b, station_id=station.pk),
            Filters(network.op_a, a, b, region=station.region_code),
            Filters(network.op_a, a, b, channel="roaming"),
            Filters(network.op_a, a, b, station_id=station.pk, channel="beckn"),
        ):
            assert page_slots(f) == reference_slots(f)
