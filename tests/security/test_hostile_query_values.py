"""Every page and API endpoint a staff user can GET, found by walking the URL resolver and
the model admins (as the tenant sweep does), asked with values no database can look up
(NUL, "²", an integer beyond 64 bits, year 9999) in the parameters a page may read: all
of them at once, and each id alone (the values no key can hold). An answer that says no,
or the page without them, never a 500. So with every admin address that names an object
(its change, delete and history pages, and a version's page in its history) naming one by
such an id."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tests.security.surfaces import ADMIN_PLUMBING, NOT_STAFF, STANDARD_ADMIN_VIEWS
from tests.security.tenant_surfaces import walk

HOSTILE = ["a\x00b", "\u00b2", "99999999999999999999999", "9999-12-31", "-1"]
IDS = ["operator", "offer", "station", "charger", "surge_rule"]
NO_ID = HOSTILE[:3]  # asked of each id alone too: no key holds them (-1 and a date: as "²")
PARAMETERS = ["operator", "offer", "station", "charger", "surge_rule", "region", "channel",
              "date_from", "date_to", "date", "page", "limit", "offset", "q", "export",
              "presented_share", "offers"]  # fmt: skip


def admin_pages() -> list[str]:
    """The pages model admins add to the standard ones (the price tool, what-if, imports)
    and the change lists, without URL parameters."""
    found = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        found.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pattern in admin.site.get_model_admin(model).get_urls():
            name = getattr(pattern, "name", None) or ""
            if name.removeprefix("{}_{}_".format(*info)) in STANDARD_ADMIN_VIEWS or not name:
                continue
            if not pattern.pattern.regex.groupindex:
                found.append(reverse(f"admin:{name}"))
    return found


def pages() -> list[tuple[str, bool]]:
    """(url, is an API view) of every named GET page without URL parameters."""
    found = [(url, False) for url in admin_pages()]
    for name, pattern, _ in walk():
        if name is None or name.startswith(NOT_STAFF) or name in ADMIN_PLUMBING:
            continue
        if pattern.pattern.regex.groupindex:
            continue
        cls = getattr(pattern.callback, "cls", None)
        found.append((reverse(name), cls is not None and issubclass(cls, APIView)))
    return found


@pytest.mark.django_db
def test_no_page_answers_a_value_no_database_can_look_up_with_a_500(network):
    browser = Client(raise_request_exception=False)
    browser.force_login(network.pricing_a)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(network.pricing_a)
    wrong, asked = [], 0
    for url, is_api in pages():
        client = api if is_api else browser
        for value in HOSTILE:
            alone = ({p: value} for p in IDS) if value in NO_ID else ()
            for query in ({p: value for p in PARAMETERS}, *alone):
                asked += 1
                status = client.get(url, query).status_code
                if status >= 500:
                    wrong.append(f"{url} {query}: {status}")
    assert asked > 1000 and wrong == [], "\n".join(wrong[:40])


def object_addresses(ids: list[str]) -> list[str]:
    """Every model admin's object pages, at each of `ids` (a version's page in the history
    of a model with one: at each as the object's id, then as the version's)."""
    found = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{{}}"
        for value in ids:
            found += [reverse(name.format(view), args=[value])
                      for view in ("change", "delete", "history")]  # fmt: skip
            if hasattr(model._meta, "simple_history_manager_attribute"):
                version = name.format("simple_history")
                found += [reverse(version, args=[value, "1"]), reverse(version, args=["1", value])]
    return found


@pytest.mark.django_db
def test_no_admin_address_naming_an_id_no_key_holds_answers_a_500(network):
    browser = Client(raise_request_exception=False)
    browser.force_login(network.superuser)
    ids = ["a\x00b", "\u00b2", "99999999999999999999999"]
    wrong = [url for url in object_addresses(ids) if browser.get(url).status_code >= 500]
    assert wrong == [], "\n".join(wrong[:40])
