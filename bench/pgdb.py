"""Shared by the bench scripts: a PostgreSQL database of their own (dropped and created
afresh) and the environment Django needs to run against it outside a web server."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"


def url_for(name: str) -> str:
    """DATABASE_URL's server (or the local one) with the database `name`."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = f"{SERVER}/postgres"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _name_and_admin(url: str) -> tuple[str, str]:
    """The database name of `url`, and the same server's `postgres` database."""
    parts = urlsplit(url)
    return parts.path.lstrip("/"), urlunsplit(parts._replace(path="/postgres"))


def recreate(url: str) -> None:
    """DROP and CREATE the database of `url`; refuses a name without 'bench' in it."""
    import psycopg
    from psycopg import sql

    name, admin = _name_and_admin(url)
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: a bench database's name contains 'bench'")
    with psycopg.connect(admin, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def ensure(url: str) -> None:
    """CREATE the database of `url` if it does not exist yet (a fresh machine)."""
    import psycopg
    from psycopg import sql

    name, admin = _name_and_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    """The variables a bench process (and its workers) run Django with."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "cpo_portal.settings",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DEBUG": "0",
        "BEHIND_TLS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def setup(database_url: str, *, migrate: bool = True, **extra: str) -> None:
    """Point this process at the database, start Django, and migrate."""
    os.environ.update(django_env(database_url, **extra))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def backend_cpu() -> float | None:
    """CPU seconds (user + system) used so far by the PostgreSQL server process of this
    thread's connection, read from /proc (the server runs on this machine); None where
    it cannot be read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vacuum(table: str = "") -> str:
    """VACUUM ANALYZE `table` (the whole database when none is named) on PostgreSQL; the
    server's autovacuum setting, "" on another database. A bench that reuses a database
    cleans up what earlier runs left: a server with autovacuum on (PostgreSQL's default)
    does it at a moment of its own, perhaps during the first rounds (seen in
    bench/beckn_ack.py: select's CPU per request 1.5 ms there, 1.1 after), and one with it
    off (as on CI machines) never does, so every later run pays for it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        target = connection.ops.quote_name(table) if table else ""
        cursor.execute(f"VACUUM ANALYZE {target}")
        cursor.execute("SHOW autovacuum")
        (setting,) = cursor.fetchone()
    return str(setting)
