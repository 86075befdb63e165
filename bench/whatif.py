"""Benchmark: a what-if replay of 90 days of a 100-station operator (a script).

    python -m bench.whatif                    # both steps below
    python -m bench.whatif build [sessions]   # a database of its own, filled afresh
    python -m bench.whatif run                # the replay, in a fresh process
    python -m bench.whatif parallel [parts]   # the replay in parts, 1 then 2 worker processes

A PostgreSQL database of its own (`<DATABASE_URL's name>_bench_whatif`): one operator,
100 stations with two chargers each, a tariff, 20 surge rules, 200 live offers (a mix of
percent and fixed, places, time windows, minimum values, additive, some with budgets),
about 100,000 recorded sessions over 90 days (a third settled with an offer in the
ledger, the rest without) and a draft candidate: 15 % off, ₹50,000 budget.

`run` times analytics.services.whatif.run.execute on the whole window (the Celery task's
body: both configurations priced per session, the tally, progress every chunk) and,
as the fair baseline in the same process, offers.services.order_steps.quote_session_with_offers
on the first 2,000 sessions one at a time (what the replay would cost through the
service, per session, extrapolated). Prints seconds, sessions per second, queries, and
the process's peak RSS (the replay runs in its own process, so the figure is its own).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench import pgdb
from bench.db_pricing import seed_pricing

IST = ZoneInfo("Asia/Kolkata")
D = Decimal
DAYS = 90
FIRST = dt.date(2025, 6, 1)


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    name = base.rsplit("/", 1)[-1] if base.startswith("postgres") else "cpo"
    return pgdb.url_for(f"{name}_bench_whatif")


def build(sessions: int, seed: int = 7) -> None:
    from analytics.models import NoOfferSession
    from cpo_portal.models import Charger, Operator, Station
    from offers.models import Offer, Redemption

    rng = random.Random(seed)
    op = Operator.objects.create(code="bench.example", name="Bench CPO", time_zone="Asia/Kolkata")
    regions = ["KA", "TN", "MH", "DL"]
    stations = Station.objects.bulk_create(
        Station(operator=op, code=f"st-{i:03d}", name=f"Station {i}", address="MG Road",
                city="Bengaluru", city_code="std:080", region_code=regions[i % 4],
                latitude=D("12.97") + D(i) / 1000, longitude=D("77.59"), site_kind="urban")
        for i in range(100)
    )  # fmt: skip
    chargers = Charger.objects.bulk_create(
        Charger(operator=op, station=s, code=f"{s.code}-c{j}", name="Charger",
                power_kw=D("30"), power_type="AC_3_PHASE", charging_speed="FAST")
        for s in stations for j in range(2)
    )  # fmt: skip
    seed_pricing(op, stations, rng, rules=20, per_rule=10, longest_hours=3)
    offers = []
    for i in range(200):
        fixed = rng.random() < 0.3
        windowed = rng.random() < 0.3
        h = rng.randrange(24)
        offers.append(Offer(
            operator=op, code=f"offer-{i:03d}", title=f"Offer {i}", status="active",
            benefit_kind="fixed" if fixed else "percent",
            amount=D(rng.randrange(10, 60)) if fixed else None,
            percent=None if fixed else D(rng.randrange(5, 30)),
            base="gross" if fixed else "energy",
            max_discount=D(rng.randrange(50, 200)),
            min_session_value=D(rng.randrange(50, 300)) if rng.random() < 0.2 else None,
            window_start=dt.time(h) if windowed else None,
            window_end=dt.time((h + 3) % 24) if windowed else None,
            additive=rng.random() < 0.3, priority=rng.randrange(5),
            budget=D(rng.randrange(5000, 50000)) if rng.random() < 0.2 else None,
            valid_from=dt.datetime(2025, 1, 1, tzinfo=IST),
        ))  # fmt: skip
    offers = Offer.objects.bulk_create(offers)
    for offer in offers:
        offer.stations.set(rng.sample(stations, rng.randrange(1, 6)))
    Offer.objects.create(
        operator=op, code="candidate-15", title="Candidate 15 %", status="draft",
        benefit_kind="percent", percent=D("15"), base="energy", max_discount=D("150"),
        budget=D("50000"),
    )  # fmt: skip
    customers = [f"{i:064x}" for i in range(20000)]
    plain, ledger = [], []
    for n in range(sessions):
        charger = rng.choice(chargers)
        station = stations[(charger.pk - chargers[0].pk) // 2]
        start = dt.datetime.combine(FIRST, dt.time(), tzinfo=IST) + dt.timedelta(
            minutes=rng.randrange(DAYS * 1440)
        )
        kwh = D(rng.randrange(3000, 40000)) / 1000
        gross = (kwh * 18 + 10).quantize(D("0.01"))
        row = dict(
            operator=op, order_ref=f"o-{n}", station=station, charger=charger,
            station_code=station.code, charger_code=charger.code,
            region_code=station.region_code, customer_key=rng.choice([*customers, ""]),
            energy_kwh=kwh, gross_amount=gross,
            tax_amount=(gross * D("0.18")).quantize(D("0.01")),
            net_amount=(gross * D("1.18")).quantize(D("0.01")), session_start=start,
            session_end=start + dt.timedelta(minutes=int(kwh * 3) + 10),
            session_start_hour=start.hour,
        )  # fmt: skip
        if n % 3 == 0:
            offer = rng.choice(offers)
            ledger.append(Redemption(**row, kind="settled", offer=offer, offer_code=offer.code,
                                     offer_title=offer.title, benefit_kind=offer.benefit_kind,
                                     discount=D("20"), occurred_at=start))  # fmt: skip
        else:
            plain.append(NoOfferSession(**row, occurred_at=start))
        if len(plain) + len(ledger) >= 5000:
            NoOfferSession.objects.bulk_create(plain)
            Redemption.objects.bulk_create(ledger)
            plain, ledger = [], []
    NoOfferSession.objects.bulk_create(plain)
    Redemption.objects.bulk_create(ledger)


def peak_kb() -> int:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not carried over exec
    from the parent that built the world)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics.models import WhatIfRun
    from analytics.services.whatif import past_sessions
    from analytics.services.whatif.run import execute, window_of
    from analytics.services.whatif.start import new_run
    from cpo_portal.models import Charger
    from offers.models import Offer
    from offers.services import SessionAsk, quote_session_with_offers

    WhatIfRun.objects.all().delete()
    user = get_user_model().objects.first()
    candidate = Offer.objects.get(code="candidate-15")
    run, _ = new_run(candidate, user=user, date_from=FIRST,
                  date_to=FIRST + dt.timedelta(days=DAYS - 1))  # fmt: skip
    rss_before = peak_kb()
    with CaptureQueriesContext(connection) as captured:
        began, cpu = time.perf_counter(), time.process_time()
        status = execute(run.pk)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    rss = peak_kb()
    run.refresh_from_db()
    s = run.result["summary"]
    print(f"replay: {status}, {run.progress_total:,} sessions in {wall:.1f} s wall "
          f"({cpu:.1f} s CPU), {run.progress_total / wall:,.0f} sessions/s, "
          f"{len(captured)} queries")  # fmt: skip
    print(f"  peak RSS {rss / 1024:.0f} MB (before the replay {rss_before / 1024:.0f} MB)")
    print(f"  touched {s['touched']:,}, redemptions {s['redemptions']:,}, discount "
          f"{s['discount_cost']}, net change {s['net_change']}, "
          f"exhausted {run.result['exhausted']}")  # fmt: skip
    chargers = {c.pk: c for c in Charger.objects.select_related("station", "operator")}
    sample = []
    for past in past_sessions.stream(window_of(run)):
        sample.append(past)
        if len(sample) >= 2000:
            break
    began = time.perf_counter()
    for past in sample:
        quote_session_with_offers(SessionAsk(
            chargers[past.charger_id or 0], past.start, kwh=past.kwh, end=past.end,
            customer_key=past.customer_key, now=past.start, explain=False,
        ))  # fmt: skip
    per = (time.perf_counter() - began) / len(sample)
    print(f"service, one session at a time: {per * 1000:.2f} ms a quote; two quotes a session "
          f"for {run.progress_total:,} sessions would take {2 * per * run.progress_total:.0f} s; "
          f"the replay: {wall / run.progress_total * 1000:.3f} ms a session")  # fmt: skip


def parallel(parts: int) -> None:
    """The replay split into `parts` (analytics.services.whatif.parallel) run by a Celery
    worker of 1, then 2 processes: wall time, each part's CPU, and the two results
    compared. A budget or a cap on uses shared by all customers keeps a replay in one
    task, so the offers' budgets are lifted for the runs (and put back after)."""
    import uuid

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from kombu import Connection

    from analytics.models import WhatIfRun
    from analytics.models.whatif import FINISHED
    from analytics.services.whatif.parallel import RUNNER_OBJECT
    from analytics.services.whatif.start import new_run
    from analytics.tasks import run_whatif
    from cpo_portal.background import chunked
    from offers.models import Offer
    from tests.support.procs import Process, wait_until

    def finished(pk: int) -> bool:
        return WhatIfRun.objects.get(pk=pk).status in FINISHED

    budgets = dict(Offer.objects.values_list("pk", "budget"))
    Offer.objects.update(budget=None, max_uses=None)
    user = get_user_model().objects.first()
    candidate = Offer.objects.get(code="candidate-15")
    results = {}
    try:
        for processes in (1, 2):
            WhatIfRun.objects.all().delete()
            prefix = f"bench-whatif-{uuid.uuid4().hex[:6]}:"
            env = {**os.environ, "CELERY_KEY_PREFIX": prefix, "WHATIF_PARTS": str(parts),
                   "PYTHONPATH": str(pgdb.ROOT), "DEBUG": "1"}  # fmt: skip
            argv = [sys.executable, "-m", "celery", "-A", "cpo_portal", "worker",
                    "--concurrency", str(processes), "--without-gossip", "--without-mingle",
                    "--loglevel", "INFO", "--hostname", f"{prefix}@%h"]  # fmt: skip
            log = pgdb.ROOT / "var" / f"bench-whatif-{processes}.log"
            log.parent.mkdir(exist_ok=True)
            worker = Process(f"worker x{processes}", argv, env, log, "ready.").start()
            try:
                worker.wait_ready(180)
                run, _ = new_run(candidate, user=user, date_from=FIRST,
                                 date_to=FIRST + dt.timedelta(days=DAYS - 1))  # fmt: skip
                options = {"global_keyprefix": prefix}
                load_before = pgdb.load_average()
                with Connection(settings.CELERY_BROKER_URL, transport_options=options) as conn:
                    began = time.perf_counter()
                    run_whatif.apply_async((run.pk,), connection=conn)
                    wait_until(functools.partial(finished, run.pk), 3600, "the run", every=0.2)
                    wall = time.perf_counter() - began
            finally:
                worker.stop()
            run.refresh_from_db()
            job = chunked.ChunkedJob.objects.filter(subject=RUNNER_OBJECT.subject(run.pk)).first()
            cpu = chunked.cpu_seconds(job.pk) if job else []
            results[processes] = (wall, run.result)
            print(f"{processes} worker process(es), {parts} parts: {run.status}, "
                  f"{run.progress_total:,} sessions in {wall:.1f} s wall; CPU per part "
                  f"{', '.join(f'{c:.1f}' for c in cpu)} s (sum {sum(cpu):.1f} s); load "
                  f"before {load_before}, after {pgdb.load_average()}", flush=True)  # fmt: skip
    finally:
        for pk, budget in budgets.items():
            Offer.objects.filter(pk=pk).update(budget=budget)
    if len(results) == 2:
        print(f"speed-up {results[1][0] / results[2][0]:.2f}x; results identical: "
              f"{results[1][1] == results[2][1]}")  # fmt: skip


def main() -> None:
    url = _database_url()
    original = dict(os.environ)  # setup() points DATABASE_URL at the bench database
    step = sys.argv[1] if len(sys.argv) > 1 else "all"
    if step in ("build", "all"):
        pgdb.recreate(url)
        pgdb.setup(url)
        began = time.perf_counter()
        build(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
        print(f"built in {time.perf_counter() - began:.0f} s", flush=True)
    if step == "all":  # the replay in a fresh process: its peak RSS is its own
        env = {**original, "PYTHONPATH": str(pgdb.ROOT)}
        subprocess.run([sys.executable, "-m", "bench.whatif", "run"], env=env, check=True)
    elif step == "run":
        pgdb.setup(url, migrate=False)
        run()
    elif step == "parallel":
        pgdb.setup(url, migrate=False)
        parallel(int(sys.argv[2]) if len(sys.argv) > 2 else 2)


if __name__ == "__main__":
    main()
