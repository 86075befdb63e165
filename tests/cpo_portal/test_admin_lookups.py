"""What no database can look up (a date hierarchy at the end of the calendar, NUL, an
integer beyond 64 bits) is a wrong lookup or a form error in the admin, on either database,
never a 500 (cpo_portal.web.admin_site): every change list, the project's and the
libraries', shows the list again (`?e=1`); a form sent back with such an id shows its
error, in a row of an inline too; the price tool takes it as no choice. A percentage that is
no number, and a schedule Celery cannot read, are form errors as well."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import DateTimeField
from django.test import Client
from django.urls import reverse

from cpo_portal.web.admin_site import BoundedLookups, ProductAdminSite


def change_lists() -> list[tuple[str, admin.ModelAdmin]]:
    found = []
    for model in apps.get_models():
        if admin.site.is_registered(model):
            info = (model._meta.app_label, model._meta.model_name)
            url = reverse("admin:{}_{}_changelist".format(*info))
            found.append((url, admin.site.get_model_admin(model)))
    return found


def hierarchies() -> list[tuple[str, str, bool]]:
    """(change list, date hierarchy field, whether it is a date-time field)."""
    found = []
    for model in apps.get_models():
        if admin.site.is_registered(model):
            field = admin.site.get_model_admin(model).date_hierarchy
            if field:
                info = (model._meta.app_label, model._meta.model_name)
                moments = isinstance(model._meta.get_field(field), DateTimeField)
                found.append((reverse("admin:{}_{}_changelist".format(*info)), field, moments))
    return found


def test_the_site_is_the_product_s_and_every_admin_on_it_is_bounded():
    assert isinstance(admin.site, ProductAdminSite)
    assert admin.site.site_header == "CPO offers portal"
    for model in apps.get_models():
        if admin.site.is_registered(model):
            assert isinstance(admin.site.get_model_admin(model), BoundedLookups), model
    assert len(hierarchies()) > 10  # Celery beat's periodic tasks among them


@pytest.mark.django_db
def test_the_first_and_last_years_of_the_calendar_are_a_wrong_lookup_not_a_500():
    """Year 9999 ends past Python's calendar; year 1 of a date-time field starts, in the
    site's zone east of UTC, in year 0 in UTC (a 500 on SQLite). A date field's year 1 is
    a plain date, and lists."""
    superuser = get_user_model().objects.create_superuser("dates", "d@x.example", "x" * 20)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    wrong = []
    for url, field, moments in hierarchies():
        for asked in ({"__year": "9999"}, {"__year": "9999", "__month": "12"},
                      {"__year": "9999", "__month": "12", "__day": "31"},
                      {"__year": "1"}, {"__year": "1", "__month": "1"},
                      {"__year": "1", "__month": "1", "__day": "1"}):  # fmt: skip
            query = {f"{field}{suffix}": value for suffix, value in asked.items()}
            response = client.get(url, query)
            refused = response.status_code == 302 and response["Location"].endswith("?e=1")
            listed = asked["__year"] == "1" and not moments and response.status_code == 200
            if not (refused or listed):
                wrong.append(f"{url} {query}: {response.status_code}")
        assert client.get(url, {f"{field}__year": "2025"}).status_code == 200, url
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["a\x00b", "99999999999999999999999", "1,-99999999999999999999"])
def test_a_filter_value_no_database_can_match_is_a_wrong_lookup_not_a_500(value):
    """NUL: PostgreSQL refuses it in any text; an integer beyond 64 bits: SQLite cannot
    bind it. Asked of every list filter that names a field."""
    superuser = get_user_model().objects.create_superuser("values", "v@x.example", "x" * 20)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    wrong, asked = [], 0
    for url, model_admin in change_lists():
        for entry in model_admin.list_filter:
            name = entry if isinstance(entry, str) else None
            for param in (name, f"{name}__exact") if name else ():
                asked += 1
                response = client.get(url, {param: value})
                if response.status_code != 302 or not response["Location"].endswith("?e=1"):
                    wrong.append(f"{url}?{param}: {response.status_code}")
    assert asked > 40 and wrong == []


HUGE = "99999999999999999999999"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("admin:pricing_tariff_add", {"code": "t", "station": HUGE, "charger": HUGE}),
        ("admin:offers_offer_add", {"code": "o", "stations": [HUGE, "1"], "chargers": HUGE}),
        ("admin:cpo_portal_charger_add", {"code": "c", "station": HUGE}),
        ("admin:pricing_surgerule_add", {"code": "s", "stations": HUGE}),
    ],
)
def test_a_form_sent_back_with_an_id_no_database_can_match_shows_its_error(network, url, data):
    client = Client(raise_request_exception=False)
    client.force_login(network.admin_a)  # the operator's admin: may add each of them
    response = client.post(reverse(url), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors


@pytest.mark.django_db
@pytest.mark.parametrize("param", ["charger", "offer", "offers", "station"])
def test_the_price_tool_takes_such_an_id_as_no_choice(network, param):
    client = Client(raise_request_exception=False)
    client.force_login(network.pricing_a)
    response = client.get(reverse("admin:offers_offer_simulate"), {param: HUGE})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\u00b2", HUGE, "a\x00b"])
def test_an_inline_row_sent_back_with_such_an_id_shows_its_error(network, value):
    client = Client(raise_request_exception=False)
    client.force_login(network.admin_a)
    rows = {"availability-TOTAL_FORMS": "1", "availability-INITIAL_FORMS": "0"}
    data = {"code": "a", **rows, "availability-0-station": value}
    response = client.post(reverse("admin:offers_addon_add"), data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["station"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["NaN", "-Infinity"])
def test_a_percentage_that_is_no_number_is_refused_as_such(network, value):
    client = Client(raise_request_exception=False)
    client.force_login(network.admin_a)
    response = client.post(reverse("admin:pricing_tariff_add"), {"code": "t", "tax_rate": value})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tax_rate"] == ["Enter a number."]


@pytest.mark.django_db
def test_celery_beat_s_forms_refuse_what_celery_cannot_read():
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    root = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client(raise_request_exception=False)
    client.force_login(root)
    cron = {"minute": "-1", "hour": "*", "day_of_month": "*", "month_of_year": "*",
            "day_of_week": "*", "timezone": "UTC"}  # fmt: skip
    response = client.post(reverse("admin:django_celery_beat_crontabschedule_add"), cron)
    assert response.status_code == 200 and not CrontabSchedule.objects.exists()
    (said,) = response.context["adminform"].form.errors["minute"]
    assert said.startswith("Celery cannot read it: ")
    task = {"name": "n", "task": "a\x00b", "enabled": "on"}
    response = client.post(reverse("admin:django_celery_beat_periodictask_add"), task)
    assert response.status_code == 200 and not PeriodicTask.objects.filter(name="n").exists()
    assert response.context["adminform"].form.errors["task"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\u00b2", HUGE, "a\x00b"])
def test_a_bulk_action_on_a_selection_no_key_holds_changes_nothing(network, value):
    from cpo_portal.models import Station
    from cpo_portal.web.admin_site import NO_SUCH_ITEMS

    client = Client(raise_request_exception=False)
    client.force_login(network.admin_a)
    station = network.station_a
    body = {"action": "delete_selected", "index": "0", "post": "yes",
            "_selected_action": [value, str(station.pk)]}  # fmt: skip
    response = client.post(reverse("admin:cpo_portal_station_changelist"), body, follow=True)
    assert response.status_code == 200 and Station.objects.filter(pk=station.pk).exists()
    assert [str(m) for m in response.context["messages"]] == [NO_SUCH_ITEMS]
