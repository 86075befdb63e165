"""The pure modules (import-linter's "pure" contract: the quote engine, the offer rules,
the analytics figures, the Beckn protocol helpers) load no Django, DRF or Celery when they
are imported, in a fresh interpreter. import-linter follows the imports a module makes, not
the package `__init__` each import runs first, so a pure module importing from a package
whose `__init__` loads Django would pass the contract and still load Django; this runs it."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from tests.support.procs import ROOT


def _pure_contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith("The quote engine"))


def test_pure_modules_load_no_forbidden_module_when_imported():
    contract = _pure_contract()
    sources, forbidden = contract["source_modules"], contract["forbidden_modules"]
    script = (
        "import importlib, sys\n"
        f"for name in {sources!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in {forbidden!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.stdout.strip() == "[]", f"{sources} load {done.stdout.strip()}"
