"""Run every benchmark script in bench/ and write a short markdown summary (`make bench`).

A script is a module of bench/ with a `__main__` guard, run as `python -m bench.<name>` and
printing its own figures; modules without one are shared helpers. This runner runs them
one after the other (they would skew each other in parallel), each with a time limit, and
collects what they printed. A script that is missing, fails or overruns is reported as
such; the others still run.

Output goes to bench/results/, every file named after the run's start
(`<YYYY-MM-DD-HHMM>-summary.md`, and `<YYYY-MM-DD-HHMM>-<script>.txt` with each script's
whole output); these generated files are gitignored. The summary says when, on what
machine (CPUs, memory, Python, database, broker) and under what load (the load average
before and after each script) the figures were taken. Figures worth keeping are copied by
hand, with those conditions, into the curated records beside them (bench/results/README.md).

    make bench    # or: .venv/bin/python bench/run_all.py [--timeout SECONDS] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
# The figures the project tracks; a script that is missing shows as "not present".
EXPECTED = {
    "beckn_ack.py": "the Beckn ACK path against a bare DRF view",
    "quote.py": "quotes per second with 1,000 offers",
    "callbacks.py": "callback deliveries per second with two workers",
    "on_search.py": "on_search queries and time, 2,000 chargers and 200 offers",
    "dashboard.py": "the analytics dashboard at 5 million ledger rows",
    "faults.py": "callbacks lost or duplicated: BAP down a minute, worker killed, broker restart",
}
TAIL = 60  # lines of output kept per script in the summary
GRACE = 20  # seconds a timed-out script gets to clean up after SIGTERM


@dataclass(frozen=True)
class Result:
    name: str
    status: str  # "ok", "not present", "failed (exit N)", "timed out after N s"
    seconds: float | None = None
    output: str = ""
    load: str = ""  # the 1-minute load average before and after the script


def is_script(path: Path) -> bool:
    return (
        path.name != Path(__file__).name
        and not path.name.startswith("_")
        and 'if __name__ == "__main__":' in path.read_text(errors="replace")
    )


def discover(bench_dir: Path) -> list[str]:
    return sorted(path.name for path in bench_dir.glob("*.py") if is_script(path))


def run_one(bench_dir: Path, name: str, timeout: float) -> Result:
    path = bench_dir / name
    if not path.is_file():
        return Result(name, "not present")
    started = time.perf_counter()
    # Its own process group, so a timeout also stops any worker or server it started.
    process = subprocess.Popen(
        [sys.executable, "-m", f"{bench_dir.name}.{path.stem}"],
        cwd=bench_dir.parent,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(bench_dir.parent), str(ROOT)])},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stdout = stop(process)
        return Result(path.name, f"timed out after {timeout:g} s", timeout, stdout)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        output = stdout + "\n--- stderr ---\n" + stderr
        return Result(path.name, f"failed (exit {process.returncode})", seconds, output)
    return Result(path.name, "ok", seconds, stdout)


def stop(process: subprocess.Popen) -> str:
    """SIGTERM to the script's group, so it can stop what it started in sessions of its own
    (workers, a redis-server: tests/support/procs.py), then SIGKILL what is left after GRACE."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        stdout, _ = process.communicate(timeout=GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        stdout, _ = process.communicate()
    return stdout


def run_all(bench_dir: Path, names: list[str], timeout: float) -> list[Result]:
    results = []
    for name in names:
        print(f"--- {name}", file=sys.stderr, flush=True)
        before = os.getloadavg()[0]
        result = run_one(bench_dir, name, timeout)
        load = f"{before:.1f} to {os.getloadavg()[0]:.1f}" if result.seconds is not None else ""
        results.append(replace(result, load=load))
    return results


def machine() -> str:
    """CPUs (model and count) and memory, read from /proc where there is one."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip() + ", "
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f", {kib / 2**20:.0f} GiB memory"
    return f"{model}{os.cpu_count()} CPUs{memory}"


def _tail(text: str) -> str:
    lines = text.strip().splitlines()
    if len(lines) > TAIL:
        lines = [f"... ({len(lines) - TAIL} earlier lines left out)", *lines[-TAIL:]]
    return "\n".join(lines)


def summary(results: list[Result], started: dt.datetime | None = None) -> str:
    started = started or dt.datetime.now().astimezone()
    database = (os.environ.get("DATABASE_URL") or "sqlite").split(":", 1)[0]
    broker = (os.environ.get("CELERY_BROKER_URL") or "filesystem").split(":", 1)[0]
    out = [
        "# Benchmark summary",
        "",
        f"{started:%Y-%m-%d %H:%M %Z}, {machine()}, Python {sys.version.split()[0]}, "
        f"database {database}, broker {broker}.",
        "",
        "| script | measures | status | seconds | load average |",
        "| --- | --- | --- | --- | --- |",
    ]
    for result in results:
        seconds = "" if result.seconds is None else f"{result.seconds:.1f}"
        what = EXPECTED.get(result.name, "")
        out.append(f"| {result.name} | {what} | {result.status} | {seconds} | {result.load} |")
    for result in results:
        if result.output.strip():
            out += ["", f"## {result.name}: {result.status}", "", "```text"]
            out += [_tail(result.output), "```"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_timeout = float(os.environ.get("BENCH_TIMEOUT", 900))
    parser.add_argument("--timeout", type=float, default=default_timeout, help="per script")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="e.g. quote.py")
    parser.add_argument("--dir", type=Path, default=BENCH_DIR, help=argparse.SUPPRESS)
    parser.add_argument(
        "--out", type=Path, help="the summary (default: bench/results/<start>-summary.md)"
    )
    args = parser.parse_args(argv)

    started = dt.datetime.now().astimezone()
    stamp = f"{started:%Y-%m-%d-%H%M}"
    out = args.out or BENCH_DIR / "results" / f"{stamp}-summary.md"
    names = args.only or sorted(set(EXPECTED) | set(discover(args.dir)))
    results = run_all(args.dir, names, args.timeout)
    text = summary(results, started)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    for result in results:
        if result.output.strip():
            (out.parent / f"{stamp}-{Path(result.name).stem}.txt").write_text(result.output)
    print(text)
    print(f"(written to {out} and {stamp}-<script>.txt beside it)", file=sys.stderr)
    return 0 if all(r.status in ("ok", "not present") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
