"""The admin under the enforced CSP in a real browser: no violation, scripts still work.

Headless Chromium (Debian's) through Playwright; skipped where either is missing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page, violations
    context.close()


def test_admin_pages_run_without_csp_violations(live_server, settings, network, browser_page):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain-HTTP server
    page, violations = browser_page
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    crontab = CrontabSchedule.objects.create(minute="*/5")
    task = PeriodicTask.objects.create(name="demo", task="demo.task", interval=every)

    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))

    urls = [
        reverse("admin:index"),
        reverse("admin:cpo_portal_station_changelist"),
        reverse("admin:cpo_portal_station_change", args=[network.station_a.pk]),
        reverse("admin:cpo_portal_charger_change", args=[network.charger_a.pk]),
        reverse("admin:cpo_portal_charger_add"),
        reverse("admin:cpo_portal_holiday_changelist"),
        reverse("admin:cpo_portal_station_history", args=[network.station_a.pk]),
        reverse("admin:auth_user_change", args=[network.superuser.pk]),
        reverse("admin:password_change"),
        reverse("admin:offers_offer_simulate"),  # searchable pickers (select2)
        reverse("admin:pricing_tariff_add"),  # weekday boxes in the band rows
    ]
    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")

    # The periodic task form's script (a static file now) still does its job.
    page.goto(
        live_server.url + reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    )
    assert page.is_hidden(".field-crontab_translation")
    page.select_option("#id_crontab", str(crontab.pk))
    help_text = page.inner_text(".field-crontab .help")
    assert "Translation: " in help_text
    assert "5 minutes" in help_text

    # The offer form's weekday quick choice ticks the boxes (static/pricing/weekdays.js).
    page.goto(live_server.url + reverse("admin:offers_offer_add"))
    page.click(".field-days_of_week .weekday-presets button:text('Weekends')")
    ticked = [page.is_checked(f"#id_days_of_week_{day}") for day in range(7)]
    assert ticked == [False] * 5 + [True] * 2
    page.click(".field-days_of_week .weekday-presets button:text('Every day')")
    assert all(page.is_checked(f"#id_days_of_week_{day}") for day in range(7))

    assert violations == []
