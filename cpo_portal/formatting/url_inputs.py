"""URLs as people type them: one typed without a scheme is https (Django 6.0's default,
chosen now), in every admin form, in a model form of our own, and in the forms the admin
builds from those."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

# A ModelAdmin's `formfield_overrides`.
ASSUME_HTTPS: dict[type[models.Field], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def model_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """A ModelForm's `Meta.formfield_callback`: the model field's own form field, a URL one
    taking https where the scheme is left out. The admin builds a class of such a form
    before it gives it the admin's own fields, and that class's fields come from here."""
    kwargs = {**ASSUME_HTTPS.get(type(db_field), {}), **kwargs}
    return db_field.formfield(**kwargs)
