"""README's Configuration tables say everything in them comes from environment variables:
each Django or Beckn setting listed there with a number for its default is read from the
environment (a row for a setting the settings never read from the environment fails
here). Variables that gunicorn.conf.py or a setting of another name reads are not
settings of their own name, and are left out."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from beckn.conf import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\|\s*((?:`[A-Z0-9_]+`(?:,\s*)?)+)\s*\|([^|]*)\|")
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def numeric_rows() -> dict[str, float]:
    """Each variable of README's Configuration section whose default is written as a
    plain number (`15`, or `2`, `5` for two variables in one row), with that number."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    found: dict[str, float] = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if not match:
            continue
        names = re.findall(r"`([A-Z0-9_]+)`", match.group(1))
        values = re.findall(r"`([^`]*)`", match.group(2))
        for name, value in zip(names, values, strict=False):
            if NUMBER.fullmatch(value):
                found[name] = float(value)
    return found


def read_settings(env: dict[str, str], names: list[str]) -> dict[str, object]:
    code = (
        "import json, sys; from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n, None) for n in sys.argv[1:]}))"
    )
    # as deployed (behind TLS, where the HSTS settings apply), whatever this checkout is
    deployed = {"DEBUG": "0", "BEHIND_TLS": "1", "SECRET_KEY": "x" * 50}
    env = {**os.environ, **deployed, **env, "DJANGO_SETTINGS_MODULE": "cpo_portal.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code, *names], cwd=ROOT, env=env, capture_output=True,
        text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_each_numeric_setting_in_the_readme_is_read_from_the_environment():
    documented = numeric_rows()
    defaults = read_settings({}, list(documented))
    settings = [n for n in documented if n in DEFAULTS or defaults[n] is not None]
    assert len(settings) >= 20, sorted(settings)
    other = {name: documented[name] * 2 + 1 for name in settings}
    env = {name: str(int(v) if v.is_integer() else v) for name, v in other.items()}
    read = read_settings(env, list(other))
    not_read = {
        name: read[name]
        for name, value in other.items()
        if not isinstance(read[name], int | float) or float(read[name]) != value
    }
    assert not_read == {}, f"README lists these, but the settings do not read them: {not_read}"
