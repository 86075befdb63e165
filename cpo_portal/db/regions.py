"""Region codes (a state such as DL, MH, KA), one spelling everywhere: stripped and
upper-cased, so " dl " typed in the admin or an import is the "DL" a station is in.

Stations, holidays, grid signals and the session facts (the offer ledger, sessions
without offers) store one code (`RegionCodeField`); offers and surges store a list
(`pricing.models.fields.RegionCodesField`). Both normalise the value when it is cleaned
and again when it is saved, so every write path stores the same spelling and the quote
engines compare codes exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.management.base import CommandError
from django.db import migrations, models


def region_code(code: str) -> str:
    """One region code as stored: " dl " is "DL"."""
    return code.strip().upper()


def region_codes(codes: Iterable[str]) -> list[str]:
    """A list of region codes as stored: each normalised, blanks and repeats dropped,
    in the order given (["DL", "dl ", "HR"] is ["DL", "HR"])."""
    return list(dict.fromkeys(c for c in map(region_code, codes) if c))


class SpelledOnSave:
    """Mixed into a field whose `to_python` spells its value: the value is stored as
    spelled on every save, not only when a form or `full_clean` cleans it."""

    attname: str  # the field's
    to_python: Callable[[Any], Any]  # the field's

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class RegionCodeField(SpelledOnSave, models.CharField):
    """A region code (see `region_code`); blank where the model allows it."""

    def to_python(self, value):
        value = super().to_python(value)
        return region_code(value) if isinstance(value, str) else value


class RegionCodeFormField(forms.CharField):
    """A region code asked for in a query (an API filter): " mh " is "MH"."""

    def to_python(self, value):
        return region_code(super().to_python(value) or "")


class RegionChoiceField(forms.ChoiceField):
    """One of the regions offered (the stations' codes), asked in any spelling."""

    def to_python(self, value):
        return region_code(super().to_python(value))


class RegionsChoiceField(forms.MultipleChoiceField):
    """Some of the regions offered, each asked in any spelling."""

    def to_python(self, value):
        return region_codes(super().to_python(value))


def respellings(rows: models.QuerySet, field: str) -> dict[str, str]:
    """The single codes stored in `field` of `rows` that are not spelled as `region_code`
    spells them, each with its spelling: one read of the distinct values."""
    stored = rows.order_by().values_list(field, flat=True).distinct()
    return {value: new for value in stored if (new := region_code(value or "")) != value}


def respell_stored(
    app_label: str, model_name: str, field: str, *, many: bool = False, unique: tuple = ()
) -> migrations.RunPython:
    """A data migration that stores each row's region code(s) as spelled above; backwards
    it changes nothing. With `unique` (the other fields of a unique constraint with the
    code), rows that would then share one value are named and nothing is changed. A
    single code without `unique` (a table of facts, as long as the ledger) is changed
    with one UPDATE per spelling that changes, reading only the distinct values."""

    def spell(value: Any) -> Any:
        return region_codes(value or []) if many else region_code(value or "")

    def forward(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        if not (many or unique):
            for value, new in respellings(model._default_manager.all(), field).items():
                # as a Value: the field would spell the value looked up as well
                rows = model._default_manager.filter(**{field: models.Value(value)})
                rows.update(**{field: new})
            return
        rows = model._default_manager.values_list("pk", field, *unique).order_by("pk")
        shared: dict[tuple, list[str]] = {}
        changed = {}
        for pk, value, *key in rows:
            new = spell(value)
            if unique:  # rows may share a value unless a constraint says otherwise
                shared.setdefault((*key, str(new)), []).append(str(pk))
            if new != value:
                changed[pk] = new
        clashes = [" and ".join(ids) for ids in shared.values() if len(ids) > 1]
        if clashes:
            raise CommandError(  # `migrate` prints it as one line, without a traceback
                f"{model._meta.label} rows {'; '.join(clashes)} would have the same "
                f"{field} once region codes are upper-cased; fix or delete them and "
                "migrate again."
            )
        for pk, new in changed.items():
            model._default_manager.filter(pk=pk).update(**{field: new})

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)
