"""Soak of `make run`: its own Procfile under honcho (runserver for the pages, another for
the Beckn endpoints, a Celery worker, beat) on the embedded defaults, with several BAPs
sending signed Beckn requests at once and waiting for their callbacks (the driver:
tests/support/soak.py; the suite runs a short one).

    python bench/soak.py --requests 2000      (`make soak`)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from tests.support.soak import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--baps", type=int, default=4)
    parser.add_argument("--window", type=int, default=50, help="unanswered requests per BAP")
    parser.add_argument("--no-seed", action="store_true", help="skip seed_demo")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-") as workdir:
        # This process only signs and checks signatures (beckn.protocol), with the settings
        # of a development checkout of its own.
        os.environ.update(DJANGO_SETTINGS_MODULE="cpo_portal.settings", DEBUG="1")
        os.environ["VAR_DIR"] = str(Path(workdir, "driver"))
        django.setup()
        figures = run(
            options.requests, options.baps, options.window, Path(workdir), not options.no_seed
        )
        load = os.getloadavg()
        print(f"soak of make run's Procfile, {options.baps} BAPs; load average {load[0]:.2f}")
        for line in figures.lines():
            print("  " + line)
        for nack in figures.nacks[:3]:
            print("  NACK:", nack)
        if figures.exits or figures.unanswered or figures.nacks:
            print(Path(workdir, "honcho.log").read_text(errors="replace")[-4000:])
            raise SystemExit(1)


if __name__ == "__main__":
    main()
