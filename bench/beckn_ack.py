"""Benchmark: the synchronous ACK of POST /beckn/select next to a bare DRF view.

    .venv/bin/python -m bench.beckn_ack [--worker-class gevent|gthread] [--workers 2]

Starts gunicorn (gevent workers, as the protocol pool is deployed; `--worker-class
gthread` for the default pool's threads) on a free port with the project, the bench-only
bare view mounted (BECKN_BENCH_VIEWS=1), against PostgreSQL and Redis (DATABASE_URL and
CELERY_BROKER_URL, defaults below). /beckn/select gets signed, valid, distinct select
messages, pre-signed before the clock starts, so the figures are the server's: size check,
BECKN-006 verification, the per-subscriber rate limit, JSON parse, core-schema
validation, context rules, the rate limit (in the Redis cache, --cache) and the per-BAP
backlog admission (counted in Redis; both limits set out of reach, so the checks run on
every request), the unique insert and the doorbell. The bare view parses nothing and
writes nothing. The server runs the protocol pool's settings (`--settings`,
cpo_portal/settings/protocol_pool.py: the security middleware only, as deployed for
/beckn/); both paths pass that middleware, and `--settings cpo_portal.settings` puts them
through the default pool's whole stack (sessions, CSRF, auth, CSP, axes, ...). Nothing
here is special-cased for the bench. Both are loaded
by wrk (apt install wrk), alternating, in the same run. No worker runs: a thread of this
process plays the workers' part for the backlog, marking the bench BAP's messages
answered every 200 ms, so the admission counts what a running worker pool leaves waiting
(not every message of the run); the rows are removed afterwards.

`--baseline DIR` also starts the code checked out in DIR (another commit's tree, same
database schema; on `--baseline-settings`, the default pool's unless given) on a second
port against the same database, and loads its
`/beckn/select` (and bare view) in every round too, so that a change is measured against
the code before it in one run, under the same load.

The load rig (gunicorn, wrk, the server's CPU) is bench/ack_load.py, the signed messages
bench/ack_messages.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import pgdb
from bench.ack_load import LUA, free_port, start_server, wrk
from bench.ack_messages import BAP_ID, select_body, write_requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cpo_beckn"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
DEFAULT_CACHE = "redis://127.0.0.1:6379/12"
ACK_CPU_TARGET_MS = 1.2  # server CPU per /beckn/select ACK (issue 48)


def environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker,
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DEBUG": "0",
        "BEHIND_TLS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BECKN_BENCH_VIEWS": "1",
        # The per-BAP backlog is counted in Redis, as deployed; no worker answers here, so
        # the limit is set out of reach (the admission still runs on every request).
        "CACHE_URL": args.cache,
        "BECKN_MAX_PENDING_PER_BAP": "1000000000",
        "BECKN_ADMIT_WITHOUT_WORKERS": "1",  # ACKs with no worker running (what is measured)
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cpo_portal.settings",
        "PYTHONPATH": str(ROOT),
    }


def prepare(env: dict[str, str], files: list[tuple[Path, int]]) -> None:
    """Migrate, register the bench BAP and our key, and pre-sign the select messages."""
    if env["DATABASE_URL"].startswith("postgres"):
        pgdb.ensure(env["DATABASE_URL"])
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    os.environ.update(env)
    import django

    django.setup()
    from beckn.models import InboundMessage, SigningKey, Subscriber
    from beckn.protocol.signing import generate_keypair
    from beckn.services import keys

    if not SigningKey.objects.filter(is_active=True).exists():
        keys.generate()
    private, public = generate_keypair()
    Subscriber.objects.update_or_create(
        subscriber_id=BAP_ID,
        key_id="bench-1",
        defaults={
            "type": "BAP",
            "url": "https://bench-bap.example/beckn",
            "signing_public_key": public,
            # Counted, as every subscriber is when deployed, with a limit out of reach.
            "rate_limit": 1_000_000_000,
        },
    )
    InboundMessage.objects.filter(bap_id=BAP_ID).delete()
    pgdb.vacuum(InboundMessage._meta.db_table)
    for path, count in files:
        write_requests(path, count, private)


def row(name: str, r: dict) -> str:
    return (
        f"| {name} | {r['rps']:.0f} | {r['cpu_ms']:.2f} | {r['p50'] / 1000:.2f} | "
        f"{r['p99'] / 1000:.2f} | {r['status_errors'] + r['socket_errors']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5, help="Seconds of warm-up per path.")
    parser.add_argument("--pause", type=float, default=5, help="Seconds between runs.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-class",
        choices=["gevent", "gthread"],
        default="gevent",
        help="gevent: the protocol pool's deployment (docs/operations.md); gthread: the "
        "default pool's.",
    )
    parser.add_argument(
        "--gthreads", type=int, default=4, help="gunicorn threads per worker (as deployed)."
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--shared-socket", action="store_true", help="One listening socket (no SO_REUSEPORT)."
    )
    parser.add_argument(
        "--settings",
        default="cpo_portal.settings.protocol_pool",
        help="The server's DJANGO_SETTINGS_MODULE (the protocol pool's, as deployed).",
    )
    parser.add_argument(
        "--baseline", type=Path, help="Another checkout to load in the same rounds."
    )
    parser.add_argument(
        "--baseline-settings",
        default="cpo_portal.settings",
        help="The baseline server's DJANGO_SETTINGS_MODULE.",
    )
    parser.add_argument("--expected-rps", type=int, default=2500, help="Sizes the message pool.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--cache", default=os.environ.get("CACHE_URL", DEFAULT_CACHE))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    env = environment(args)
    work = Path(tempfile.mkdtemp(prefix="beckn-bench-"))
    per_round = int(args.expected_rps * args.seconds * 1.5)
    runs = args.rounds * (2 if args.baseline else 1) + 1
    files = [(work / f"select-{n}.tsv", per_round) for n in range(runs)]
    t0 = time.monotonic()
    prepare(env, files)
    print(f"pre-signed {per_round * len(files)} selects in {time.monotonic() - t0:.1f}s")
    sample = json.dumps(select_body("00000000-0000-4000-8000-000000000000")).replace('"', '\\"')
    script = work / "post.lua"
    script.write_text(f'THREADS = {args.threads}\nBODY = "{sample}"\n' + LUA)
    port = free_port()
    server = start_server({**env, "DJANGO_SETTINGS_MODULE": args.settings}, port, args)
    base = f"http://127.0.0.1:{port}/beckn"
    results: dict[str, list[dict]] = {"bare": [], "select": []}
    other = None
    if args.baseline:
        other_port = free_port()
        other_env = {**env, "DJANGO_SETTINGS_MODULE": args.baseline_settings}
        other = start_server(other_env, other_port, args, args.baseline.resolve())
        other_base = f"http://127.0.0.1:{other_port}/beckn"
        results.update({"baseline bare": [], "baseline select": []})
    answering = threading.Event()
    threading.Thread(target=answer_all, args=(answering,), daemon=True).start()
    try:
        master = server.pid
        wrk(f"{base}/_bench/ack", script, args, args.warmup, None, master)  # warm-up both
        wrk(f"{base}/select", script, args, args.warmup, files[0][0], master)
        if other is not None:
            wrk(f"{other_base}/_bench/ack", script, args, args.warmup, None, other.pid)
            # its first requests import the project too (these repeat the warm-up's
            # messages: answered as duplicates)
            wrk(f"{other_base}/select", script, args, args.warmup, files[0][0], other.pid)
        servers = [("", base, master, 1)]
        if other is not None:
            servers.append(("baseline ", other_base, other.pid, args.rounds + 1))
        for n in range(args.rounds):
            # the two servers take turns to go first, so neither always meets the
            # database just after the other's inserts
            for prefix, url, pid, first_file in servers[:: -1 if n % 2 else 1]:
                time.sleep(args.pause)  # let the database settle (autovacuum after inserts)
                results[f"{prefix}bare"].append(
                    wrk(f"{url}/_bench/ack", script, args, args.seconds, None, pid)
                )
                time.sleep(args.pause)
                data = files[first_file + n][0]
                results[f"{prefix}select"].append(
                    wrk(f"{url}/select", script, args, args.seconds, data, pid)
                )
    finally:
        answering.set()
        for running in (server, other):
            if running is not None:
                running.terminate()
                running.wait(timeout=30)
        report = summarise(results, args)
        cleanup(args, work)
    print(report)


def summarise(results: dict[str, list[dict]], args: argparse.Namespace) -> str:
    load = os.getloadavg()[0]
    lines = [
        f"gunicorn (gunicorn.conf.py) {args.workers} {args.worker_class} workers"
        + (f" x {args.gthreads} threads; " if args.worker_class == "gthread" else "; ")
        + f"wrk {args.threads} threads x {args.connections} connections, {args.seconds}s runs, "
        f"alternating; {os.cpu_count()} CPUs, load average {load:.1f} at the end; "
        f"settings {args.settings}"
        + (f", baseline {args.baseline_settings}" if args.baseline else ""),
        "",
        "| run | req/s | server CPU ms/req | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for n in range(len(results["select"])):
        lines.append(row(f"bare DRF ACK #{n + 1}", results["bare"][n]))
        lines.append(row(f"/beckn/select #{n + 1}", results["select"][n]))
        if n < len(results.get("baseline select", [])):
            lines.append(row(f"baseline: bare DRF ACK #{n + 1}", results["baseline bare"][n]))
            lines.append(row(f"baseline: /beckn/select #{n + 1}", results["baseline select"][n]))

    def median(path: str, key: str) -> float:
        values = [r[key] for r in results[path] if r["requests"]]
        return statistics.median(values) if values else 0.0

    bare_rps, select_rps = median("bare", "rps"), median("select", "rps")
    bare_cpu, select_cpu = median("bare", "cpu_ms"), median("select", "cpu_ms")
    share = select_rps / bare_rps if bare_rps else 0.0
    cpu_share = bare_cpu / select_cpu if select_cpu else 0.0
    verdict = "meets" if share >= 0.4 else "misses"
    lines += [
        "",
        f"median throughput: bare {bare_rps:.0f} req/s, /beckn/select {select_rps:.0f} req/s "
        f"= {share:.0%} ({verdict} the 40% target)",
        f"median server CPU per request: bare {bare_cpu:.2f} ms, /beckn/select "
        f"{select_cpu:.2f} ms (CPU-bound throughput ratio {cpu_share:.0%}; "
        f"{'meets' if select_cpu <= ACK_CPU_TARGET_MS else 'misses'} the target of "
        f"{ACK_CPU_TARGET_MS} ms per ACK)",
    ]
    if "baseline select" in results:
        b_bare, b_select = median("baseline bare", "rps"), median("baseline select", "rps")
        b_bare_cpu = median("baseline bare", "cpu_ms")
        b_select_cpu = median("baseline select", "cpu_ms")
        lines += [
            f"baseline ({args.baseline}): bare {b_bare:.0f} req/s at {b_bare_cpu:.2f} ms, "
            f"/beckn/select {b_select:.0f} req/s at {b_select_cpu:.2f} ms "
            f"= {b_select / b_bare if b_bare else 0:.0%} (CPU ratio "
            f"{b_bare_cpu / b_select_cpu if b_select_cpu else 0:.0%})",
        ]
    text = "\n".join(lines)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    # generated output (named after the run, ignored by git), never the curated record
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M")
    (out / f"{stamp}-beckn_ack.md").write_text("# Beckn ACK path\n\n" + text + "\n")
    return text


def answer_all(stop: threading.Event) -> None:
    """The workers' part, for the backlog count: the bench BAP's messages answered."""
    from django.db import close_old_connections

    from beckn.models import InboundMessage, InboundState

    while not stop.wait(0.2):
        InboundMessage.objects.filter(bap_id=BAP_ID, state=InboundState.RECEIVED).update(
            state=InboundState.DONE
        )
    close_old_connections()


def cleanup(args: argparse.Namespace, work: Path) -> None:
    from beckn.models import InboundMessage, Subscriber

    stored = InboundMessage.objects.filter(bap_id=BAP_ID).delete()[0]
    Subscriber.objects.filter(subscriber_id=BAP_ID).delete()
    pgdb.vacuum(InboundMessage._meta.db_table)
    print(f"removed {stored} bench messages")
    try:
        import redis

        redis.Redis.from_url(args.broker).delete("celery")  # the queued, never-run tasks
    except Exception as exc:
        print(f"could not clear the queue: {exc}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
