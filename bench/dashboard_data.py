"""Synthetic ledger rows for bench/dashboard.py, generated fast and loaded with COPY.

Shapes follow the demo: weekday/weekend hourly demand, offer orders writing quoted,
redeemed (or held_out), settled and now and then reversed rows, sessions without offers in
the complement table. Amounts are plausible, not priced: the bench measures the rollup and
the pages, not the quote engine (bench/quote.py does that).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
WEEKDAY = [1, .6, .4, .3, .3, .6, 1.5, 3, 4.5, 4, 3, 2.8, 3, 3, 2.8, 3, 3.5, 4.5, 5.5, 5.5, 5, 3.5, 2.5, 1.6]  # fmt: skip  # noqa: E501
WEEKEND = [1, .7, .5, .4, .4, .5, .8, 1.3, 2, 3, 3.8, 4.2, 4.3, 4.2, 4.1, 4, 4, 4, 4, 3.6, 3, 2.4, 1.9, 1.4]  # fmt: skip  # noqa: E501

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


@dataclass(frozen=True)
class OfferRef:
    pk: int
    code: str
    title: str
    type_label: str
    holdout: float
    hours: frozenset[int]


def customer_keys(n: int) -> list[str]:
    return [hashlib.sha256(f"bench-{i}".encode()).hexdigest() for i in range(n)]


def _ts(at: dt.datetime) -> str:
    return at.isoformat()


class Generator:
    def __init__(self, sites, offers, customers, first: dt.date, days: int, seed: int = 1):
        self.rng = random.Random(seed)
        self.sites, self.offers, self.customers = sites, offers, customers
        self.first, self.days = first, days
        self.weights = [3 if i % 3 == 0 else 1 for i in range(len(sites))]
        self.orders = 0

    def _start(self, day: dt.date) -> dt.datetime:
        rng = self.rng
        shape = WEEKEND if day.weekday() >= 5 else WEEKDAY
        hour = rng.choices(range(24), shape)[0]
        return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=IST)

    def _day(self, first: dt.date, days: int, ordered: bool, done: int, total: int) -> dt.date:
        """In date order, as a live ledger grows (`ordered`), or anywhere (late rows)."""
        if ordered:
            return first + dt.timedelta(days=min(done * days // total, days - 1))
        return first + dt.timedelta(days=self.rng.randrange(days))

    def batch(self, ledger_rows: int, first: dt.date, days: int, ordered: bool = True):
        """Yield ('ledger' | 'sessions', tsv line) until `ledger_rows` ledger lines."""
        rng, written, plain_share = self.rng, 0, 0.45
        while written < ledger_rows:
            self.orders += 1
            site = rng.choices(self.sites, self.weights)[0]
            start = self._start(self._day(first, days, ordered, written, ledger_rows))
            kwh = round(rng.uniform(4, 40), 3)
            surge = round(kwh * 1.0, 2) if start.hour in site.surge_hours else 0.0
            gross = round(kwh * 18 + 10 + surge, 2)
            end = start + dt.timedelta(minutes=int(kwh * 3) + 5)
            pick = min(int(rng.expovariate(1 / 30_000)), len(self.customers) - 1)
            who = "" if rng.random() < 0.1 else self.customers[pick]
            order = f"bench-{self.orders:09d}"
            hit = [o for o in self.offers[site.operator_id] if start.hour in o.hours]
            if not hit or rng.random() < plain_share:
                tax = round(gross * 0.18, 2)
                yield "sessions", "\t".join(map(str, (
                    site.operator_id, order, site.station_id, site.charger_id, site.station_code,
                    site.charger_code, site.region, "std:011", "urban", who, "", "", "INR",
                    kwh, gross, surge, tax, round(gross + tax, 2), _ts(start), _ts(end),
                    start.hour, _ts(end),
                )))  # fmt: skip
                continue
            offer = rng.choice(hit)
            held = bool(who) and rng.random() < offer.holdout
            discount = round(min(gross * 0.15, 120), 2)
            steps = [("quoted", start - dt.timedelta(minutes=5), discount)]
            if held:
                steps.append(("held_out", start - dt.timedelta(minutes=2), discount))
            else:
                steps.append(("redeemed", start - dt.timedelta(minutes=2), discount))
                if rng.random() < 0.03:
                    steps.append(("reversed", start - dt.timedelta(minutes=1), discount))
                else:
                    steps.append(("settled", end, round(discount * rng.uniform(0.9, 1.0), 2)))
            for kind, at, disc in steps:
                given = 0.0 if kind in ("held_out", "quoted") and held else disc
                tax = round((gross - given) * 0.18, 2)
                yield "ledger", "\t".join(map(str, (
                    site.operator_id, order, kind, 1 if kind == "reversed" else 0, offer.pk,
                    offer.code, offer.title, offer.type_label, "discount", "percent", "", who,
                    "", "", site.station_id, site.charger_id, site.station_code,
                    site.charger_code, site.region, "std:011", "urban", "INR", kwh, gross,
                    surge, disc, 0, tax, round(gross - given + tax, 2),
                    "t" if held else "f", _ts(start), _ts(end), start.hour, "",
                    "t" if kind == "reversed" else "f", "{}", "{}", _ts(at),
                )))  # fmt: skip
                written += 1


def copy_rows(connection, lines, tables, progress=None, chunk=100_000) -> tuple[int, int]:
    """COPY the generated lines into the ledger and the sessions table (`tables`: their
    names, by 'ledger' and 'sessions')."""
    buffers = {"ledger": io.StringIO(), "sessions": io.StringIO()}
    counts = {"ledger": 0, "sessions": 0}
    statements = {
        "ledger": f"COPY {tables['ledger']} ({LEDGER_COLUMNS}) FROM STDIN",
        "sessions": f"COPY {tables['sessions']} ({SESSION_COLUMNS}) FROM STDIN",
    }

    def flush(which: str) -> None:
        data = buffers[which].getvalue()
        if not data:
            return
        raw = connection.connection  # psycopg's own connection: COPY
        with raw.cursor() as cursor, cursor.copy(statements[which]) as copy:
            copy.write(data)
        buffers[which] = io.StringIO()

    pending = 0
    for which, line in lines:
        buffers[which].write(line)
        buffers[which].write("\n")
        counts[which] += 1
        pending += 1
        if pending >= chunk:
            flush("ledger")
            flush("sessions")
            pending = 0
            if progress is not None:
                progress(counts["ledger"])
    flush("ledger")
    flush("sessions")
    return counts["ledger"], counts["sessions"]
