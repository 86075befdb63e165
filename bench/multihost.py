"""Run the multi-host scenario (tests/support/multihost/scenario.py) as a bench, longer than
the suite's run: two web hosts and two worker hosts in network namespaces behind haproxy,
with a host of each kind killed and restarted under load. Needs root.

    python -m bench.multihost [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from tests.support.multihost.scenario import run  # noqa: E402


def main() -> None:
    from bench import pgdb

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="the failover phase")
    parser.add_argument("--capacity", type=float, default=15, help="each capacity phase")
    options = parser.parse_args()
    from tests.support.multihost.netns import unavailable

    if reason := unavailable():
        raise SystemExit(f"cannot run: {reason}")
    url = pgdb.url_for(f"{urlsplit(os.environ.get('DATABASE_URL', '/cpo')).path.strip('/')}"
                       "_bench_multihost")  # fmt: skip
    pgdb.recreate(url)
    pgdb.setup(url)
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    with tempfile.TemporaryDirectory(prefix="multihost-") as workdir:
        figures = run(url, broker, Path(workdir), options.seconds, options.capacity)
    print(f"multi-host scenario; load average {pgdb.load_average()}")
    for line in figures.lines():
        print("  " + line)


if __name__ == "__main__":
    main()
