"""Small list-valued model fields stored as JSON, edited as checkboxes or comma lists.

JSON keeps them portable across SQLite and PostgreSQL (ArrayField is PostgreSQL-only).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from cpo_portal.db.regions import SpelledOnSave, region_codes

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
DAY_NAMES = dict(WEEKDAYS)


def all_days() -> list[int]:
    return list(range(7))


def validate_days(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in value
    ):
        raise ValidationError("Days must be a list of weekday numbers 0 (Mon) to 6 (Sun).")
    if not value:
        raise ValidationError("Pick at least one day of the week.")
    if len(set(value)) != len(value):
        raise ValidationError("A day of the week is listed twice.")


class WeekdaysWidget(forms.CheckboxSelectMultiple):
    """Seven day boxes in a row, with "Every day", "Weekdays" and "Weekends" buttons that
    tick them (static/pricing/weekdays.js; without JavaScript the boxes alone work)."""

    class Media:
        js = ["pricing/weekdays.js"]
        css = {"all": ["cpo_portal/admin_tables.css"]}


class WeekdaysField(models.JSONField):
    """Days of the week as a sorted JSON list of Python weekday numbers (Monday is 0)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", all_days)
        kwargs.setdefault("error_messages", {"blank": "Pick at least one day of the week."})
        super().__init__(*args, **kwargs)
        self.validators.append(validate_days)

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=WEEKDAYS,
            coerce=int,
            widget=WeekdaysWidget(attrs={"class": "weekdays"}),
            required=True,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
        )

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, list | tuple | set | frozenset):
            value = sorted({int(d) for d in value})
            setattr(model_instance, self.attname, value)
        return value


class CommaListFormField(forms.CharField):
    """'DL, HR' <-> ["DL", "HR"]."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        items = [part.strip() for part in text.split(",")]
        return list(dict.fromkeys(item for item in items if item))

    def has_changed(self, initial, data):
        return self.to_python(self.prepare_value(initial or [])) != self.to_python(data)


class CodeListField(models.JSONField):
    """A list of short codes. With `options`, the codes must be among them (checkboxes);
    without, any code goes (a comma-separated text box)."""

    def __init__(self, *args, options=None, **kwargs):
        self.options = list(options) if options else None
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
        self.validators.append(self._validate_codes)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.options:
            kwargs["options"] = self.options
        return name, path, args, kwargs

    def _validate_codes(self, value) -> None:
        if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
            raise ValidationError("Give a list of codes (text).")
        if self.options:
            allowed = {code for code, _label in self.options}
            unknown = [c for c in value if c not in allowed]
            if unknown:
                raise ValidationError(f"Unknown value(s): {', '.join(unknown)}.")

    def formfield(self, **kwargs):
        common: dict[str, Any] = {
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        if self.options:
            return forms.MultipleChoiceField(
                choices=self.options, widget=forms.CheckboxSelectMultiple, **common
            )
        return CommaListFormField(**common)


class RegionCodesField(SpelledOnSave, CodeListField):
    """Region codes, stored as `cpo_portal.db.regions.region_codes` spells them
    ("DL, dl ,Dl" is ["DL"]) when cleaned and when saved, as stations store theirs."""

    def to_python(self, value):
        if isinstance(value, list) and all(isinstance(c, str) for c in value):
            return region_codes(value)
        return value
