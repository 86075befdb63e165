"""URLs as people type them: one typed without a scheme is https (Django 6.0's default,
chosen now), in every admin form, in a model form of our own, in the forms the admin
builds from those, and in a command's option for a model's URL field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
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


def typed_url(model: type[models.Model], name: str, value: str) -> str:
    """A URL typed for `model`'s URL field outside a form (a command's option), cleaned as
    the admin's form cleans it. Raises ValueError with the form's words on one line."""
    db_field = model._meta.get_field(name)
    field = model_formfield(db_field) if isinstance(db_field, models.URLField) else None
    if field is None:
        raise ValueError(f"{model._meta.label}.{name} is not a URL field")
    try:
        return str(field.clean(value))
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from exc
