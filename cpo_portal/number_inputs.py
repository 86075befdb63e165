"""Numbers in admin forms as people write them: 18, not 18.0000; a rate of 15.5, not
15.5000; GST as 18 (%), not 0.1800. The stored value keeps its precision; only the box
changes. `TenantScopedMixin.formfield_for_dbfield` gives every decimal field of every
tenant admin these widgets (a fraction field, one with `values.fraction`'s validators,
becomes a percentage box)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.text import capfirst

from . import values

HUNDRED = Decimal(100)
_FRACTION = {id(v) for v in values.fraction} - {id(values.non_negative)}


def plain(value: Decimal) -> str:
    """Decimal("18.0000") -> "18", Decimal("15.5000") -> "15.5" (no exponent)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


class PlainNumberInput(forms.NumberInput):
    def __init__(self, attrs=None):
        super().__init__({"step": "any", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return plain(value)
        return super().format_value(value)


class PercentOfFractionField(forms.DecimalField):
    """A fraction stored (0.18), a percentage typed and shown (18)."""

    widget = PlainNumberInput

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return plain(Decimal(str(value)) * HUNDRED)
        return value  # typed text, shown back as typed

    def to_python(self, value):
        number = super().to_python(value)
        if number is None:
            return None
        try:
            return (number / HUNDRED).normalize()
        except InvalidOperation:
            raise forms.ValidationError("Give a percentage, e.g. 18.") from None


def is_fraction(db_field: models.Field) -> bool:
    return bool({id(v) for v in db_field.validators} & _FRACTION)


def decimal_formfield(db_field: models.DecimalField, **kwargs) -> forms.Field | None:
    """The form field for a decimal model field: a percentage box for a fraction, a plain
    number box otherwise."""
    if is_fraction(db_field):
        field = db_field.formfield(form_class=PercentOfFractionField, **kwargs)
        if field is not None:
            field.label = f"{capfirst(db_field.verbose_name)} (%)"
            field.help_text = "In percent: 18 for 18%."
        return field
    kwargs.setdefault("widget", PlainNumberInput)
    return db_field.formfield(**kwargs)
