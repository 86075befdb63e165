"""Suite-wide fixtures, the PostgreSQL gate and the hypothesis budget.

Tests marked `postgres` need real concurrent transactions; on SQLite they are skipped with
a visible reason. With REQUIRE_POSTGRES=1 (CI) the run fails unless PostgreSQL is in use.

Property tests take their example count from a hypothesis profile chosen by the
HYPOTHESIS_PROFILE environment variable: "ci" (30 examples per property: every property
still runs on every push; derandomized, so a test's examples follow from its code alone
and two runs of one commit give one verdict), "moderate" (100, the default, for a
developer's `make test`, new examples every run) or "thorough" (1,000: nightly, or after
touching the engine's core). One switch scales the suite, except the few tests that fix
a count of their own and keep it under every profile: the Beckn schema (300) and
hostile-input (150, 200) properties, the add-on combos (12) and the fuzz slices
(FUZZ_CASES, 300).

Expensive worlds are built once per module (`kept_world`, `demo_world`), and the longest
files start first (`LONGEST_FIRST`) so that `make test`'s parallel workers finish together.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

_PROPERTY_TESTS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", max_examples=30, derandomize=True, **_PROPERTY_TESTS)
hypothesis_settings.register_profile("moderate", max_examples=100, **_PROPERTY_TESTS)
hypothesis_settings.register_profile("thorough", max_examples=1000, **_PROPERTY_TESTS)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "moderate"))

# The processes the tests start (web servers, workers) ACK with no live worker host, as
# this one does (settings: on under pytest); a rig that runs workers may turn it off.
os.environ.setdefault("BECKN_ADMIT_WITHOUT_WORKERS", "1")


def _vendor() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else engine.rsplit(".", 1)[-1]


def pytest_report_header(config):
    return [f"database: {_vendor()}; broker: {settings.CELERY_BROKER_URL.split(':')[0]}"]


STARTED_AT = pytest.StashKey[float]()
SHARED_FOLDER = pytest.StashKey[Path]()  # on the controller of parallel workers


def pytest_sessionstart(session):
    session.config.stash[STARTED_AT] = time.time()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist's controller hands each parallel worker the run's shared folder, which it
    makes before the first worker starts and removes when the run ends."""
    stash = node.config.stash
    if SHARED_FOLDER not in stash:
        stash[SHARED_FOLDER] = Path(tempfile.mkdtemp(prefix="pytest-shared-"))
    node.workerinput["shared_folder"] = str(stash[SHARED_FOLDER])


def _shared_folder(config, tmp_path_factory) -> Path:
    """The run's temporary folder that every parallel worker sees (their controller's), or
    without workers pytest's own."""
    if hasattr(config, "workerinput"):
        return Path(config.workerinput["shared_folder"])
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory
):
    """Parallel workers create their test databases from one migrated template
    (tests/db_template.py) instead of migrating each their own."""
    if hasattr(request.config, "workerinput"):
        from tests.db_template import use_migrated_template

        use_migrated_template(_shared_folder(request.config, tmp_path_factory))


@pytest.fixture(scope="session")
def migrated_sqlite(request, tmp_path_factory) -> Path:
    """A SQLite file with every migration applied, made once per run (tests/db_template.py),
    for tests that start a new checkout's processes on the embedded defaults: copied into
    their var/, their `migrate` finds nothing left to do."""
    from tests.db_template import migrated_sqlite_file

    return migrated_sqlite_file(_shared_folder(request.config, tmp_path_factory))


def pytest_sessionfinish(session):
    shared = session.config.stash.get(SHARED_FOLDER, None)
    if shared is None:  # a worker, or a run without workers (which makes no template)
        return
    if _vendor() == "postgresql":
        from tests.db_template import drop_template

        drop_template(shared)
    shutil.rmtree(shared, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Name the folder of the browser tests' screenshots when this run saved any."""
    from tests.browser import screenshots_dir

    folder = screenshots_dir()
    started = config.stash.get(STARTED_AT, 0)
    shots = [p for p in folder.glob("*.png") if p.stat().st_mtime >= started]
    if shots:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(shots)} screenshots of the pages visited: {folder}")


# The longest test files (--durations), started first: with one file per parallel worker
# (make test: pytest-xdist --dist loadfile) a long file started last would leave the other
# workers idle at the end. So are the files that mostly wait on servers they start (slow
# clients, deadlines): last, they left the CPUs idle for the run's final half-minute.
# Only the order of files changes, never of tests within one.
LONGEST_FIRST = (
    "tests/beckn/test_faults.py",  # PostgreSQL and Redis only: minutes of waiting for outages
    "tests/integration/test_soak.py",  # make run's processes under 500 Beckn requests
    "tests/beckn/test_flood.py",  # PostgreSQL and Redis only: floods with a worker killed
    "tests/integration/test_multihost.py",  # hosts in network namespaces, about 50 s
    "tests/test_docs_commands.py",
    "tests/security/test_request_deadlines.py",  # gunicorn and slow clients: waiting
    "tests/security/test_reconnecting_slow_clients.py",
    "tests/security/test_slow_bodies.py",
    "tests/beckn/test_gevent_pool.py",
    "tests/cpo_portal/test_chunked_shutdown.py",
    "tests/security/test_static_and_gunicorn.py",
    "tests/security/test_tenant_sweep.py",
    "tests/security/test_write_sweep.py",  # every admin form as every role
    "tests/security/test_hostile_form_values.py",  # every admin form with hostile values
    "tests/security/test_hostile_query_values.py",  # every page with hostile parameters
    "tests/security/test_deploy_check.py",  # `check --deploy` in new processes
    "tests/analytics/test_incremental.py",
    "tests/cpo_portal/test_seed_demo.py",
    "tests/analytics/test_demo_and_task.py",
    "tests/analytics/test_demo_figures.py",
    "tests/pricing/test_demo.py",
    "tests/offers/test_demo.py",
    "tests/offers/test_pricing_document.py",
    "tests/analytics/browser/test_trustworthy_figures.py",
    "tests/security/test_settings.py",
    "tests/beckn/test_publication.py",
    "tests/beckn/test_order_races.py",
    "tests/cpo_portal/test_role_journeys.py",
    "tests/analytics/browser/test_dashboards.py",
    "tests/beckn/test_catalog_parts.py",
    "tests/analytics/test_customer_set_months.py",
    "tests/fuzz/test_beckn_fuzz.py",
    "tests/fuzz/test_api_fuzz.py",
)


def _longest_first(item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)


# The fixtures through which a test reaches a database (pytest-django's; the shared worlds
# of `kept_world` serve tests on `db`).
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def _uses_database(item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or _DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    items.sort(key=_longest_first)  # stable: the rest keep their order
    if os.environ.get("TESTS_USING_A_DATABASE_ONLY") == "1":
        # CI's second run, on the other database: a test that reaches no database gives
        # the same result on both, and the first run has run it; so does a sweep marked
        # `one_database` (every surface asked as every user: what it checks, tenancy and
        # permissions, the ORM answers alike on both, and it costs minutes of CPU), and a
        # test in the browser (what it checks is what Chromium draws and runs; the pages'
        # queries are the Django client tests', which run on both; a quarter of this
        # run's CPU: bench/results/ci_speed.md).
        kept = [
            item
            for item in items
            if _uses_database(item)
            and item.get_closest_marker("one_database") is None
            and item.get_closest_marker("browser") is None
        ]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    if os.environ.get("REQUIRE_POSTGRES") == "1" and _vendor() != "postgresql":
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL.")
    if _vendor() == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _live_server_threads_end(request) -> Iterator[None]:
    """A test on the live server leaves none of its request threads behind: they end, and
    close the connections they used, before the next test (tests/support/live_server.py).
    Set up after pytest-django's own autouse fixtures, so torn down before its flush of
    the test's tables."""
    if "live_server" not in request.fixturenames:
        yield
        return
    from tests.support.live_server import request_threads_end

    with request_threads_end():
        yield


@contextmanager
def kept_world(django_db_blocker) -> Iterator[None]:
    """An outer transaction for data built once and shared by several tests.

    Whatever is written inside stays visible to the tests of the fixture's scope; each test's
    own `db` transaction is a savepoint within it, so a test's changes are rolled back after
    it and the next test sees the world as built. At the end of the scope the whole world is
    rolled back. Only for tests on the `db` fixture: a `transactional_db` test would flush the
    tables under it. The outer transaction is Django's own TestCase's class transaction (its
    `setUpClass` opens it, `tearDownClass` rolls it back and closes the connections), so
    `atomic(durable=True)` in the code under test behaves as in any test. Kept worlds do not
    nest: the inner one's end would close the outer one's connection.
    """
    from django.test import TestCase

    class KeptWorld(TestCase):
        databases = {"default"}

    with django_db_blocker.unblock():
        KeptWorld.setUpClass()
        try:
            yield
        finally:
            KeptWorld.tearDownClass()
            KeptWorld.doClassCleanups()


@pytest.fixture(scope="module")
def demo_world(request, django_db_setup, django_db_blocker) -> Iterator[str]:
    """`manage.py seed_demo` run once per test module (it takes seconds); yields its output.

    Tests take it through a function-scoped fixture that also asks for `db`, so each test
    starts from the freshly seeded demo and its own changes are undone after it. A module
    that needs fewer months of sessions than the demo's sets DEMO_SESSIONS (seed_demo's
    `--sessions`).
    """
    from django.core.management import call_command

    sessions = getattr(request.module, "DEMO_SESSIONS", None)
    options = [] if sessions is None else ["--sessions", str(sessions)]
    with kept_world(django_db_blocker):
        out = StringIO()
        call_command("seed_demo", "--no-progress", *options, stdout=out)
        yield out.getvalue()


@pytest.fixture(scope="module")
def demo_config_world(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo's configuration without its months of sessions (`seed_demo --sessions 0`),
    once per test module: operators, stations, tariffs, surge rules, offers, customers. A
    third of the full seed's time, for tests that read no history."""
    from django.core.management import call_command

    with kept_world(django_db_blocker):
        out = StringIO()
        call_command("seed_demo", "--no-progress", "--sessions", "0", stdout=out)
        yield out.getvalue()


@pytest.fixture
def network(db):
    """Two operators with a station, a charger and staff in every role each."""
    from tests.factories import build_network

    return build_network()


@pytest.fixture
def as_pricing_a(client, network):
    """The test client logged in as operator A's pricing editor (of `network`; a test's own
    world fixture built on `network` adds to the same operators)."""
    client.force_login(network.pricing_a)
    return client


@pytest.fixture
def eager():
    """Celery tasks run inline, in the caller, for the test's duration."""
    from celery import current_app

    conf = current_app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole run, driven by Playwright's sync API.

    Playwright allows one sync driver per thread, so every browser test shares this one.
    Skipped, with the reason, where Chromium or Playwright is missing.
    """
    from tests.browser import ARGS, CHROMIUM

    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # The sync API runs an event loop in this thread; the ORM calls beside it are plain
    # synchronous code, which Django must be told to allow.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()
