"""Server time and query count of every admin page, the admin's tools, the analytics
dashboards and sign-in, at the demo data size.

    python bench/pages.py [--repeat 5] [--user cpo1-pricing] [--db pages_bench] [--reuse]

A PostgreSQL database of its own (the name must contain "bench"; dropped and created
afresh unless --reuse) gets `migrate` and `seed_demo`. Each page is requested through
Django's test client, so the whole middleware stack runs (sessions, CSP, axes, tenancy),
signed in as `--user`: one warm-up request, then the median of `--repeat` timed ones and
the queries of the last. Sign-in posts the real form with the production password hasher;
the hasher's own cost (one `check_password`) is measured beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgdb

PASSWORD = "bench-pages-password-1"  # a throwaway database's demo users
TARGET_MS = 300.0


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--user", default="cpo1-pricing", help="demo user to sign in as")
    parser.add_argument("--db", default="pages_bench", help="database name (with 'bench')")
    parser.add_argument("--reuse", action="store_true", help="keep the database if seeded")
    parser.add_argument("--only", default="", help="pages whose name contains this")
    return parser.parse_args()


def prepare(args: argparse.Namespace) -> None:
    url = pgdb.url_for(args.db)
    if "bench" not in args.db:
        raise SystemExit("the database name must contain 'bench'")
    if not args.reuse:
        pgdb.recreate(url)
    else:
        pgdb.ensure(url)
    static = pgdb.ROOT / "var" / "bench-static"  # the manifest the production storage reads
    pgdb.setup(url, AXES_ENABLED="1", STATIC_ROOT=str(static))
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # new or changed files

    if not get_user_model().objects.filter(username=args.user).exists():
        call_command("seed_demo", no_progress=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    for user in get_user_model().objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def timed(fn, *a, **kw):
    began = time.perf_counter()
    value = fn(*a, **kw)
    return value, (time.perf_counter() - began) * 1000


def admin_urls(user) -> list[tuple[str, str]]:
    """Every registered model's change list, add form (when the user may add) and the
    change form of its first visible row."""
    from django.apps import apps
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import NoReverseMatch, reverse

    request = RequestFactory().get("/admin/")
    request.user = user
    out = []
    registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
    for model in sorted(registered, key=lambda model: model._meta.label):
        model_admin = admin.site.get_model_admin(model)
        if not model_admin.has_view_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        label = model._meta.label
        try:
            out.append((f"{label} list", reverse("admin:{}_{}_changelist".format(*info))))
        except NoReverseMatch:
            continue
        if model_admin.has_add_permission(request):
            out.append((f"{label} add", reverse("admin:{}_{}_add".format(*info))))
        first = model_admin.get_queryset(request).order_by("pk").values_list("pk", flat=True)[:1]
        if first:
            url = reverse("admin:{}_{}_change".format(*info), args=[first[0]])
            out.append((f"{label} change", url))
    return out


def tool_urls(user) -> list[tuple[str, str]]:
    from django.urls import reverse
    from django.utils import timezone

    from cpo_portal import tenancy
    from cpo_portal.models import Charger
    from offers.models import Offer

    charger = tenancy.scope(Charger.objects.order_by("pk"), user, tenancy.ALL_ROLES).first()
    offer = tenancy.scope(Offer.objects.order_by("pk"), user, tenancy.ALL_ROLES).first()
    start = timezone.localtime().replace(hour=18, minute=30).strftime("%Y-%m-%dT%H:%M")
    ask = f"charger={charger.pk}&start={start}" if charger else ""
    simulate = reverse("admin:offers_offer_simulate")
    preview = reverse("admin:offers_offer_simulate")
    out = [
        ("preview (empty)", preview),
        ("preview 30 kWh", f"{preview}?{ask}&kwh=30"),
        ("preview ₹500", f"{preview}?{ask}&amount=500"),
        ("simulate (empty)", simulate),
        ("simulate, offer opted in", f"{simulate}?{ask}&kwh=30&offers={offer.pk if offer else ''}"),
        ("week view", reverse("admin:pricing_surgerule_week")),
        ("ROI dashboard", reverse("analytics:roi")),
        ("surge dashboard", reverse("analytics:surge")),
        ("change log", reverse("change-log")),
        ("change log, page 3", reverse("change-log") + "?p=3"),
    ]
    if offer is not None:
        out.append(("offer drill-down", reverse("analytics:offer", args=[offer.pk])))
    return out


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _first, first_ms = timed(client.get, url)
    samples = []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(repeat):
            response, ms = timed(client.get, url)
            samples.append(ms)
    return {
        "status": response.status_code,
        "first_ms": first_ms,
        "median_ms": statistics.median(samples),
        "queries": len(queries) // repeat,
    }


def sign_in(username: str, repeat: int) -> dict:
    """The real form post (axes, the password hasher, the session), and the hasher alone."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("admin:login")
    user = get_user_model().objects.get(username=username)
    hasher = statistics.median(timed(user.check_password, PASSWORD)[1] for _ in range(repeat))
    samples, queries = [], 0
    for _ in range(repeat + 1):
        client = Client()
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response, ms = timed(
                client.post, url, {"username": username, "password": PASSWORD, "next": "/admin/"}
            )
        if response.status_code != 302:
            raise SystemExit(f"sign-in failed: {response.status_code}")
        samples.append(ms)
        queries = len(captured)
    return {
        "status": 302,
        "first_ms": samples[0],
        "median_ms": statistics.median(samples[1:]),
        "queries": queries,
        "hasher_ms": hasher,
    }


def row(name: str, got: dict, baseline_ms: float) -> str:
    """One Markdown table row: page, status, median, x the baseline, first request, queries."""
    times = got["median_ms"] / baseline_ms if baseline_ms else 0.0
    return (
        f"| {name:44} | {got['status']:3} | {got['median_ms']:7.1f} | {times:5.1f} | "
        f"{got['first_ms']:7.1f} | {got['queries']:4} |"
    )


def main() -> None:
    args = parse()
    prepare(args)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher
    from django.test import Client

    from offers.models import Redemption

    user = get_user_model().objects.get(username=args.user)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    # The admin index (the middleware, the session, one template) is the run's baseline.
    pages = [("baseline: admin index", "/admin/"), *admin_urls(user), *tool_urls(user)]
    pages = [(n, u) for n, u in pages if args.only.lower() in n.lower()]
    rows = []
    print("| page | status | median ms | x baseline | first ms | queries |")
    print("|---|---|---|---|---|---|")
    baseline_ms = 0.0
    for name, url in pages:
        got = measure(client, url, args.repeat)
        baseline_ms = baseline_ms or got["median_ms"]
        rows.append((name, got))
        flag = "" if got["median_ms"] <= TARGET_MS else "  SLOW"
        print(row(name, got, baseline_ms) + flag, flush=True)
    login = sign_in(args.user, args.repeat)
    print(row("sign-in (form post)", login, baseline_ms))
    print(
        f"password hasher alone ({get_hasher().algorithm}, one check): "
        f"{login['hasher_ms']:.1f} ms; sign-in less the hasher: "
        f"{login['median_ms'] - login['hasher_ms']:.1f} ms"
    )
    slow = [n for n, g in rows if g["median_ms"] > TARGET_MS or g["status"] >= 400]
    print()
    print(
        f"{len(rows)} pages as {args.user}; {len(slow)} over {TARGET_MS:.0f} ms or failing: "
        f"{', '.join(slow) or 'none'}"
    )
    print(
        f"data: {Redemption.objects.count()} ledger rows; machine {platform.machine()} "
        f"{os.cpu_count()} CPUs, load {pgdb.load_average()}; DEBUG={settings.DEBUG}"
    )


if __name__ == "__main__":
    main()
