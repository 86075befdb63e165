"""Benchmark: what a new protocol-pool worker costs before it answers selects at its steady
cost, and so what recycling workers (`GUNICORN_MAX_REQUESTS`) adds to each request.

    .venv/bin/python -m bench.worker_boot [--rounds 3] [--selects 800]

Each round starts the protocol pool's gunicorn (gunicorn.conf.py, one gevent worker,
`cpo_portal.settings.protocol_pool`, against PostgreSQL and Redis as bench/beckn_ack.py
prepares them) and reads its worker's CPU (user + system, from /proc) three times: once it
answers /healthz (its imports and settings), after its first 20 signed selects (the caches
a first request fills: registry, compiled schema, connections), and after --selects more,
sent one after another on one kept-alive connection (the steady cost of one ACK). A worker
replaced after N requests pays the first two again every N requests: the figure printed
for each recycling setting is that cost spread over them, beside the steady ACK.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.ack_load import start_server
from bench.beckn_ack import DEFAULT_BROKER, DEFAULT_CACHE, DEFAULT_DB, environment, prepare

WARM = 20  # the first selects, whose caches a new worker fills
RECYCLING = (2000, 100_000)  # the default pool's and the protocol pool's GUNICORN_MAX_REQUESTS


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(env: dict[str, str], port: int) -> tuple[subprocess.Popen, int]:
    """The protocol pool's gunicorn (bench/ack_load.py's rig) with one gevent worker, once
    that worker answers /healthz; (master, worker)."""
    rig = argparse.Namespace(workers=1, gthreads=1, worker_class="gevent", shared_socket=False)
    pool = {**env, "DJANGO_SETTINGS_MODULE": "cpo_portal.settings.protocol_pool"}
    master = start_server(pool, port, rig)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text()
                return master, int(children.split()[0])
        except OSError:
            time.sleep(0.2)
    master.terminate()
    raise SystemExit("the protocol pool's worker did not answer /healthz")


def post_all(port: int, lines: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for line in lines:
        header, raw = line.split("\t", 1)
        headers = {"Content-Type": "application/json", "Authorization": header}
        connection.request("POST", "/beckn/select", body=raw.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"a select was answered {response.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--selects", type=int, default=800)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--cache", default=os.environ.get("CACHE_URL", DEFAULT_CACHE))
    args = parser.parse_args()
    env = environment(args)
    handle, name = tempfile.mkstemp(suffix=".txt", prefix="worker_boot_")
    os.close(handle)
    messages = Path(name)
    per_round = WARM + args.selects
    prepare(env, [(messages, per_round * args.rounds)])
    lines = messages.read_text().splitlines()
    messages.unlink()
    boots, steadies = [], []
    for number in range(args.rounds):
        batch = lines[number * per_round : (number + 1) * per_round]
        master, worker = start(env, args.port)
        try:
            started = cpu_seconds(worker)
            post_all(args.port, batch[:WARM])
            warmed = cpu_seconds(worker)
            post_all(args.port, batch[WARM:])
            steady_ms = 1000 * (cpu_seconds(worker) - warmed) / args.selects
        finally:
            master.terminate()
            master.wait()
        boots.append(warmed)
        steadies.append(steady_ms)
        print(
            f"round {number + 1}: started {started:.2f} s, after {WARM} selects {warmed:.2f} s "
            f"of CPU; then {steady_ms:.2f} ms per select",
            flush=True,
        )
    boot, steady = statistics.median(boots), statistics.median(steadies)
    print(f"\nA new worker, started and warm: {boot:.2f} s of CPU (median of {args.rounds})")
    print(f"Steady ACK, one connection: {steady:.2f} ms of CPU per select")
    for every in RECYCLING:
        spread = 1000 * boot / (every * 1.05)  # jitter: a tenth more at most, half on average
        print(
            f"Recycled every {every:,} requests: +{spread:.3f} ms per request "
            f"({100 * spread / steady:.0f} % of the steady ACK)"
        )


if __name__ == "__main__":
    main()
