"""The layout docs/architecture.md describes: the same rooms in every app, and no module
name used by two apps unless it is one of those rooms; no module over 400 lines. And the
tests' own: what tests and benches share lives in support modules and conftests, never in
a test module."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["cpo_portal", "pricing", "offers", "analytics", "beckn", "roaming"]
# The rooms every app may have under one name (docs/architecture.md, "One layout").
ROOMS = {
    "models",
    "admin",
    "services",
    "api",
    "views",
    "forms",
    "templatetags",
    "management",
    "commands",
    "tasks",
    "urls",
    "demo",
    "signals",
    "apps",
    "checks",
    "migrations",
}
# The rooms every app has (cpo_portal, the project package, has no services/).
EVERY_APP = {"models", "admin", "services", "management", "urls"}


def module_names(app: str) -> dict[str, list[str]]:
    """Each module or package name in the app (migrations left out), with its paths."""
    names: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts:
            continue
        name = path.parent.name if path.stem == "__init__" else path.stem
        if name != app:
            names[name].append("/".join(parts))
    return names


def test_no_module_name_is_used_by_two_apps():
    owners: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for app in APPS:
        for name, paths in module_names(app).items():
            owners[name][app] = paths
    shared = {
        name: [p for paths in apps.values() for p in paths]
        for name, apps in owners.items()
        if len(apps) > 1 and name not in ROOMS
    }
    assert shared == {}, "a module name used by two apps; rename one (docs/architecture.md)"


def test_every_app_has_the_rooms_every_app_has():
    missing = {
        app: sorted(EVERY_APP - set(module_names(app)))
        for app in APPS
        if app != "cpo_portal" and EVERY_APP - set(module_names(app))
    }
    assert missing == {}


def test_the_project_package_has_its_rooms_too():
    assert EVERY_APP - {"services"} <= set(module_names("cpo_portal"))


# The top of pricing and of the project package holds only rooms, what Django, gunicorn and
# Celery look for, and packages named for what they hold (docs/architecture.md): a new
# module goes into one of them.
TOP = {
    "pricing": {"admin", "api", "apps", "demo", "engine", "management", "migrations", "models"}
    | {"services", "templatetags", "urls"},
    "cpo_portal": {"admin", "apps", "checks", "demo", "management", "migrations", "models"}
    | {"signals", "tasks", "templatetags", "urls"}
    | {"celery", "formats", "protocol_urls", "settings", "wsgi"}
    | {"background", "changes", "db", "deploy", "formatting", "outbound", "tenancy", "web"},
}


def test_the_top_of_pricing_and_the_project_package_holds_only_rooms():
    loose = {
        app: sorted(
            path.stem if path.is_file() else path.name
            for path in (ROOT / app).iterdir()
            if (path.suffix == ".py" and path.stem != "__init__")
            or (path.is_dir() and (path / "__init__.py").exists())
        )
        for app in TOP
    }
    assert {app: sorted(set(names) - TOP[app]) for app, names in loose.items()} == {
        app: [] for app in TOP
    }


def test_no_test_or_bench_imports_a_test_module():
    """A test module holds tests: moving or deleting one must not break another. Shared
    fixtures go to a conftest, shared helpers to a support module (tests/support/, or one
    beside the tests that use it)."""
    found = []
    for folder in ("tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                if any(name.rsplit(".", 1)[-1].startswith("test_") for name in names):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


# A module this long holds more than one thing: split it by what its parts hold
# (docs/architecture.md). Migrations are written by Django, not read as code.
MOST_LINES = 400


def test_no_module_is_longer_than_the_limit():
    folders = [*APPS, "tests", "bench", "tools"]
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MOST_LINES
    }
    assert long == {}
