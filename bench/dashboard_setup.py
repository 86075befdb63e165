"""The steps of bench/dashboard.py: schema, network and offers, loading, rollups, pages."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.test import Client

from analytics.models import (
    CellCustomer,
    CustomerKey,
    CustomerSet,
    CustomerSetMonth,
    DailyCustomer,
    DailyRollup,
    HourlyPeriod,
    HourlyRollup,
    NoOfferSession,
    OfferDaily,
    OfferScope,
    OfferScopeDaily,
    RollupCursor,
    StationDaily,
)
from analytics.services.rollup import run_incremental
from bench.dashboard_data import IST, OfferRef, Site, SqlGenerator
from cpo_portal.models import Charger, Operator, Role, StaffMembership, Station
from offers.models import Offer, Redemption


def timed(fn, *args, **kwargs):
    began = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - began


def summary(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {"median_ms": round(statistics.median(ms), 1), "max_ms": round(max(ms), 1)}


ROLLUP_TABLES = (
    DailyRollup, HourlyRollup, DailyCustomer, CellCustomer, OfferDaily, StationDaily,
    OfferScopeDaily, OfferScope, CustomerSet, CustomerSetMonth, HourlyPeriod,
)  # fmt: skip
REGIONS = ["DL", "HR", "UP", "MH", "KA", "TN", "TG", "RJ"]
HOURS = {
    "night": set(range(0, 6)) | {22, 23},
    "lunch": {12, 13, 14},
    "evening": {17, 18, 19, 20},
    "morning": {6, 7, 8, 9},
    "all": set(range(24)),
}


class Bench:
    def __init__(self, args) -> None:
        self.args = args
        self.results: dict[str, object] = {"args": vars(args)}
        self.last = dt.date.today() - dt.timedelta(days=1)
        self.first = self.last - dt.timedelta(days=args.days - 1)

    def say(self, text: str) -> None:
        print(text, flush=True)

    # -- schema and reference data ----------------------------------------------------------
    def prepare(self) -> None:
        if self.args.fresh:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG is off, as deployed
        if not Operator.objects.filter(code="bench-one.in").exists():
            self.network()

    def network(self) -> None:
        ops = [
            Operator.objects.create(code="bench-one.in", name="Bench One"),
            Operator.objects.create(code="bench-two.in", name="Bench Two"),
        ]
        rng = random.Random(3)
        stations = []
        for i in range(self.args.stations):
            op = ops[0] if i % 7 else ops[1]
            stations.append(
                Station(
                    operator=op, code=f"st-{i:04d}", name=f"Bench station {i}", address="x",
                    city="City", city_code="std:011", region_code=REGIONS[i % len(REGIONS)],
                    latitude=Decimal("28.5"), longitude=Decimal("77.2"), site_kind="urban",
                )
            )  # fmt: skip
        Station.objects.bulk_create(stations)
        Charger.objects.bulk_create(
            Charger(
                operator_id=s.operator_id, station=s, code=f"{s.code}-c{n}", name="Charger",
                power_kw=Decimal(rng.choice(["7.4", "30", "60"])), power_type="DC",
                charging_speed="FAST",
            )
            for s in stations
            for n in (1, 2)
        )  # fmt: skip
        kinds = list(HOURS)
        for op in ops:
            for n in range(16 if op.code == "bench-one.in" else 4):
                Offer.objects.create(
                    operator=op, code=f"{op.code[:9]}-offer-{n:02d}", title=f"Offer {n}",
                    type_label="HAPPY_HOUR", status="active", benefit_kind="percent",
                    percent=Decimal("15"), base="energy", short_desc=kinds[n % len(kinds)],
                    holdout_percent=Decimal("20") if n % 3 == 0 else None,
                    valid_from=dt.datetime.combine(
                        self.first + dt.timedelta(days=20 * (n % 6)), dt.time(0), tzinfo=IST
                    ),
                )  # fmt: skip
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("bench-analyst", password="x")
        StaffMembership.objects.create(user=user, operator=ops[0], role=Role.ANALYST)

    def generator(self) -> SqlGenerator:
        chargers = Charger.objects.select_related("station").order_by("pk")
        sites = [
            Site(
                c.operator_id, c.station_id, c.pk, c.station.code, c.code,
                c.station.region_code,
                frozenset({18, 19, 20} if c.station.region_code in ("DL", "HR", "UP") else ()),
                3 if i % 3 == 0 else 1,
            )
            for i, c in enumerate(chargers)
        ]  # fmt: skip
        offers: dict[int, list[OfferRef]] = {}
        for o in Offer.objects.order_by("pk"):
            ref = OfferRef(
                o.pk, o.code, o.title, o.type_label,
                0.2 if o.holdout_percent else 0.0, frozenset(HOURS[o.short_desc]),
            )  # fmt: skip
            offers.setdefault(o.operator_id, []).append(ref)
        return SqlGenerator(sites, offers)

    # -- loading --------------------------------------------------------------------------
    def load(
        self, gen: SqlGenerator, rows: int, first: dt.date, days: int, label: str, ordered=True
    ) -> float:
        tables = {
            "ledger": Redemption._meta.db_table,
            "sessions": NoOfferSession._meta.db_table,
        }
        base = Redemption.objects.count() + NoOfferSession.objects.count()
        self.say(f"{label}: generating {rows:,} ledger rows in SQL ...")
        counts, seconds = timed(
            gen.load, connection, tables, rows, first, days,
            ordered=ordered, order_base=base, seed=base + 1,
        )  # fmt: skip
        self.say(f"{label}: {counts[0]:,} ledger rows + {counts[1]:,} sessions in {seconds:.0f}s")
        self.vacuum(Redemption, NoOfferSession)
        return seconds

    def vacuum(self, *models) -> None:
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")

    # -- the steps -------------------------------------------------------------------------
    def run(self) -> dict[str, object]:
        self.prepare()
        if self.args.pages_only:
            if not DailyRollup.objects.exists():  # a migration emptied the rollups
                self.say("full rollup (the rollups were empty) ...")
                full, seconds = timed(run_incremental)
                self.results["full_rollup"] = {"seconds": round(seconds, 1), "rows": full.rows,
                                               "partitions": full.partitions}  # fmt: skip
                self.say(f"full rollup: {full.rows:,} rows, {seconds:.1f}s")
                self.vacuum(*ROLLUP_TABLES, CustomerKey)
            self.customer_sets()
            self.results["pages"] = self.pages()
            return self.results
        gen = self.generator()
        have = Redemption.objects.count()
        if have < self.args.rows:
            self.results["load_seconds"] = self.load(
                gen, self.args.rows - have, self.first, self.args.days, "load"
            )
        self.results["ledger_rows"] = Redemption.objects.count()
        self.results["session_rows"] = NoOfferSession.objects.count()
        if self.args.load_only:
            return self.results

        if self.args.increment_only:  # the rollups are current: bring them up to date
            caught_up, seconds = timed(run_incremental)
            self.say(f"catch-up rollup: {caught_up.rows:,} rows, {seconds:.1f}s")
        else:
            for model in (*ROLLUP_TABLES, CustomerKey, RollupCursor):
                model.objects.all().delete()  # a fast delete: no signals or cascades
            self.say("full rollup ...")
            full, seconds = timed(run_incremental)
            self.results["full_rollup"] = {"seconds": round(seconds, 1), "rows": full.rows,
                                           "partitions": full.partitions}  # fmt: skip
            self.say(
                f"full rollup: {full.rows:,} rows, {full.partitions} partitions, {seconds:.1f}s"
            )
            self.vacuum(*ROLLUP_TABLES, CustomerKey)

        # 1M new rows: most of them the last 30 days' (in time order, as they arrive), a
        # tenth late: settlements and corrections for days one to three months back.
        recent = self.last - dt.timedelta(days=29)
        new = self.args.new_rows
        self.load(gen, int(new * 0.9), recent, 30, "new rows")
        late = self.last - dt.timedelta(days=89)
        self.load(gen, new - int(new * 0.9), late, 60, "late rows", ordered=False)
        inc, seconds = timed(run_incremental)
        self.results["incremental_rollup"] = {"seconds": round(seconds, 1), "rows": inc.rows,
                                              "partitions": inc.partitions}  # fmt: skip
        self.say(f"incremental rollup: {inc.rows:,} rows, {inc.partitions} partitions, "
                 f"{seconds:.1f}s (target < 60 s)")  # fmt: skip
        self.vacuum(*ROLLUP_TABLES, CustomerKey)
        self.results["rollup_rows"] = {
            "daily": DailyRollup.objects.count(),
            "hourly": HourlyRollup.objects.count(),
            "customers": DailyCustomer.objects.count(),
        }
        self.results["pages"] = self.pages()
        return self.results

    def customer_sets(self) -> None:
        """Derive the customer sets when the rollups predate them (the rollup derives
        them for the days it touches; this is their whole-history cost)."""
        from django.db import transaction

        from analytics.services import customer_sets

        # What an incremental run that touched the last 90 days spends on the sets.
        began = time.perf_counter()
        with transaction.atomic():
            for op in Operator.objects.all():
                customer_sets.refresh(op.pk, self.last - dt.timedelta(days=89), self.last)
        seconds = time.perf_counter() - began
        self.results["customer_sets_90_days_seconds"] = round(seconds, 1)
        self.say(f"customer sets of 90 days (every operator) derived in {seconds:.1f}s")
        if CustomerSet.objects.filter(date__lt=self.last - dt.timedelta(days=89)).exists():
            return
        began = time.perf_counter()
        for op in Operator.objects.all():
            customer_sets.refresh(op.pk, self.first, self.last)
        seconds = time.perf_counter() - began
        self.results["customer_sets_seconds"] = round(seconds, 1)
        self.say(f"customer sets of {self.args.days} days derived in {seconds:.1f}s")
        self.vacuum(CustomerSet)

    def pages(self) -> dict[str, dict[str, float]]:
        from django.contrib.auth import get_user_model

        client = Client()
        client.force_login(get_user_model().objects.get(username="bench-analyst"))
        op = Operator.objects.get(code="bench-one.in")
        offer = Offer.objects.filter(operator=op, holdout_percent__isnull=True).order_by("pk")[1]
        held = Offer.objects.filter(operator=op, holdout_percent__isnull=False).order_by("pk")[0]
        station = Station.objects.filter(operator=op).order_by("pk")[0]
        year = f"date_from={self.first}&date_to={self.last}"
        urls = {
            "ROI dashboard (90 days)": "/analytics/",
            "ROI dashboard (a year)": f"/analytics/?{year}",
            "ROI, one offer filter": f"/analytics/?offer={offer.pk}",
            "ROI, one station": f"/analytics/?station={station.pk}",
            "offer drill-down (baseline)": f"/analytics/offers/{offer.pk}/",
            "offer drill-down (holdout)": f"/analytics/offers/{held.pk}/",
            "surge impact (90 days)": "/analytics/surge/",
            "surge impact (a year)": f"/analytics/surge/?{year}",
            "CSV export (offers table)": "/analytics/?export=offers",
            "API series by week (a year)": f"/api/analytics/series/?{year}&granularity=week",
            "API series by month, per offer": (
                f"/api/analytics/series/?{year}&granularity=month&group_by=offer"
            ),
            "API daily rollups (a page)": f"/api/analytics/daily-rollups/?offer={offer.pk}",
            "API offer ROI": "/api/analytics/offer-roi/",
        }  # fmt: skip
        out = {}
        for name, url in urls.items():
            first, cold = timed(client.get, url)
            assert first.status_code == 200, (url, first.status_code)
            samples = [timed(client.get, url)[1] for _ in range(self.args.repeat)]
            out[name] = {**summary(samples), "first_ms": round(cold * 1000, 1), "url": url}
            got = out[name]
            self.say(
                f"{name:34} median {got['median_ms']:7.1f} ms   max {got['max_ms']:7.1f}   "
                f"first {got['first_ms']:7.1f}"
            )
        return out
