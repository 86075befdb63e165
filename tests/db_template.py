"""One migrated database for all of `make test`'s parallel workers.

Migrating from scratch costs seconds of CPU even from the apps' squashed migrations (59
migrations with Django's and the libraries'; the migration graph's state is rebuilt many
times over), and every pytest-xdist worker would pay it for its own test database.
Instead the first worker migrates a template once, in a `manage.py migrate` subprocess,
while the others wait on a lock in the workers' shared folder; each worker's test database
then starts as a copy of it and Django's own migrate finds nothing left to apply:

- PostgreSQL: the template is a database, copied by `CREATE DATABASE ... TEMPLATE` (Django's
  TEST["TEMPLATE"] setting); it is dropped when the run ends.
- SQLite: the template is a file, copied with SQLite's online backup into the worker's
  in-memory test database (named in TEST["NAME"] and kept open, so that it lives until
  Django connects to it); the file goes with the run's shared folder (tests/conftest.py:
  pytest's temporary folder, or one that the parallel workers' controller removes when the
  run ends).

The template is made afresh by every run, so it is always the checkout's migrations. The
SQLite file also serves the tests that start a new checkout's processes (`make run` in the
documentation's shell blocks, the soak): their first `migrate` then finds nothing to do.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
MARKER = "migrated-template"
SQLITE_FILE = "migrated.sqlite3"
# Connections that keep each worker's in-memory test database alive for the whole run.
_KEPT: list[sqlite3.Connection] = []


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


def _run_migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": settings.SECRET_KEY}
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


def _migrate_postgres(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    _run_migrate(_url(name))


def migrated_sqlite_file(shared: Path) -> Path:
    """The run's migrated SQLite file in `shared`, made by whichever process asks first."""
    path = shared / SQLITE_FILE
    with (shared / f"{SQLITE_FILE}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = shared / f"{SQLITE_FILE}.partial"
            partial.unlink(missing_ok=True)
            _run_migrate(f"sqlite:///{partial}")
            partial.rename(path)
    return path


def _load_into_memory(template: Path) -> None:
    """The worker's in-memory test database, filled from `template`, named in TEST["NAME"]."""
    alias = "default"
    name = f"file:migrated_{alias}?mode=memory&cache=shared"
    kept = sqlite3.connect(name, uri=True, check_same_thread=False)
    source = sqlite3.connect(template)
    try:
        source.backup(kept)
    finally:
        source.close()
    _KEPT.append(kept)
    settings.DATABASES[alias].setdefault("TEST", {})["NAME"] = name


def use_migrated_template(shared: Path) -> None:
    """Make (once per run, under a lock in the workers' shared folder) and use the template."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        _load_into_memory(migrated_sqlite_file(shared))
        return
    name = template_name()
    with (shared / f"{MARKER}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = shared / MARKER
        if not marker.exists():
            _migrate_postgres(name)
            marker.write_text(name)
    settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = name


def drop_template(shared: Path) -> None:
    marker = shared / MARKER
    if marker.exists():
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{marker.read_text()}" WITH (FORCE)')
        marker.unlink()
