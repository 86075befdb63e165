"""A process forked beside a beating heartbeat thread can use the database
(beckn.services.heartbeat). A process forked while its parent has an SQLite database open
inherits SQLite's record of that file but not its locks, and cannot use the database:
under `make run`'s embedded default, the pool processes a prefork worker started again
(after one died, or during its warm shutdown) failed every beat with "disk I/O error"."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.support.procs import ROOT, free_port
from tests.support.soak import environment

pytestmark = [pytest.mark.integration]


def test_children_forked_while_the_heartbeat_beats_can_use_the_embedded_database(
    tmp_path, migrated_sqlite
):
    var = tmp_path / "var"
    var.mkdir()
    shutil.copyfile(migrated_sqlite, var / "db.sqlite3")
    env = {**environment(var, free_port()), "BECKN_HEARTBEAT_EVERY": "0.001"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.beckn.fork_beside_heartbeat", "40"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "failed 0 of 40", done.stderr[-2000:]
