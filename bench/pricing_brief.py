"""The pricing manager's whole brief in a real browser, in user actions and seconds.

    python bench/pricing_brief.py [--db pricing_brief_bench] [--broker URL] [--prefix P:]
                                  [--user cpo1-pricing] [--shots DIR]

Starts the product as the browser tests do (pytest-django's live server over a database
with `seed_demo`'s data, the Celery worker of the Procfile for the what-if), signs in as a
pricing manager of the demo operator and drives Debian's Chromium with Playwright through
the brief:

1. a new 15 % evening offer with a code customers present and a money budget;
2. a session priced in the price tool with and without it;
3. a new surge rule;
4. the week view of surges;
5. a what-if of the new offer, read to its result;
6. the operator's pricing exported, one value changed in the file, the import dry-run
   (preview), then applied.

Every user action (click, fill, select, check, upload, a typed navigation, the one edit in
a text editor) goes through `Actions` (bench/pricing_brief_actions.py), which counts it.
Each step is timed by the wall clock and the brief is the sum of its steps: the time the
product and the browser take to answer a user who never hesitates (no reading or typing
time), without the server start, the seed, or the sign-in (shown on a row of its own). A
step the UI cannot do is reported as such, never done behind the page's back.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgdb
from bench.pricing_brief_actions import Actions, Step

BEFORE_ACTIONS = 70  # the brief by hand before the readable pages: about 70 actions (no seconds)
OFFER_CODE = "brief-evening-15"
OFFER_TITLE = "15 % off evenings"
SURGE_CODE = "brief-evening-surge"
STATIC_PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"
SESSION_START = "2025-10-15T19:30"  # a Wednesday evening inside the demo's history


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--db", default="pricing_brief_bench", help="database (seeded once)")
    parser.add_argument(
        "--broker", default=env("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"), help="Redis"
    )
    parser.add_argument("--prefix", default=env("CELERY_KEY_PREFIX", "pricing-brief:"))
    parser.add_argument("--user", default="cpo1-pricing", help="demo pricing manager")
    parser.add_argument("--shots", default="", help="folder for a screenshot after each step")
    return parser.parse_args()


def prepare(args: argparse.Namespace) -> None:
    """Database migrated and seeded (seed_demo once), the brief's own rows of an earlier
    run removed, the pricing manager's password the browser tests' one."""
    url = pgdb.url_for(args.db)
    pgdb.ensure(url)
    pgdb.setup(url, CELERY_BROKER_URL=args.broker, CELERY_KEY_PREFIX=args.prefix)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    if not get_user_model().objects.filter(username=args.user).exists():
        call_command("seed_demo", no_progress=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from offers.models import Offer
    from pricing.models import SurgeRule
    from tests.analytics.browser.conftest import PASSWORD

    Offer.objects.filter(code=OFFER_CODE).delete()
    SurgeRule.objects.filter(code=SURGE_CODE).delete()
    user = get_user_model().objects.get(username=args.user)
    user.set_password(PASSWORD)  # the browser tests' sign-in (log_in) types this one
    user.save()


def start_worker(args: argparse.Namespace, logdir: Path):
    from tests.support.procs import Process

    env = {**os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE": ""}
    argv = [sys.executable, "-m", "celery", "-A", "cpo_portal", "worker", "--concurrency", "1",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--hostname", f"brief-{os.getpid()}@%h"]  # fmt: skip
    return Process("worker", argv, env, logdir / "worker.log", ready="ready.").start()


def first_charger(username: str) -> str:
    from django.contrib.auth import get_user_model

    from cpo_portal import tenancy
    from cpo_portal.models import Charger

    user = get_user_model().objects.get(username=username)
    charger = tenancy.scope(Charger.objects.all(), user, tenancy.PRICING_EDITORS).first()
    if charger is None:
        raise SystemExit(f"{username} sees no charger: is the database seeded (seed_demo)?")
    return charger.code


def form_errors(page) -> str:
    rows = page.locator(".form-row.errors, .errornote").all_inner_texts()
    return "form errors: " + " | ".join(" ".join(r.split()) for r in rows)[:300]


def text(page, selector: str) -> str:
    return " ".join(page.inner_text(selector).split())


def brief(act: Actions, steps: list[Step], charger: str, workdir: Path, shots: str) -> None:
    page = act.page

    def run(step: Step, body: Callable[[], None]) -> None:
        before, t0 = act.count, time.perf_counter()
        try:
            body()
        except Exception as exc:  # a step that fails is reported, not hidden
            step.failed = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        step.seconds = time.perf_counter() - t0
        step.actions = act.count - before
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{len(steps) + 1}.png", full_page=True)
        steps.append(step)

    def every_day(name: str, step: Step) -> None:
        """The add forms start with no day ticked: the "Every day" button ticks them."""
        boxes = page.locator(f"input[name={name}]")
        if all(boxes.nth(i).is_checked() for i in range(boxes.count())):
            return
        act.click(f"div.weekdays:has(input[name={name}]) button:has-text('Every day')")
        step.notes.append("no day ticked at first: one click on Every day")

    def offer() -> None:
        s = current
        act.go("/admin/offers/offer/add/")
        act.fill("#id_code", OFFER_CODE)
        act.fill("#id_title", OFFER_TITLE)
        act.select("#id_status", "active")
        act.select("#id_benefit_kind", "percent")
        act.fill("#id_percent", "15")
        act.select("#id_base", "energy")
        every_day("days_of_week", s)
        act.fill("#id_window_start", "18:00")
        act.fill("#id_window_end", "22:00")
        if page.is_checked("#id_auto"):
            act.check("#id_auto", False)  # customers present the code
        act.fill("#id_budget", "5000")
        act.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success, .errornote")
        if page.locator(".errornote").count():
            raise RuntimeError(form_errors(page))

    def preview() -> None:
        s = current
        act.go("/admin/offers/offer/simulate/")
        act.pick("id_charger", charger)
        act.fill("#id_start", SESSION_START)
        act.fill("#id_kwh", "20")
        act.pick("id_offers", OFFER_CODE)
        act.click("input[type=submit][value='Price it']")
        page.wait_for_selector("table.quote-compare, .errornote")
        if page.locator(".errornote").count():
            raise RuntimeError(text(page, ".errornote"))
        s.notes.append(f"with {text(page, '#total-with')}")
        if page.locator("#total-otherwise").count():
            s.notes.append(f"otherwise (automatic offers) {text(page, '#total-otherwise')}")
        if page.locator("#total-without").count():
            s.notes.append(f"without {text(page, '#total-without')} (one run, side by side)")

    def surge() -> None:
        act.go("/admin/pricing/surgerule/add/")
        if page.is_visible("#id_operator") and not page.eval_on_selector(
            "#id_operator", "e => e.value"
        ):
            act.select("#id_operator", index=1)
        act.fill("#id_code", SURGE_CODE)
        act.select("#id_kind", "peak")
        act.fill("#id_name", "Evening peak")
        act.select("#id_form", "percent")
        act.fill("#id_amount", "10")
        act.fill("#id_window_start", "18:00")
        act.fill("#id_window_end", "21:00")
        every_day("window_days", current)
        act.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success, .errornote")
        if page.locator(".errornote").count():
            raise RuntimeError(form_errors(page))

    def week() -> None:
        act.go("/admin/pricing/surgerule/week/")
        page.wait_for_load_state()
        if SURGE_CODE not in page.content() and "Evening peak" not in page.content():
            current.notes.append("the new rule is not named on the week view")

    def what_if() -> None:
        s = current
        act.go("/admin/offers/offer/?q=" + OFFER_CODE)
        act.click(f"#result_list a:has-text('{OFFER_TITLE}')")
        act.click(".object-tools a:has-text('What-if')")
        page.wait_for_selector("#id_date_from")
        if page.locator("#whatif-limits").count():
            s.notes.append("warns: " + text(page, "#whatif-limits")[:120])
        # the form starts on the last 30 days: the dates need no action
        if page.locator("#id_presented_share").count():
            act.fill("#id_presented_share", "30")
        act.click("input[type=submit][value='Run the what-if']")
        page.wait_for_url("**/change/")
        page.wait_for_selector("table.whatif-summary", timeout=180_000)
        for key in ("whatif-sessions", "whatif-redemptions", "whatif-presented"):
            if page.locator(f"#{key}").count():
                s.notes.append(f"{key.split('-')[1]}: {text(page, '#' + key)[:60]}")

    def export_import() -> None:
        s = current
        t0 = time.perf_counter()
        act.go("/admin/offers/offer/pricing/export/")
        doc = act.download("input[type=submit][value=Download]", workdir)
        t_export = time.perf_counter()
        pattern = re.compile(r"(percent: ['\"]?)15(\.0+)?(['\"]?)")
        original = doc.read_text()
        block = original[original.find(OFFER_CODE) :]
        if not pattern.search(block):
            raise RuntimeError("the exported file has no 15 % for the new offer")

        def change(text_: str) -> str:
            at = text_.find(OFFER_CODE)
            return text_[:at] + pattern.sub(r"\g<1>12\g<3>", text_[at:], count=1)

        act.edit_file(doc, change)
        act.go("/admin/offers/offer/pricing/import/")
        if not page.eval_on_selector("#id_operator", "e => e.value"):
            act.select("#id_operator", index=1)
        act.upload("#id_file", doc)
        t_upload = time.perf_counter()
        act.click("input[type=submit][value=Preview]")
        page.wait_for_selector("pre.pricing-plan, .errornote, h2")
        t_preview = time.perf_counter()
        if page.locator(".errornote").count():
            raise RuntimeError(text(page, ".errornote"))
        plan = text(page, "#content-main h2")
        s.notes.append(plan[:90])
        act.click("input[type=submit][value=Apply]")
        page.wait_for_selector(".messagelist .success, .errornote")
        if page.locator(".errornote").count():
            raise RuntimeError(text(page, ".errornote"))
        t_apply = time.perf_counter()
        s.notes.append(
            f"export {t_export - t0:.1f} s, dry run {t_preview - t_upload:.1f} s, "
            f"apply {t_apply - t_preview:.1f} s"
        )
        from offers.models import Offer

        s.notes.append(f"the offer now gives {Offer.objects.get(code=OFFER_CODE).percent} %")

    plan = [
        ("1 new 15 % evening offer, code, budget", offer),
        ("2 price tool with and without it", preview),
        ("3 new surge rule", surge),
        ("4 week view", week),
        ("5 what-if of the offer, result read", what_if),
        ("6 export, edit, dry-run, import", export_import),
    ]
    for name, body in plan:
        current = Step(name)
        run(current, body)


def main() -> None:
    from tests.browser import CHROMIUM

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is not installed (apt-get install chromium)")
    args = parse()
    prepare(args)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # ORM beside Playwright's sync loop
    from django.conf import settings
    from django.test.utils import override_settings
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    from tests.browser import ARGS

    charger = first_charger(args.user)
    workdir = Path(tempfile.mkdtemp(prefix="pricing-brief-"))
    worker = start_worker(args, workdir)
    # The live server serves static files from the finders, as in the browser tests: the
    # plain storage they run with, not the production manifest (whitenoise serves that).
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_PLAIN}}
    override = override_settings(STORAGES=plain)
    override.enable()
    server = LiveServer("127.0.0.1:0")
    steps: list[Step] = []
    try:
        worker.wait_ready(120)
        load_before = pgdb.load_average()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            context = browser.new_context(
                viewport={"width": 1366, "height": 768}, accept_downloads=True
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            act = Actions(page, server.url)
            signed_in = sign_in(act, args.user)
            brief(act, steps, charger, workdir, args.shots)
            browser.close()
    finally:
        server.stop()
        override.disable()
        worker.stop()
    report(signed_in, steps, load_before, args)


def sign_in(act: Actions, username: str) -> Step:
    """The admin's sign-in form, as the browser tests fill it (their log_in), counted."""
    from tests.analytics.browser.conftest import PASSWORD

    step, t0 = Step("0 sign in (not part of the brief's totals)"), time.perf_counter()
    act.go("/admin/login/?next=/admin/")
    act.fill("#id_username", username)
    act.fill("#id_password", PASSWORD)
    act.click("input[type=submit]")
    act.page.wait_for_load_state()
    step.seconds, step.actions, act.count = time.perf_counter() - t0, act.count, 0
    return step


def report(signed_in: Step, steps: list[Step], load: str, args) -> None:
    actions = sum(step.actions for step in steps)
    total = sum(step.seconds for step in steps)  # screenshots (--shots) fall between steps
    print(f"pricing manager's brief as {args.user}, Chromium 1366x768, {platform.node()}")
    print(f"load average before: {load}; after: {pgdb.load_average()}; {os.cpu_count()} CPUs")
    print()
    print("| step | actions | seconds | notes |")
    print("| --- | ---: | ---: | --- |")
    for step in [signed_in, *steps]:
        notes = "; ".join(step.notes)
        if step.failed:
            notes = f"NOT DONE through the UI: {step.failed}" + (f"; {notes}" if notes else "")
        print(f"| {step.name} | {step.actions} | {step.seconds:.1f} | {notes} |")
    print(
        f"| **whole brief** | **{actions}** | **{total:.1f}** | before: about "
        f"{BEFORE_ACTIONS} actions (before the readable pages), no seconds |"
    )


if __name__ == "__main__":
    main()
