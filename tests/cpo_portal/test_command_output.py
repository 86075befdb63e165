"""A management command's output is its own: no library's start-up line before it."""

from __future__ import annotations

import subprocess
import sys

from tests.support.procs import ROOT, free_port
from tests.support.soak import environment


def test_a_command_prints_no_axes_start_up_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=environment(tmp_path, free_port()), capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "AXES: BEGIN" not in done.stdout + done.stderr
    assert done.stdout.startswith("System check identified"), done.stdout + done.stderr
