"""Check this host's settings for mistakes that only show on several hosts, and compare
them with other hosts' (their /healthz). One line per problem; exit status 1 if any."""

from __future__ import annotations

from django.core.management.base import CommandError

from cpo_portal.deploy.hosts import differences, fingerprint, local_problems
from cpo_portal.formatting.number_inputs import whole_number_option
from cpo_portal.management.product_command import ProductCommand
from cpo_portal.outbound import transport

HEALTHZ_MAX_BYTES = 100_000
MAX_TIMEOUT = 60  # seconds to wait for one host's /healthz


def fetch_fingerprint(base: str, timeout: float) -> dict[str, str]:
    """The settings fingerprint another host's /healthz reports (a 503, unhealthy, still
    says it); ValueError when it cannot be asked or does not answer with one."""
    try:
        answer = transport.request(
            "GET",
            base.rstrip("/") + "/healthz",
            allow_private=True,  # the deployment's own hosts
            deadline=timeout,
            connect_timeout=timeout,
            read_timeout=timeout,
            max_bytes=HEALTHZ_MAX_BYTES,
        )
    except transport.FAILURES as exc:
        raise ValueError(transport.reason(exc)) from None
    body = answer.json_body()
    if not isinstance(body, dict):
        raise ValueError(f"HTTP {answer.status}, not a JSON object")
    settings = body.get("settings")
    return settings if isinstance(settings, dict) else {}


class Command(ProductCommand):
    help = (
        "Check this host's settings for multi-host mistakes (SQLite, a local broker, a "
        "per-process cache, local sessions, eager tasks) and, with --host, compare the "
        "settings each host reports on /healthz (secrets, database, broker, cache)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            metavar="URL",
            help="Another host's base URL (http://10.0.0.12:8000); repeat for more.",
        )
        parser.add_argument(
            "--timeout",
            type=whole_number_option(1, MAX_TIMEOUT, "seconds"),
            default=5,
            help=f"Seconds to wait for each host's /healthz (1 to {MAX_TIMEOUT}).",
        )

    def handle(self, *args, host, timeout, **options):
        problems = local_problems()
        mine = fingerprint()
        for base in host:
            try:
                theirs = fetch_fingerprint(base, timeout)
            except ValueError as exc:
                problems.append(f"{base}: no answer from /healthz ({exc})")
                continue
            if not theirs:
                problems.append(f"{base}: /healthz reports no settings fingerprint")
                continue
            for name in differences(mine, theirs):
                problems.append(f"{base}: {name.replace('_', ' ')} differs from this host's")
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) for a multi-host deployment.")
        self.stdout.write(f"No multi-host problems ({len(host)} other host(s) compared).")
