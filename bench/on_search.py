"""Benchmark: on_search for a big network: SQL queries, wall and CPU time, reply size.

    .venv/bin/python -m bench.on_search [--sizes 200x20 2000x200 ...] [--runs 5]

Drops and creates its own PostgreSQL database (--database, default cpo_bench_search, on
DATABASE_URL's server), migrates it and seeds one city per size (bench/on_search_world.py):
C chargers at C/10 stations of two operators within 4 km of the centre, tariffs, surge
rules, add-ons and O active offers of mixed kinds and scopes. Then, per size, a signed
search (5 km circle around the centre) goes through intake (signature, schema, the stored
InboundMessage) and the worker's path (beckn.tasks.answer_next): the message taken, the
handler reading the catalog, the on_search reply validated against the fast schema and
written to the outbox, leased to the worker that will send it (the send is left out:
bench/callbacks.py measures that).

With --compare, each network is measured twice in the same run: "before", the search
handler building the catalog from the database for every search (as the product did
before the published catalog: tests/beckn/built_catalog.py), then "after", the handler reading the
published catalog (beckn/services/publication.py); then the time the publication takes to
update after one offer edit and one tariff edit (2,000 chargers, 200 offers), the CPU
of recording the catalog's changes after an offer, tariff and charger edit, the size and
CPU of one operator's whole catalog as a CDS publish carries it, and the memory it takes
for every network seeded.

Counted and timed is the answer only; the queries and CPU columns add, in brackets, those
of the search handler itself (the rest is the inbound row, the schema check, the outbox
rows and their history). "cold": the per-process caches (price books, offer catalogs,
registry memo, the published catalog, Django cache) emptied before the run; "warm": a
run right after another warm run. Queries are counted in separate runs (CaptureQueriesContext), so
the timed runs carry no query logging. CPU is this process's (the database server's is not counted).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bench import pgdb
from bench.on_search_compare import (
    built_search,
    cds_publish_times,
    publication_memory,
    record_times,
    update_times,
)
from bench.on_search_report import RADIUS_KM, line, print_figures

BAP_ID = "bench-search-bap.example"


@dataclass
class Run:
    wall_ms: float
    cpu_ms: float
    queries: int | None
    size: int  # bytes of all the callbacks (a catalog in parts: their sum)
    items: int
    locations: int
    offers: int
    parts: int = 1
    handler_queries: int | None = None  # of them, the search handler's own
    handler_cpu_ms: float = 0.0  # of it, the search handler's own
    largest: int = 0  # bytes of the largest part
    valid: bool | None = None


@dataclass(frozen=True)
class DemoScenario:
    """The demo network (`manage.py seed_demo`), searched from the DEG examples' point with
    the largest radius a BAP may ask (200 km): what `beckn_bap --radius 200` receives."""

    centre: tuple[float, float] = (28.345345, 77.389754)
    city_code: str = "std:011"
    radius_km: str = "200"
    chargers: int = 0  # filled in once seeded
    offers: int = 0

    @property
    def label(self) -> str:
        return f"demo network, {self.radius_km} km"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", nargs="+", default=["200x20", "2000x20", "200x200", "2000x200"],
        metavar="CHARGERSxOFFERS", help="networks to search, one city each",
    )  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="timed runs per size and cache state")
    parser.add_argument("--database", default="cpo_bench_search", help="dropped and created")
    parser.add_argument(
        "--part-bytes", type=int, default=None,
        help="BECKN_CATALOG_PART_BYTES for the run (default: the setting's)",
    )  # fmt: skip
    parser.add_argument(
        "--demo", action="store_true",
        help="also seed the demo network (seed_demo, no sessions) and search it 200 km wide",
    )  # fmt: skip
    parser.add_argument(
        "--uncapped", action="store_true",
        help="also run the largest size with BECKN_MAX_CATALOG_ITEMS raised to its size",
    )  # fmt: skip
    parser.add_argument(
        "--compare", action="store_true",
        help="measure each network before (built from the database) and after (published)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.scenarios = []
    for n, text in enumerate(args.sizes):
        chargers, _, offers = text.lower().partition("x")
        if not (chargers.isdigit() and offers.isdigit()) or int(chargers) < 1:
            parser.error(f"--sizes: {text!r} is not CHARGERSxOFFERS, e.g. 2000x200")
        args.scenarios.append((n, int(chargers), int(offers)))
    return args


class Searcher:
    """Signed searches through intake, processed as the worker processes them."""

    def __init__(self) -> None:
        from beckn.models import SigningKey, Subscriber
        from beckn.protocol.signing import generate_keypair
        from beckn.services import keys

        if not SigningKey.objects.filter(is_active=True).exists():
            keys.generate()
        self.private, public = generate_keypair()
        Subscriber.objects.update_or_create(
            subscriber_id=BAP_ID, key_id="bench-1",
            defaults={"type": "BAP", "url": "https://bench-search-bap.example/beckn",
                      "signing_public_key": public, "rate_limit": 0},
        )  # fmt: skip

    def body(self, scenario) -> dict[str, Any]:
        from beckn import conf
        from beckn.protocol.timefmt import format_timestamp

        now = dt.datetime.now(dt.UTC)
        start, end = now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)
        lat, lon = scenario.centre
        stop = {
            "location": {"circle": {"gps": f"{lat:.6f},{lon:.6f}",
                                    "radius": {"value": radius(scenario), "unit": "km"}}},
            "type": "START-CHARGING",
            "time": {"range": {"start": format_timestamp(start), "end": format_timestamp(end)}},
        }  # fmt: skip
        message_id = str(uuid.uuid4())
        return {
            "context": {
                "domain": "deg:ev-charging", "action": "search", "version": "1.1.0",
                "location": {"country": {"code": "IND"}, "city": {"code": scenario.city_code}},
                "bap_id": BAP_ID, "bap_uri": "https://bench-search-bap.example/beckn",
                "bpp_id": conf.bpp_id(), "bpp_uri": conf.bpp_uri(),
                "transaction_id": message_id, "message_id": message_id,
                "timestamp": format_timestamp(now), "ttl": "PT30S",
            },
            "message": {"intent": {
                "descriptor": {"name": "EV charger"},
                "item": {"descriptor": {"code": "CHARGER"}},
                "fulfillment": {"type": "CHARGING", "stops": [stop]},
            }},
        }  # fmt: skip

    def accept(self, scenario) -> int:
        from django.utils import timezone

        from beckn.protocol.signing import sign_request
        from beckn.services import intake

        raw = json.dumps(self.body(scenario), separators=(",", ":")).encode()
        header = sign_request(
            raw, subscriber_id=BAP_ID, key_id="bench-1", private_key_b64=self.private
        )
        answer = intake.accept(
            "search", raw, {"Authorization": header}, lambda pk: None, timezone.now()
        )
        if answer.status != 200 or answer.inbound_id is None:
            raise SystemExit(f"the search was refused: {answer.status} {answer.body}")
        return answer.inbound_id

    def run(self, scenario, *, cold: bool, count: bool, validate: bool = False) -> Run:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from beckn.models import Outbox

        inbound_id = self.accept(scenario)
        if cold:
            forget_caches()
        capture = CaptureQueriesContext(connection)
        handling = CaptureQueriesContext(connection)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        spent: list[float] = []
        with _counted(handling if count else None, spent):
            if count:
                with capture:
                    taken = answer_next()
            else:
                taken = answer_next()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if taken != inbound_id:
            raise RuntimeError(f"the worker took message {taken}, not {inbound_id}")
        payloads = [r.payload for r in Outbox.objects.filter(inbound_id=inbound_id).order_by("pk")]
        bodies = [json.loads(p) for p in payloads]
        providers = [
            p for b in bodies for p in b.get("message", {}).get("catalog", {}).get("providers", [])
        ]
        sizes = [len(p.encode()) for p in payloads]
        run = Run(
            wall_ms=wall * 1000, cpu_ms=cpu * 1000, handler_cpu_ms=sum(spent) * 1000,
            queries=len(capture.captured_queries) if count else None,
            handler_queries=len(handling.captured_queries) if count else None,
            size=sum(sizes), largest=max(sizes), parts=len(bodies),
            items=sum(len(p.get("items", [])) for p in providers),
            locations=len({(p["id"], loc["id"]) for p in providers for loc in p["locations"]}),
            offers=len({(p["id"], o["id"]) for p in providers for o in p.get("offers", [])}),
        )  # fmt: skip
        for body in bodies:
            if "error" in body:
                raise SystemExit(f"on_search carried an error: {body['error']}")
        if validate:
            from beckn.protocol.schema import validate_message

            issues = [i for body in bodies for i in validate_message("on_search", body)]
            run.valid = not issues
            for issue in issues[:5]:
                print(f"  schema: {issue}")
        return run


def answer_next() -> int | None:
    """What a worker runs for the message whose turn has come (beckn.tasks.answer_next)
    but the send: taken, answered, and its callbacks written leased to this worker."""
    from beckn.services import jobs
    from tests.support.beckn import answer_one

    with jobs.collecting(held=True):
        return answer_one()


@contextlib.contextmanager
def _counted(capture, spent: list[float]):
    """Count the queries of the search handler alone into `capture` (None: not counted)
    and add its CPU time to `spent`."""
    from beckn.handlers import search

    handle = search.handle

    def counted(req):
        cpu0 = time.process_time()
        try:
            if capture is None:
                return handle(req)
            with capture:
                return handle(req)
        finally:
            spent.append(time.process_time() - cpu0)

    search.handle = counted
    try:
        yield
    finally:
        search.handle = handle


def radius(scenario) -> str:
    return getattr(scenario, "radius_km", RADIUS_KM)


def forget_caches() -> None:
    from django.core.cache import cache

    from beckn.services import publication, registry
    from offers.services.catalog import forget_catalog
    from pricing.services.books import clear_cache

    clear_cache()
    forget_catalog()
    registry.forget()
    publication.forget()
    cache.clear()


def measure(searcher: Searcher, scenario, runs: int) -> dict[str, Any]:
    """Counts (one cold, one warm), then `runs` timed runs cold and warm, alternating. A
    warm run follows another warm run (a warm-up after each cold one), as searches follow
    each other in a busy worker: within BECKN_REGISTRY_CHECK_MS of the last stamps read."""
    cold_count = searcher.run(scenario, cold=True, count=True, validate=True)
    searcher.run(scenario, cold=False, count=False)  # warm-up
    warm_count = searcher.run(scenario, cold=False, count=True)
    cold, warm = [], []
    for _ in range(runs):
        cold.append(searcher.run(scenario, cold=True, count=False))
        searcher.run(scenario, cold=False, count=False)  # warm-up
        warm.append(searcher.run(scenario, cold=False, count=False))
    med = statistics.median
    return {
        "label": scenario.label, "chargers": scenario.chargers, "offers": scenario.offers,
        "queries_cold": cold_count.queries, "queries_warm": warm_count.queries,
        "handler_warm": warm_count.handler_queries,
        "wall_cold": med(r.wall_ms for r in cold), "wall_warm": med(r.wall_ms for r in warm),
        "cpu_cold": med(r.cpu_ms for r in cold), "cpu_warm": med(r.cpu_ms for r in warm),
        "handler_cpu_warm": med(r.handler_cpu_ms for r in warm),
        "bytes": cold_count.size, "items": cold_count.items,
        "parts": cold_count.parts, "largest": cold_count.largest,
        "locations": cold_count.locations, "reply_offers": cold_count.offers,
        "valid": cold_count.valid,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    os.environ.setdefault("BECKN_ADMIT_WITHOUT_WORKERS", "1")  # no worker: the answer is timed here
    # Nothing sends the callbacks written here, so none is ever done: no backlog limit.
    os.environ.setdefault("BECKN_MAX_PENDING_PER_BAP", "0")
    url = pgdb.url_for(args.database)
    began = time.monotonic()
    pgdb.recreate(url)
    pgdb.setup(url)
    from django.test import override_settings

    from beckn import conf
    from bench.on_search_world import Scenario, seed

    if args.part_bytes:
        override_settings(BECKN_CATALOG_PART_BYTES=args.part_bytes).enable()
    scenarios: list[Any] = [Scenario(n, c, o) for n, c, o in args.scenarios]
    for scenario in scenarios:
        seed(scenario)
    if args.demo:
        scenarios.insert(0, seed_demo())
    print(f"seeded {len(scenarios)} networks in {time.monotonic() - began:.0f}s", flush=True)
    from beckn.services import outbox

    outbox._queue = lambda rows: None  # no broker: delivery is bench/callbacks.py's
    searcher = Searcher()
    cap = conf.get("BECKN_MAX_CATALOG_ITEMS")
    results = []
    for scenario in scenarios:
        if args.compare:
            with built_search():
                result = measure(searcher, scenario, args.runs)
            result["cap"] = cap
            result["label"] = f"before: {result['label']}"
            results.append(result)
            print(line(result), flush=True)
        result = measure(searcher, scenario, args.runs)
        result["cap"] = cap
        if args.compare:
            result["label"] = f"after: {result['label']}"
        results.append(result)
        print(line(result), flush=True)
    if args.compare:
        for scenario in scenarios:
            if isinstance(scenario, Scenario) and scenario.offers >= 200 <= scenario.chargers // 10:
                print(update_times(scenario), flush=True)
            if isinstance(scenario, Scenario):
                print(record_times(scenario), flush=True)
                print(cds_publish_times(scenario), flush=True)
        print(publication_memory(), flush=True)
    if args.uncapped:
        worlds = scenarios[1:] if args.demo else scenarios
        biggest = max(worlds, key=lambda s: (s.chargers, s.offers))
        with override_settings(BECKN_MAX_CATALOG_ITEMS=biggest.chargers):
            result = measure(searcher, biggest, args.runs)
        result["cap"] = biggest.chargers
        result["label"] += f" (cap {biggest.chargers})"
        results.append(result)
        print(line(result), flush=True)
    print_figures(results, args, cap)


def seed_demo() -> DemoScenario:
    from django.core.management import call_command

    from cpo_portal.models import Charger
    from offers.models import Offer

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", sessions=0, no_progress=True, stdout=quiet)
    return DemoScenario(chargers=Charger.objects.count(), offers=Offer.objects.count())


if __name__ == "__main__":
    main()
