"""Synthetic ledger rows for bench/dashboard.py, generated inside PostgreSQL.

`INSERT ... SELECT` over `generate_series`, every random draw a deterministic hash of the
order number (`hashint8extended(order, seed)`), so a load is reproducible and Python never
touches a row. Shapes follow the demo: weekday/weekend hourly demand, surge hours at the
stations of three regions, offer orders writing quoted, redeemed (or held_out), settled
and now and then reversed rows, offers with and without holdouts, sessions without offers
in the complement table. Amounts are plausible, not priced: the bench measures the rollup
and the pages, not the quote engine (bench/quote.py does that).

Weighted draws (station, hour, offer) join small "slot" tables on an integer (a weight w
is w slots), so every join is a hash join on equality.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
WEEKDAY = [1, .6, .4, .3, .3, .6, 1.5, 3, 4.5, 4, 3, 2.8, 3, 3, 2.8, 3, 3.5, 4.5, 5.5, 5.5, 5, 3.5, 2.5, 1.6]  # fmt: skip  # noqa: E501
WEEKEND = [1, .7, .5, .4, .4, .5, .8, 1.3, 2, 3, 3.8, 4.2, 4.3, 4.2, 4.1, 4, 4, 4, 4, 3.6, 3, 2.4, 1.9, 1.4]  # fmt: skip  # noqa: E501
PLAIN_SHARE = 0.45  # orders at an hour with offers that take none
CUSTOMERS = 200_000  # identified customers, drawn with an exponential (mean 30,000)

LEDGER_COLUMNS = (
    "operator_id, order_ref, kind, seq, offer_id, offer_code, offer_title, offer_type, "
    "ondc_type, benefit_kind, code_used, customer_key, customer_segment, customer_tier, "
    "station_id, charger_id, station_code, charger_code, region_code, city_code, site_kind, "
    "currency, energy_kwh, gross_amount, surge_amount, discount, wheeling_amount, "
    "tax_amount, net_amount, held_out, session_start, session_end, session_start_hour, "
    "reason, use_returned, customer_facts, terms, occurred_at"
)
SESSION_COLUMNS = (
    "operator_id, order_ref, station_id, charger_id, station_code, charger_code, "
    "region_code, city_code, site_kind, customer_key, customer_segment, customer_tier, "
    "currency, energy_kwh, gross_amount, surge_amount, tax_amount, net_amount, "
    "session_start, session_end, session_start_hour, occurred_at"
)


@dataclass(frozen=True)
class Site:
    operator_id: int
    station_id: int
    charger_id: int
    station_code: str
    charger_code: str
    region: str
    surge_hours: frozenset[int]
    weight: int = 1


@dataclass(frozen=True)
class OfferRef:
    pk: int
    code: str
    title: str
    type_label: str
    holdout: float
    hours: frozenset[int]


def _u(k: int) -> str:
    """A uniform draw in [0, 1): draw number k of order o.i (31 bits of a seeded hash)."""
    return f"((hashint8extended(o.i, %(seed)s * 64 + {k}) & 2147483647) / 2147483648.0)"


REFERENCE = """
DROP TABLE IF EXISTS bench_site, bench_hour, bench_offer, bench_hits, bench_orders;
CREATE TEMP TABLE bench_site (
    slot int, operator_id int, station_id int, charger_id int, station_code text,
    charger_code text, region text, surge_hours int[]);
CREATE TEMP TABLE bench_hour (weekend bool, slot int, hour int);
CREATE TEMP TABLE bench_offer (
    operator_id int, hour int, idx int, offer_id int, code text, title text, type_label text,
    holdout float8);
"""

ORDERS = f"""
INSERT INTO bench_orders
WITH g AS (
    SELECT o.i,
           floor({_u(1)} * %(site_slots)s)::int AS site_slot,
           CASE WHEN %(ordered)s
                THEN least(floor((o.i - 1) * %(days)s::float8 / %(expected)s), %(days)s - 1)
                ELSE floor({_u(2)} * %(days)s) END::int AS day_n,
           {_u(3)} AS u_hour, floor({_u(4)} * 60)::int AS minute,
           round((4 + 36 * {_u(5)})::numeric, 3) AS kwh,
           {_u(6)} < 0.1 AS anonymous,
           least(floor(-ln(1 - {_u(7)}) * 30000), {CUSTOMERS - 1})::int AS pick,
           {_u(8)} < {PLAIN_SHARE} AS plain_pick, {_u(9)} AS u_offer, {_u(10)} AS u_held,
           {_u(11)} < 0.03 AS cancelled, 0.9 + 0.1 * {_u(12)} AS settle_share
    FROM generate_series(%(first_i)s, %(last_i)s) AS o(i)
), dated AS (
    SELECT g.*, %(first)s::date + g.day_n AS day,
           extract(isodow FROM %(first)s::date + g.day_n) >= 6 AS weekend
    FROM g
), timed AS (
    SELECT d.*, s.operator_id, s.station_id, s.charger_id, s.station_code, s.charger_code,
           s.region, h.hour, h.hour = ANY(s.surge_hours) AS surged,
           (d.day + make_interval(hours => h.hour, mins => d.minute)) AT TIME ZONE 'Asia/Kolkata'
               AS start_at
    FROM dated d
    JOIN bench_site s ON s.slot = d.site_slot
    JOIN bench_hour h ON h.weekend = d.weekend
         AND h.slot = floor(d.u_hour * CASE WHEN d.weekend THEN %(weekend_slots)s
                                            ELSE %(weekday_slots)s END)::int
), priced AS (
    SELECT t.*, CASE WHEN t.surged THEN round(t.kwh, 2) ELSE 0 END AS surge,
           CASE WHEN t.anonymous THEN ''
                ELSE encode(sha256(convert_to('bench-' || t.pick, 'UTF8')), 'hex') END AS who,
           t.start_at + make_interval(mins => (floor(t.kwh * 3) + 5)::int) AS end_at
    FROM timed t
)
SELECT p.i, p.operator_id, 'bench-' || lpad((%(order_base)s + p.i)::text, 9, '0'),
       p.station_id, p.charger_id, p.station_code, p.charger_code, p.region, p.hour,
       p.kwh, p.surge, round(p.kwh * 18 + 10 + p.surge, 2), p.who, p.start_at, p.end_at,
       CASE WHEN h.n IS NULL OR p.plain_pick THEN 'P'
            WHEN p.who <> '' AND p.u_held < f.holdout THEN 'H'
            WHEN p.cancelled THEN 'C' ELSE 'S' END,
       f.offer_id, f.code, f.title, f.type_label, p.settle_share
FROM priced p
LEFT JOIN bench_hits h ON h.operator_id = p.operator_id AND h.hour = p.hour
LEFT JOIN bench_offer f ON f.operator_id = p.operator_id AND f.hour = p.hour
     AND f.idx = floor(p.u_offer * h.n)::int
"""

ORDERS_TABLE = """
CREATE TEMP TABLE bench_orders (
    i bigint, operator_id int, order_ref text, station_id int, charger_id int,
    station_code text, charger_code text, region text, hour int, kwh numeric,
    surge numeric, gross numeric, who text, start_at timestamptz, end_at timestamptz,
    path char(1), offer_id int, code text, title text, type_label text,
    settle_share float8, ledger_rows int GENERATED ALWAYS AS (
        CASE path WHEN 'P' THEN 0 WHEN 'H' THEN 2 ELSE 3 END) STORED)
"""

# Steps of an order with an offer: H held out, C cancelled (reversed), S settled.
STEPS = """(VALUES
    ('H', 1, 'quoted', -5), ('H', 2, 'held_out', -2),
    ('C', 1, 'quoted', -5), ('C', 2, 'redeemed', -2), ('C', 3, 'reversed', -1),
    ('S', 1, 'quoted', -5), ('S', 2, 'redeemed', -2), ('S', 3, 'settled', NULL)
) AS st(path, n, kind, minutes)"""

SESSIONS_INSERT = f"""
INSERT INTO {{sessions}} ({SESSION_COLUMNS})
SELECT o.operator_id, o.order_ref, o.station_id, o.charger_id, o.station_code,
       o.charger_code, o.region, 'std:011', 'urban', o.who, '', '', 'INR', o.kwh, o.gross,
       o.surge, round(o.gross * 0.18, 2), round(o.gross + round(o.gross * 0.18, 2), 2),
       o.start_at, o.end_at, o.hour, o.end_at
FROM bench_orders o WHERE o.path = 'P' AND o.i <= %(last_i)s
ORDER BY o.i
"""

LEDGER_INSERT = f"""
INSERT INTO {{ledger}} ({LEDGER_COLUMNS})
SELECT o.operator_id, o.order_ref, st.kind, CASE WHEN st.kind = 'reversed' THEN 1 ELSE 0 END,
       o.offer_id, o.code, o.title, o.type_label, 'discount', 'percent', '', o.who, '', '',
       o.station_id, o.charger_id, o.station_code, o.charger_code, o.region, 'std:011',
       'urban', 'INR', o.kwh, o.gross, o.surge, x.disc, 0,
       round((o.gross - x.given) * 0.18, 2),
       round(o.gross - x.given + round((o.gross - x.given) * 0.18, 2), 2),
       o.path = 'H', o.start_at, o.end_at, o.hour, '', st.kind = 'reversed', '{{}}', '{{}}',
       CASE WHEN st.minutes IS NULL THEN o.end_at
            ELSE o.start_at + make_interval(mins => st.minutes) END
FROM bench_orders o
JOIN {STEPS} ON st.path = o.path
CROSS JOIN LATERAL (
    SELECT round(least(o.gross * 0.15, 120), 2) AS full_discount
) base
CROSS JOIN LATERAL (
    SELECT CASE WHEN st.kind = 'settled'
                THEN round(base.full_discount * o.settle_share::numeric, 2)
                ELSE base.full_discount END AS disc,
           CASE WHEN o.path = 'H' THEN 0
                WHEN st.kind = 'settled'
                THEN round(base.full_discount * o.settle_share::numeric, 2)
                ELSE base.full_discount END AS given
) x
WHERE o.path <> 'P' AND o.i <= %(last_i)s
ORDER BY o.i, st.n
"""


def _slots(weights: list[float], scale: int) -> list[tuple[int, int]]:
    """(slot, index) pairs: index i takes round(weight * scale) consecutive slots."""
    out: list[tuple[int, int]] = []
    for index, weight in enumerate(weights):
        out += [(len(out) + k, index) for k in range(round(weight * scale))]
    return out


@contextlib.contextmanager
def plain_indexes_dropped(cursor, tables, when: bool = True):
    """Drop the tables' indexes that back no constraint, and build them again after:
    one sort per index instead of millions of random B-tree inserts. Only for big loads
    into a table that is empty (building an index re-reads the whole table)."""
    saved: list[str] = []
    if when:
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                continue
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s AND NOT "
                "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                saved.append(definition)
    yield
    for definition in saved:
        cursor.execute(definition)


class SqlGenerator:
    """Loads orders into the ledger and the sessions table with INSERT ... SELECT."""

    def __init__(self, sites: list[Site], offers: dict[int, list[OfferRef]]) -> None:
        self.sites, self.offers = sites, offers
        self.site_slots = sum(s.weight for s in sites)

    def _reference(self, cursor) -> dict[str, int]:
        cursor.execute(REFERENCE)
        rows, slot = [], 0
        for s in self.sites:
            for _ in range(s.weight):
                rows.append((slot, s.operator_id, s.station_id, s.charger_id, s.station_code,
                             s.charger_code, s.region, sorted(s.surge_hours)))  # fmt: skip
                slot += 1
        cursor.executemany("INSERT INTO bench_site VALUES (%s,%s,%s,%s,%s,%s,%s,%s)", rows)
        hours = [(False, n, h) for n, h in _slots(WEEKDAY, 10)]
        hours += [(True, n, h) for n, h in _slots(WEEKEND, 10)]
        cursor.executemany("INSERT INTO bench_hour VALUES (%s,%s,%s)", hours)
        offers = []
        for operator_id, refs in self.offers.items():
            for hour in range(24):
                hit = [o for o in refs if hour in o.hours]
                offers += [
                    (operator_id, hour, idx, o.pk, o.code, o.title, o.type_label, o.holdout)
                    for idx, o in enumerate(hit)
                ]
        cursor.executemany("INSERT INTO bench_offer VALUES (%s,%s,%s,%s,%s,%s,%s,%s)", offers)
        cursor.execute(
            "CREATE TEMP TABLE bench_hits AS SELECT operator_id, hour, count(*) AS n "
            "FROM bench_offer GROUP BY operator_id, hour"
        )
        cursor.execute(ORDERS_TABLE)
        return {
            "site_slots": slot,
            "weekday_slots": sum(round(w * 10) for w in WEEKDAY),
            "weekend_slots": sum(round(w * 10) for w in WEEKEND),
        }

    def load(
        self,
        connection,
        tables: dict[str, str],
        ledger_rows: int,
        first: dt.date,
        days: int,
        *,
        ordered: bool = True,
        order_base: int = 0,
        seed: int = 1,
    ) -> tuple[int, int]:
        """Add orders until `ledger_rows` ledger rows (the last order may pass it by two);
        returns (ledger rows, sessions) written. Order refs are bench-<order_base + i>."""
        with connection.cursor() as cursor:
            # The bench's own database, rows generated from valid ids: no foreign-key
            # triggers per row (they doubled the load time).
            cursor.execute("SET session_replication_role = replica")
            params = {**self._reference(cursor), "seed": seed, "order_base": order_base,
                      "ordered": ordered, "first": first, "days": days}  # fmt: skip
            # How many ledger rows an order makes, from a sample of the same draws.
            sample = 20_000
            cursor.execute(ORDERS, {**params, "first_i": 1, "last_i": sample,
                                    "expected": sample})  # fmt: skip
            cursor.execute("SELECT sum(ledger_rows) FROM bench_orders")
            per_order = max(cursor.fetchone()[0] / sample, 0.01)
            cursor.execute("TRUNCATE bench_orders")
            expected = math.ceil(ledger_rows / per_order)
            last_i, rows = 0, 0
            while rows < ledger_rows:
                more = math.ceil((ledger_rows - rows) / per_order * 1.02) + 100
                cursor.execute(ORDERS, {**params, "first_i": last_i + 1,
                                        "last_i": last_i + more, "expected": expected})  # fmt: skip
                cursor.execute(
                    "SELECT coalesce(sum(ledger_rows), 0) FROM bench_orders WHERE i > %s",
                    [last_i],
                )
                rows += int(cursor.fetchone()[0])
                last_i += more
            # Cut at the order that reaches the target.
            cursor.execute(
                "SELECT i FROM (SELECT i, sum(ledger_rows) OVER (ORDER BY i) AS upto "
                "FROM bench_orders) c WHERE upto >= %s ORDER BY i LIMIT 1",
                [ledger_rows],
            )
            last = int(cursor.fetchone()[0])
            upto = {"last_i": last}
            with plain_indexes_dropped(cursor, tables.values(), when=ledger_rows >= 1_000_000):
                cursor.execute(SESSIONS_INSERT.replace("{sessions}", tables["sessions"]), upto)
                sessions = cursor.rowcount
                cursor.execute(LEDGER_INSERT.replace("{ledger}", tables["ledger"]), upto)
                ledger = cursor.rowcount
            cursor.execute(
                "DROP TABLE bench_site, bench_hour, bench_offer, bench_hits, bench_orders"
            )
            cursor.execute("SET session_replication_role = DEFAULT")
        return ledger, sessions
