"""A URL typed without a scheme is https in every admin form that has a URL field (Django
6.0's default, chosen now: cpo_portal/formatting/url_inputs.py), our own model forms
included; pyproject.toml makes Django 6.0's deprecation warnings errors, so a form that
would still take http fails here."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models

pytestmark = pytest.mark.django_db


def admin_url_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        if admin.site.is_registered(model)
        for field in model._meta.get_fields()
        if isinstance(field, models.URLField) and field.editable
    ]


def test_the_admin_forms_with_url_fields_are_found():
    labels = {model._meta.label for model, _ in admin_url_fields()}
    assert {"roaming.Partner", "cpo_portal.Operator", "beckn.Subscriber"} <= labels


@pytest.mark.parametrize(
    ("model", "name"),
    admin_url_fields(),
    ids=lambda value: value if isinstance(value, str) else value._meta.label,
)
def test_a_url_typed_without_a_scheme_is_https(model, name, admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site.get_model_admin(model)
    form = model_admin.get_form(request)
    assert name in model_admin.get_fields(request)
    assert form.base_fields[name].clean("host.example/path") == "https://host.example/path"
