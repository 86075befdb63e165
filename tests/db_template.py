"""One migrated PostgreSQL database for all of `make test`'s parallel workers.

Migrating from scratch costs about 20 s of CPU (the migration graph's state is rebuilt many
times over), and every pytest-xdist worker would pay it for its own test database. Instead
the first worker migrates a template database once, in a `manage.py migrate` subprocess,
while the others wait on a lock; each worker's test database is then created from it
(PostgreSQL's `CREATE DATABASE ... TEMPLATE`, Django's TEST["TEMPLATE"] setting) and
Django's own migrate finds nothing left to apply. The template is made afresh by every run
(so it is always the checkout's migrations) and dropped when the run ends.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
MARKER = "migrated-template"


def template_name() -> str:
    return f"test_{settings.DATABASES['default']['NAME']}_migrated"


def _admin() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{auth}@{host}/{name}"


def _migrate(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": _url(name), "SECRET_KEY": settings.SECRET_KEY}
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"migrating the template database failed:\n{done.stdout}{done.stderr}")


def use_migrated_template(shared: Path) -> None:
    """Make (once per run, under a lock in the workers' shared folder) and use the template."""
    name = template_name()
    with (shared / f"{MARKER}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = shared / MARKER
        if not marker.exists():
            _migrate(name)
            marker.write_text(name)
    settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = name


def drop_template(shared: Path) -> None:
    marker = shared / MARKER
    if marker.exists():
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{marker.read_text()}" WITH (FORCE)')
        marker.unlink()
