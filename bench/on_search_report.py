"""bench/on_search.py's figures block: one row per network searched, and how the
queries grow with the network."""

from __future__ import annotations

import argparse
import os
from typing import Any

from bench import pgdb

RADIUS_KM = "5"  # the search: a circle around the city's centre holding all its chargers


def line(r: dict[str, Any]) -> str:
    valid = "valid" if r["valid"] else "INVALID"
    return (
        f"| {r['label']} | {r['queries_cold']} / {r['queries_warm']} ({r['handler_warm']}) | "
        f"{r['wall_cold']:.0f} / {r['wall_warm']:.0f} | {r['cpu_cold']:.0f} / {r['cpu_warm']:.1f}"
        f" ({r['handler_cpu_warm']:.1f}) | {r['bytes'] / 1024:.0f} KiB | {r['parts']}"
        f" | {r['largest'] / 1024:.0f} KiB"
        f" | {r['items']} | {r['locations']} | {r['reply_offers']} | {valid} |"
    )


def growth(results: list[dict[str, Any]], key: str, fixed: str) -> str:
    """How the warm query count moves with `key` while `fixed` stays the same."""
    out = []
    for a in results:
        for b in results:
            if a[fixed] == b[fixed] and a[key] < b[key] and a.get("cap") == b.get("cap"):
                out.append(
                    f"{a[key]} -> {b[key]} {key} ({fixed} {a[fixed]}): "
                    f"{a['queries_warm']} -> {b['queries_warm']} queries"
                )
    return "; ".join(out) or "not measured (give two sizes that differ only in it)"


def print_figures(results: list[dict[str, Any]], args: argparse.Namespace, cap: int) -> None:
    from beckn import conf

    print()
    print("=== on_search figures ===")
    print(
        "a worker's answer (tasks.answer_next, the send left out) of a signed search, "
        f"{RADIUS_KM} km circle holding every charger of the city; BECKN_MAX_CATALOG_ITEMS={cap}; "
        f"BECKN_CATALOG_PART_BYTES={conf.get('BECKN_CATALOG_PART_BYTES')}; medians of "
        f"{args.runs} runs; cold = per-process caches emptied; times in ms; PostgreSQL on "
        "loopback"
    )
    print()
    print("| network | queries cold / warm (warm, handler) | wall ms cold / warm | "
          "CPU ms cold / warm (warm, handler) | reply (all parts) | parts | largest part | items | "
          "locations | provider offers | core schema |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(line(result))
    print()
    print(f"queries vs chargers: {growth(results, 'chargers', 'offers')}")
    print(f"queries vs offers: {growth(results, 'offers', 'chargers')}")
    print(f"load average: {pgdb.load_average()} ({os.cpu_count()} CPUs)")
