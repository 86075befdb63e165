"""Every change list with a date hierarchy, the project's and the libraries', answers a
year at the end of the calendar as a lookup it cannot apply (the list again, `?e=1`), not
with a 500 (cpo_portal.web.admin_site)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cpo_portal.web.admin_site import BoundedDateHierarchy, ProductAdminSite


def hierarchies() -> list[tuple[str, str]]:
    found = []
    for model in apps.get_models():
        if admin.site.is_registered(model):
            field = admin.site.get_model_admin(model).date_hierarchy
            if field:
                info = (model._meta.app_label, model._meta.model_name)
                found.append((reverse("admin:{}_{}_changelist".format(*info)), field))
    return found


def test_the_site_is_the_product_s_and_every_admin_on_it_is_bounded():
    assert isinstance(admin.site, ProductAdminSite)
    assert admin.site.site_header == "CPO offers portal"
    for model in apps.get_models():
        if admin.site.is_registered(model):
            assert isinstance(admin.site.get_model_admin(model), BoundedDateHierarchy), model
    assert len(hierarchies()) > 10  # Celery beat's periodic tasks among them


@pytest.mark.django_db
def test_the_last_year_of_the_calendar_is_a_wrong_lookup_not_a_500():
    superuser = get_user_model().objects.create_superuser("dates", "d@x.example", "x" * 20)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    wrong = []
    for url, field in hierarchies():
        for asked in ({"__year": "9999"}, {"__year": "9999", "__month": "12"},
                      {"__year": "9999", "__month": "12", "__day": "31"}):  # fmt: skip
            query = {f"{field}{suffix}": value for suffix, value in asked.items()}
            response = client.get(url, query)
            if response.status_code != 302 or not response["Location"].endswith("?e=1"):
                wrong.append(f"{url} {query}: {response.status_code}")
        assert client.get(url, {f"{field}__year": "2025"}).status_code == 200, url
    assert wrong == []
