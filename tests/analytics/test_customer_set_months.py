"""Distinct customers and holdout arms over whole months come from the monthly unions
(CustomerSetMonth) plus the edge days' sets: the same as COUNT(DISTINCT) over
DailyCustomer, for random ranges."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count, Sum

from analytics.models import CustomerSetMonth, DailyCustomer
from analytics.services import customer_sets
from analytics.services.rollup import backfill, run_incremental
from tests.analytics.conftest import at, make_offer

pytestmark = pytest.mark.django_db
FIRST, LAST = dt.date(2025, 1, 25), dt.date(2025, 5, 5)


def exact_customers(operator_id, a, b, offer_id):
    rows = DailyCustomer.objects.filter(operator_id=operator_id, date__range=(a, b))
    rows = rows.filter(offer_id=offer_id) if offer_id else rows
    return rows.values("customer_id").distinct().count()


def exact_arms(operator_id, a, b, offer_ids):
    rows = (
        DailyCustomer.objects.filter(
            operator_id=operator_id, date__range=(a, b), offer_id__in=offer_ids
        )
        .values_list("offer_id", "held_out")
        .annotate(Count("customer_id", distinct=True), Sum("revenue"), Sum("discount"))
        .order_by()
    )
    return {(o, h): (n, r, d) for o, h, n, r, d in rows}


@pytest.mark.parametrize("incremental", [False, True])
def test_month_unions_equal_count_distinct(network, ledger_a, incremental):
    rng = random.Random(11)
    offers = [make_offer(network.op_a, f"hold-{i}", holdout="50") for i in range(2)]
    day = FIRST
    while day <= LAST:
        for _ in range(rng.randrange(4)):
            customer = f"c{rng.randrange(40)}"
            start = at(day, rng.randrange(24), rng.randrange(60))
            if rng.random() < 0.3:
                ledger_a.plain(start=start, customer=customer, gross=str(rng.randrange(50, 300)))
            else:
                ledger_a.row(
                    rng.choice(["redeemed", "held_out"]), rng.choice(offers), start=start,
                    customer=customer, discount=str(rng.randrange(1, 20)),
                    gross=str(rng.randrange(50, 300)),
                )  # fmt: skip
        day += dt.timedelta(days=1)
    if incremental:
        run_incremental()
    else:
        backfill(FIRST, LAST, progress=False)
    assert CustomerSetMonth.objects.filter(month=dt.date(2025, 3, 1)).count() == 5
    ids = [o.pk for o in offers]
    op = network.op_a.pk
    ranges = [(FIRST, LAST), (dt.date(2025, 2, 1), dt.date(2025, 3, 31))]
    for _ in range(30):
        a = FIRST + dt.timedelta(days=rng.randrange(100))
        ranges.append((a, a + dt.timedelta(days=rng.randrange(100))))
    for a, b in ranges:
        for offer_id in (None, *ids):
            got = customer_sets.customers(op, a, b, offer_id)
            assert got == exact_customers(op, a, b, offer_id), (a, b, offer_id)
        assert customer_sets.arms(op, a, b, ids) == exact_arms(op, a, b, ids), (a, b)
    assert exact_customers(op, FIRST, LAST, None) > 30  # not an empty world


@pytest.mark.postgres
def test_the_grouped_reader_of_a_days_customers_agrees_with_the_row_reader(network, ledger_a):
    """PostgreSQL groups DailyCustomer into id arrays (customer_sets._who_charged_grouped);
    the result must be the row by row reader's, sets and sums."""
    rng = random.Random(5)
    offer = make_offer(network.op_a, "arms", holdout="50")
    for n in range(60):
        start = at(FIRST + dt.timedelta(days=n % 9), rng.randrange(24))
        if n % 3 == 0:
            ledger_a.plain(start=start, customer=f"c{rng.randrange(12)}")
        else:
            ledger_a.row(
                rng.choice(["redeemed", "held_out"]), offer, start=start,
                customer=f"c{rng.randrange(12)}", discount=str(rng.randrange(1, 20)),
            )  # fmt: skip
    backfill(FIRST, FIRST + dt.timedelta(days=9), progress=False)
    op, last = network.op_a.pk, FIRST + dt.timedelta(days=9)
    rows = customer_sets._who_charged(op, FIRST, last)
    grouped = customer_sets._who_charged_grouped(op, FIRST, last)
    for mine, theirs in zip(rows[:2], grouped[:2], strict=True):
        assert {k: set(v) for k, v in theirs.items()} == mine
    assert {k: list(v) for k, v in grouped[2].items()} == dict(rows[2])
    assert len(rows[1]) >= 10  # days x arms: not an empty world
