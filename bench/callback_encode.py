"""Benchmark: a callback's JSON text, `beckn.protocol.json_text.encoded` (orjson) beside the
standard library's `json.dumps` with the same options (encoded to UTF-8, as both are
stored and signed), on callbacks the product wrote.

    python -m bench.callback_encode [--database cpo_bench_search] [--action on_search]
                                    [--rows 20] [--rounds 200]

Reads the newest `--rows` callbacks of `--action` from the outbox of `--database` on
DATABASE_URL's server (the one `bench/on_search.py --demo` leaves behind), parses each,
and encodes it `--rounds` times each way in this process, alternating. Prints the
median CPU per encoding of each, the bodies' sizes, and whether both wrote the same text
(they must: the outbox stores it and the signature is made over it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cpo_bench_search", help="read, not changed")
    parser.add_argument("--action", default="on_search")
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    from bench import pgdb

    pgdb.setup(pgdb.url_for(args.database), migrate=False)
    from django.db import DatabaseError

    from beckn.models import Outbox
    from beckn.protocol.json_text import encoded

    try:
        payloads = list(
            Outbox.objects.filter(action=args.action)
            .order_by("-pk")
            .values_list("payload", flat=True)[: args.rows]
        )
    except DatabaseError as exc:
        raise SystemExit(
            f"cannot read {args.database}'s outbox ({exc}); run bench/on_search.py first"
        ) from None
    if not payloads:
        raise SystemExit(
            f"no {args.action} callback in {args.database}: run bench/on_search.py first"
        )
    bodies = [json.loads(p) for p in payloads]

    def plain(body: dict) -> bytes:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()

    same = all(encoded(b) == plain(b) for b in bodies)
    spent: dict[str, list[float]] = {"json.dumps": [], "json_text.encoded": []}
    for body in bodies:
        for name, f in (("json.dumps", plain), ("json_text.encoded", encoded)):
            started = time.process_time()
            for _ in range(args.rounds):
                f(body)
            spent[name].append((time.process_time() - started) / args.rounds * 1000)
    sizes = sorted(len(p.encode()) for p in payloads)
    print(
        f"{len(bodies)} {args.action} callbacks, {sizes[0] / 1024:.0f}-{sizes[-1] / 1024:.0f} KiB;"
        f" the same text both ways: {same}"
    )
    for name, times in spent.items():
        print(f"  {name:14} {statistics.median(times):.3f} ms CPU per encoding (median)")


if __name__ == "__main__":
    main()
