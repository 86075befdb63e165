"""Benchmark: how long a registry change takes to reach other processes, and what the
registry memo costs a lookup.

    python -m bench.registry_propagation [--readers 2] [--rounds 20]

Against PostgreSQL (a database of its own: DATABASE_URL's name + `_bench`, dropped and
created afresh). Reader processes look the BAP's key up in a loop, as web processes do on
the ACK path (about one lookup a millisecond), and print the moment they see it appear or
vanish; this process removes and re-adds the key, alternately, and prints, per round, the
time from the commit to each reader's first answer that reflects it. It also prints the
cost of a lookup answered from the memo and of the version check (BECKN_REGISTRY_CHECK_MS
apart). Times are CLOCK_MONOTONIC, shared by every process of the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

from bench import pgdb

BAP_ID = "bench-registry-bap.example"
KEY_ID = "k1"


def _database_url() -> str:
    name = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "cpo"
    return pgdb.url_for(f"{name}_bench")


def _row():
    from beckn.models import Subscriber
    from beckn.protocol.signing import generate_keypair

    return Subscriber(
        subscriber_id=BAP_ID, type="BAP", url="https://bench-bap.example/beckn",
        key_id=KEY_ID, signing_public_key=generate_keypair()[1],
    )  # fmt: skip


def reader() -> None:
    pgdb.setup(os.environ["DATABASE_URL"], migrate=False)
    from beckn.services import registry

    known = registry.find(BAP_ID, KEY_ID) is not None
    print("ready", int(known), flush=True)
    while True:
        now_known = registry.find(BAP_ID, KEY_ID) is not None
        if now_known != known:
            known = now_known
            print("seen", int(known), time.monotonic(), flush=True)
        time.sleep(0.001)


def costs() -> tuple[float, float]:
    """(µs per lookup answered from the memo, version checks included; ms of this
    process's CPU per version check)."""
    from beckn.services import registry
    from cpo_portal.models import Stamp

    memo = registry.LocalMemo()
    memo.get(BAP_ID, KEY_ID)
    n = 200_000
    start = time.perf_counter()
    for _ in range(n):
        memo.get(BAP_ID, KEY_ID)
    hit_us = (time.perf_counter() - start) / n * 1e6
    start = time.process_time()
    for _ in range(2000):
        Stamp.current(Stamp.Kind.REGISTRY)
    check_ms = (time.process_time() - start) / 2000 * 1000
    return hit_us, check_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    url = _database_url()
    pgdb.recreate(url)
    pgdb.setup(url)
    from beckn import conf
    from beckn.models import Subscriber

    _row().save()
    env = {**os.environ, **pgdb.django_env(url)}
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.registry_propagation", "--reader"],
            cwd=pgdb.ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(args.readers)
    ]
    outputs = [proc.stdout for proc in readers if proc.stdout is not None]
    delays: list[float] = []
    try:
        for out in outputs:
            assert out.readline().split() == ["ready", "1"]
        for n in range(args.rounds):
            time.sleep(0.3)  # the readers' memos are warm again
            if n % 2 == 0:
                Subscriber.objects.filter(subscriber_id=BAP_ID).delete()
            else:
                _row().save()
            committed = time.monotonic()
            for out in outputs:
                word, state, when = out.readline().split()
                assert word == "seen" and state == str(n % 2), (word, state)
                delays.append((float(when) - committed) * 1000)
    finally:
        for proc in readers:
            proc.terminate()
            proc.wait(10)
    hit_us, check_ms = costs()
    delays.sort()
    print(f"BECKN_REGISTRY_CHECK_MS={conf.get('BECKN_REGISTRY_CHECK_MS')}, "
          f"{args.readers} reader processes, {args.rounds} changes (remove / add)")  # fmt: skip
    print(f"commit -> seen by a reader: median {statistics.median(delays):.0f} ms, "
          f"max {delays[-1]:.0f} ms over {len(delays)} observations")  # fmt: skip
    print(f"lookup from the memo: {hit_us:.2f} us; version check: {check_ms:.3f} ms of CPU "
          f"(at most one per process every {conf.get('BECKN_REGISTRY_CHECK_MS')} ms)")  # fmt: skip
    Subscriber.objects.filter(subscriber_id=BAP_ID).delete()


if __name__ == "__main__":
    if "--reader" in sys.argv:
        reader()
    else:
        main()
