"""A development checkout runs manage.py with no extra variables; a deployment still refuses
to start without SECRET_KEY. Each case is a fresh interpreter, since settings are read once
at start-up (tests/security/helpers.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.helpers import PASSED_THROUGH, ROOT

REFUSAL = "SECRET_KEY must be set when DEBUG is off"
SHOW = "from django.conf import settings as s; print(s.DEBUG, s.BECKN_ALLOW_PRIVATE_CALLBACKS)"


def checkout_env(var: Path, **extra: str) -> dict[str, str]:
    """What a developer's shell has: nothing of the project's, only throwaway paths."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return {**env, "VAR_DIR": str(var), **extra}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def make_dev_env(var: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    subprocess.run([make, "-s", "dev-env", f"VAR_DIR={var}"], cwd=ROOT, check=True, timeout=60)


def test_without_the_development_marker_manage_py_refuses_to_start(tmp_path):
    done = manage(checkout_env(tmp_path / "var"), "check")
    assert done.returncode != 0
    assert done.stderr == f"Configuration error: {REFUSAL}. (README.md: Configuration)\n"
    assert not (tmp_path / "var" / "dev-secret-key").exists()


def test_a_development_checkout_runs_manage_py_with_no_variables(tmp_path):
    var = tmp_path / "var"
    make_dev_env(var)
    done = manage(checkout_env(var), "check")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    key = var / "dev-secret-key"  # generated once, kept for the next start
    assert key.stat().st_mode & 0o777 == 0o600
    done = manage(checkout_env(var), "shell", "--no-imports", "-c", SHOW)
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_the_environment_overrides_the_development_marker(tmp_path):
    var = tmp_path / "var"
    make_dev_env(var)
    done = manage(checkout_env(var, DEBUG="0"), "check")
    assert done.returncode != 0
    assert REFUSAL in done.stderr
