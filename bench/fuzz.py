"""Fuzz: hostile Beckn requests and API calls, counted by outcome (10,000+ cases by default).

    .venv/bin/python -m bench.fuzz [--messages 8000] [--messages-v2 2000] [--schema 2000]
                                   [--api 1000] [--inputs 1000] [--seed 1]

Three runs, in-process through Django's test client and WSGI application, against a
throwaway database created beside DATABASE_URL's (PostgreSQL, which refuses more than
SQLite does) and dropped afterwards:

1. hypothesis-built Beckn messages (tests/support/fuzz/cases.py: DEG examples mutated, broken
   contexts, huge and deep bodies, broken bytes, replays), mostly signed by a registered
   test BAP so they reach every stage; each ACKed one processed into its callback; then
   the 2.0 ones (tests/support/fuzz/cases_v2.py: the 2.0 journeys and DEG's 2.0 examples,
   mutated, posted to /beckn/v2/<action>), each callback checked against 2.0's schema;
2. schemathesis cases from the core 1.1.0 OpenAPI for the ten request endpoints;
3. schemathesis cases for every DRF endpoint of /api/schema/ as each role of one operator;
4. hostile raw bodies to every DRF POST endpoint and hostile pricing documents to the
   import, half each (tests/support/fuzz/inputs.py).

Prints the counts by outcome; exits 1 if any answer was a 5xx or not a Beckn ACK/NACK
(or, for the API, not JSON), or any ACKed message crashed its processing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cpo_prove"


def configure() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")
    os.environ.setdefault("SECRET_KEY", "fuzz-only-" + "x" * 40)
    os.environ.setdefault("DEBUG", "0")  # DEBUG would keep every query in memory
    os.environ.setdefault("BEHIND_TLS", "0")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    # every ACKed message is processed in this process, as the tests' runs are: no worker
    # host beats, and admission must not refuse for want of one
    os.environ.setdefault("BECKN_ADMIT_WITHOUT_WORKERS", "1")
    # nor for the BAP's backlog: the callbacks are judged, never delivered, so they would
    # count as waiting for ever (tests/support/fuzz/run.py: quiet_queues)
    os.environ.setdefault("BECKN_MAX_PENDING_PER_BAP", "0")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # 4xx warnings by the thousand; errors still show


def hypothesis_run(examples: int, seed: int, strategy, fire, label: str) -> None:
    if examples <= 0:  # e.g. --messages 0: that run is left out
        return
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    done = [0]
    started = time.perf_counter()

    @fixed_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case):
        fire(case)
        done[0] += 1
        if done[0] % 1000 == 0:
            rate = done[0] / (time.perf_counter() - started)
            print(f"  {label}: {done[0]} cases ({rate:.0f}/s)", file=sys.stderr, flush=True)

    run()


def fuzz_beckn(args, client) -> tuple[bool, str]:
    from tests.support.fuzz.cases import beckn_shots
    from tests.support.fuzz.cases_v2 import beckn_v2_shots
    from tests.support.fuzz.run import Target, quiet_queues, report
    from tests.support.fuzz.schema import schema_shots
    from tests.support.fuzz.world import build_world

    world, keys = build_world()
    target = Target(client, world, keys, seed=args.seed)
    families: Counter = Counter()

    def fire(shot):
        families[shot.family] += 1
        target.fire(shot)

    started = time.perf_counter()
    with quiet_queues():
        hypothesis_run(args.messages, args.seed, beckn_shots(world), fire, "messages")
        if args.messages_v2:
            hypothesis_run(args.messages_v2, args.seed, beckn_v2_shots(world), fire, "2.0")
        if args.schema:
            hypothesis_run(args.schema, args.seed, schema_shots(world), fire, "schema")
    seconds = time.perf_counter() - started
    text = report(target, seconds, families)
    for outcome, shot, detail in target.failures[:20]:
        text += f"\n  {outcome} [{shot.family} /{shot.action}] {' '.join(detail.split())[:160]}"
    return not target.failures, text


def fuzz_api(args) -> tuple[bool, str]:
    from hypothesis import strategies as st
    from rest_framework.authtoken.models import Token

    from cpo_portal.models import Operator
    from cpo_portal.wsgi import application
    from tests.support.fuzz.api import ApiTarget, api_cases, api_schema, kept_connections

    operator = Operator.objects.get(code="cpo-a.example")
    users = {m.role: m.user for m in operator.memberships.select_related("user")}
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.filter(is_superuser=True).first()
    if superuser is not None:
        users["superuser"] = superuser
    target = ApiTarget(
        {str(k): Token.objects.get_or_create(user=u)[0].key for k, u in users.items()}
    )
    started = time.perf_counter()
    with kept_connections():
        schema = api_schema(application)
        strategy = st.tuples(api_cases(schema), st.sampled_from([*target.tokens, "anonymous"]))
        hypothesis_run(args.api, args.seed, strategy, lambda pair: target.fire(*pair), "api")
    seconds = time.perf_counter() - started
    lines = [f"{'API answers':<64} {'count':>7}"]
    for label, count in sorted(target.tally.items()):
        lines.append(f"  {label[:62]:<62} {count:>7}")
    total = sum(target.tally.values())
    lines.append(f"\n{total} API requests in {seconds:.1f}s; {len(target.failures)} failures")
    lines += [f"  {label}: {what}" for label, what in target.failures[:20]]
    return not target.failures, "\n".join(lines)


def fuzz_inputs(args) -> tuple[bool, str]:
    from hypothesis import strategies as st
    from rest_framework.test import APIClient

    from cpo_portal.models import Operator
    from cpo_portal.wsgi import application
    from offers.services.config.exporting import export_pricing
    from tests.support.fuzz.api import api_schema, kept_connections
    from tests.support.fuzz.inputs import (
        API_BODIES,
        Tally,
        document_cases,
        fire_api,
        fire_document,
        post_paths,
    )

    operator = Operator.objects.get(code="cpo-a.example")
    client = APIClient()
    client.force_authenticate(operator.memberships.select_related("user")[0].user)
    tally = Tally()
    started = time.perf_counter()
    with kept_connections():
        paths = post_paths(api_schema(application))
    bodies = st.tuples(st.sampled_from(paths), API_BODIES)
    hypothesis_run(
        args.inputs // 2, args.seed, bodies, lambda p: fire_api(client, p[0], p[1], tally), "api"
    )
    documents = document_cases(export_pricing(operator))
    hypothesis_run(args.inputs - args.inputs // 2, args.seed, documents,
                   lambda text: fire_document(operator, text, tally), "pricing")  # fmt: skip
    seconds = time.perf_counter() - started
    lines = [f"{'Hostile inputs':<64} {'count':>7}"]
    lines += [f"  {label[:62]:<62} {n:>7}" for label, n in sorted(tally.counts.items())]
    lines.append(f"\n{sum(tally.counts.values())} inputs in {seconds:.1f}s; "
                 f"{len(tally.failures)} failures")  # fmt: skip
    lines += [f"  {line}" for line in tally.failures[:20]]
    return not tally.failures, "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=8000, help="hypothesis Beckn messages")
    parser.add_argument("--messages-v2", type=int, default=2000, help="hypothesis 2.0 messages")
    parser.add_argument("--schema", type=int, default=2000, help="schemathesis Beckn cases")
    parser.add_argument("--api", type=int, default=1000, help="schemathesis DRF API cases")
    parser.add_argument("--inputs", type=int, default=1000, help="hostile API bodies, documents")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    configure()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"fuzz_{db['NAME']}"
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    if connection.vendor == "postgresql":  # a throwaway database: no need to wait for fsync
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    print(f"database: {connection.vendor} (throwaway {connection.settings_dict['NAME']})")
    overrides = override_settings(
        BECKN_SUBSCRIBER_ID="bpp.fuzz.example",
        BECKN_SUBSCRIBER_URI="https://bpp.fuzz.example/beckn",
        BECKN_VERIFY_SIGNATURES=True,
        BECKN_ALLOW_PRIVATE_CALLBACKS=False,
        BECKN_REGISTRY_URL="",
    )
    try:
        with overrides:
            ok_beckn, beckn_text = fuzz_beckn(args, Client())
            print(beckn_text, flush=True)
            ok_api, api_text = fuzz_api(args) if args.api else (True, "")
            print("\n" + api_text)
            ok_inputs, inputs_text = fuzz_inputs(args) if args.inputs else (True, "")
            print("\n" + inputs_text)
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
        teardown_test_environment()
    total = args.messages + args.messages_v2 + args.schema + args.api + args.inputs
    ok = ok_beckn and ok_api and ok_inputs
    print(f"\n{total} cases in all; {'no failures' if ok else 'FAILURES'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
