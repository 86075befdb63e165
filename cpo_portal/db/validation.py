"""Writes that go through the model's own checks, for every path that is not a ModelForm.

Admin forms call `full_clean()` through the ModelForm; imports, commands and the demo
seeder call `save_valid` / `upsert_valid`, so a value a form refuses is refused on every
path, with the same message. `describe` turns the error into the one line an import or a
command reports, naming each field by its label.

Text is printable: models mix in PlainTextModel, so `full_clean()` refuses NUL (PostgreSQL
cannot store it) and the other control characters (invisible; they break CSV exports and
logs) in every text field, on every write path: values.no_control_characters for a
CharField, values.no_control_characters_but_lines (tabs and line breaks allowed) for a
TextField.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models

from cpo_portal.db.values import no_control_characters, no_control_characters_but_lines

M = TypeVar("M", bound=models.Model)


def _text_rule(field: models.Field):
    if isinstance(field, models.TextField):
        return no_control_characters_but_lines
    if isinstance(field, models.CharField) and no_control_characters not in field.validators:
        return no_control_characters
    return None


class PlainTextModel(models.Model):
    """Every CharField and TextField of the model refuses control characters in
    `full_clean()`, beside the field's own validators (module doc)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude:
                continue
            rule = _text_rule(field)
            value = getattr(self, field.attname)
            if rule is None or not isinstance(value, str) or field.name in errors:
                continue
            try:
                rule(value)
            except ValidationError as exc:
                errors[field.name] = [exc]
        if errors:
            raise ValidationError(errors)


def _label(model: type[models.Model] | None, name: str) -> str:
    if name == NON_FIELD_ERRORS or model is None:
        return ""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return f"{name}: "
    label = getattr(field, "verbose_name", name)  # a reverse relation has none
    return f"{label} ({name}): "


def describe(error: ValidationError, model: type[models.Model] | None = None) -> str:
    """'GST rate (tax_rate): Give a fraction: 0.18 is 18%, at most 1.' on one line."""
    if not hasattr(error, "error_dict"):
        return " ".join(" ".join(error.messages).split())
    parts = [
        _label(model, name) + " ".join(messages) for name, messages in error.message_dict.items()
    ]
    return " ".join("; ".join(parts).split())


def save_valid(obj: M, **save_kwargs: Any) -> M:
    """full_clean() then save(): raises ValidationError and writes nothing on bad values."""
    obj.full_clean()
    obj.save(**save_kwargs)
    return obj


def upsert_valid(
    model: type[M], lookup: dict[str, Any], defaults: dict[str, Any]
) -> tuple[M, bool]:
    """update_or_create that validates: the row found by `lookup` (or a new one) gets
    `defaults`, is cleaned and saved. Many-to-many values are not handled here."""
    obj = model._default_manager.filter(**lookup).first()
    created = obj is None
    if obj is None:
        obj = model(**lookup)
    for name, value in defaults.items():
        setattr(obj, name, value)
    return save_valid(obj), created
