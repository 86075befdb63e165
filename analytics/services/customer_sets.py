"""Exact distinct customers over a date range from per-day bitmaps (models.CustomerSet).

A day's set is a bitmap of CustomerKey ids (bit i: customer i charged), zlib-compressed;
the customers of a range are the set bits of the OR of its days. Python's integers do the
OR and the popcount (int.bit_count), so 90 or 365 days are a few milliseconds, where a
COUNT(DISTINCT) over DailyCustomer reads a million index entries. The sets are derived
from DailyCustomer by the rollup (refresh) for the days it touches, and the monthly
unions (CustomerSetMonth) from the days' sets: a range reads its whole months' unions and
the days' sets at its edges.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from analytics.calc import periods
from analytics.models import CustomerSet, CustomerSetMonth, DailyCustomer
from pricing.engine import ZERO


def _bitmap(ids: Iterable[int]) -> bytes:
    ids = list(ids)
    bits = bytearray((max(ids) >> 3) + 1 if ids else 0)
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return zlib.compress(bytes(bits), 1)


def _members(blob: bytes | memoryview) -> int:
    return int.from_bytes(zlib.decompress(bytes(blob)), "little")


def refresh(operator_id: int, first: dt.date, last: dt.date) -> None:
    """Derive the sets of [first, last] from DailyCustomer (inside the rollup's lock)."""
    CustomerSet.objects.filter(operator_id=operator_id, date__range=(first, last)).delete()
    CustomerSet.objects.bulk_create(day_sets(operator_id, first, last), batch_size=2000)
    refresh_months(operator_id, first, last)


def refresh_months(operator_id: int, first: dt.date, last: dt.date) -> None:
    """The monthly unions of every month that overlaps [first, last], from the days' sets."""
    for month in periods.covering(first, last).months:
        _refresh_month(operator_id, month)


def day_sets(
    operator_id: int, first: dt.date, last: dt.date, table: str | None = None
) -> list[CustomerSet]:
    """The days' sets of [first, last] (unsaved), from DailyCustomer or, on PostgreSQL,
    from `table`, a table of DailyCustomer's columns (a backfill part's own)."""
    if connection.vendor == "postgresql":
        everyone, arms, sums = _who_charged_grouped(operator_id, first, last, table)
    else:
        everyone, arms, sums = _who_charged(operator_id, first, last)
    sets = [
        CustomerSet(operator_id=operator_id, date=day, members=_bitmap(ids))
        for day, ids in everyone.items()
    ]
    sets += [
        CustomerSet(
            operator_id=operator_id, date=day, offer_id=offer_id, held_out=held_out,
            members=_bitmap(ids), revenue=sums[(day, offer_id, held_out)][0],
            discount=sums[(day, offer_id, held_out)][1],
        )
        for (day, offer_id, held_out), ids in arms.items()
    ]  # fmt: skip
    return sets


def _who_charged(operator_id: int, first: dt.date, last: dt.date) -> tuple[dict, dict, dict]:
    """Who charged per day, and per day, offer and arm (with the arm's revenue and
    discount), read row by row."""
    rows = (
        DailyCustomer.objects.filter(operator_id=operator_id, date__range=(first, last))
        .order_by()
        .values_list("date", "offer_id", "held_out", "customer_id", "revenue", "discount")
    )
    everyone: dict[dt.date, set[int]] = defaultdict(set)
    arms: dict[tuple, set[int]] = defaultdict(set)
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for day, offer_id, held_out, customer_id, revenue, discount in rows.iterator(20_000):
        everyone[day].add(customer_id)
        if offer_id is not None:
            key = (day, offer_id, held_out)
            arms[key].add(customer_id)
            total = sums[key]
            total[0] += revenue
            total[1] += discount
    return everyone, arms, sums


def _who_charged_grouped(
    operator_id: int, first: dt.date, last: dt.date, table: str | None = None
) -> tuple[dict, dict, dict]:
    """The same as _who_charged, grouped in PostgreSQL: a few thousand rows of id arrays
    instead of millions of rows through the ORM. Ids may repeat (bitmaps ignore that)."""
    table = table or connection.ops.quote_name(DailyCustomer._meta.db_table)
    sql = f"""
    SELECT date, offer_id, held_out, array_agg(customer_id), SUM(revenue), SUM(discount)
    FROM {table} WHERE operator_id = %s AND date BETWEEN %s AND %s
    GROUP BY date, offer_id, held_out
    """  # noqa: S608 (table name from the model, values are parameters)
    everyone: dict[dt.date, list[int]] = defaultdict(list)
    arms: dict[tuple, list[int]] = {}
    sums: dict[tuple, list[Decimal]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [operator_id, first, last])
        for day, offer_id, held_out, ids, revenue, discount in cursor.fetchall():
            everyone[day] += ids
            if offer_id is not None:
                arms[(day, offer_id, held_out)] = ids
                sums[(day, offer_id, held_out)] = [revenue, discount]
    return everyone, arms, sums


def _refresh_month(operator_id: int, month: dt.date) -> None:
    """The month's unions per offer and arm (and of everyone), from its days' sets."""
    CustomerSetMonth.objects.filter(operator_id=operator_id, month=month).delete()
    days = (month, periods.month_end(month))
    acc = _unite(CustomerSet.objects.filter(operator_id=operator_id, date__range=days))
    CustomerSetMonth.objects.bulk_create(
        [
            CustomerSetMonth(
                operator_id=operator_id, month=month, offer_id=offer_id, held_out=held_out,
                members=_pack(bits), revenue=revenue, discount=discount,
            )
            for (offer_id, held_out), (bits, revenue, discount) in acc.items()
        ],
        batch_size=2000,
    )  # fmt: skip


def _unite(*sets) -> dict[tuple, list]:
    """The sets (querysets of CustomerSet or CustomerSetMonth) added up per offer and arm:
    the union of their members, their summed revenue and discount."""
    acc: dict[tuple, list] = {}
    for qs in sets:
        rows = qs.values_list("offer_id", "held_out", "members", "revenue", "discount")
        for offer_id, held_out, blob, revenue, discount in rows.iterator():
            got = acc.setdefault((offer_id, held_out), [0, ZERO, ZERO])
            got[0] |= _members(blob)
            got[1] += revenue
            got[2] += discount
    return acc


def _pack(bits: int) -> bytes:
    return zlib.compress(bits.to_bytes((bits.bit_length() + 7) // 8, "little"), 1)


def _sets(operator_id: int, first: dt.date, last: dt.date, **arm) -> list:
    """The month unions and day sets that make up [first, last], filtered by `arm`."""
    cut = periods.split(first, last)
    days = list(cut.days)
    for start in cut.blocks:
        days += [
            start + dt.timedelta(days=i) for i in range((periods.block_end(start) - start).days + 1)
        ]
    months = CustomerSetMonth.objects.filter(operator_id=operator_id, month__in=cut.months)
    daily = CustomerSet.objects.filter(operator_id=operator_id, date__in=days)
    return [months.filter(**arm), daily.filter(**arm)]


def customers(operator_id: int, first: dt.date, last: dt.date, offer_id: int | None) -> int:
    """Distinct identified customers of the operator (or of one offer, both arms)."""
    arm = {"offer_id": offer_id} if offer_id else {"offer__isnull": True}
    acc = 0
    for qs in _sets(operator_id, first, last, **arm):
        for blob in qs.values_list("members", flat=True).iterator():
            acc |= _members(blob)
    return acc.bit_count()


def arms(
    operator_id: int, first: dt.date, last: dt.date, offer_ids: list[int]
) -> dict[tuple[int, bool], tuple[int, Decimal, Decimal]]:
    """(offer id, held out) -> distinct customers, revenue, discount."""
    acc = _unite(*_sets(operator_id, first, last, offer_id__in=offer_ids))
    return {k: (v[0].bit_count(), v[1], v[2]) for k, v in acc.items()}
