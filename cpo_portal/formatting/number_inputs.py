"""Numbers in admin forms as people write them: 18, not 18.0000; a rate of 15.5, not
15.5000; GST as 18 (%), not 0.1800. The stored value keeps its precision; only the box
changes. `TenantScopedMixin.formfield_for_dbfield` gives every decimal field of every
tenant admin these widgets (a share stored as a fraction, one with `values.share`'s
validators, becomes a percentage box; its range is the model's rule, said in percent)."""

from __future__ import annotations

from argparse import ArgumentTypeError
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.text import capfirst

from cpo_portal.db import values

HUNDRED = Decimal(100)


def _digits(text: str) -> str | None:
    """`text` without its leading zeros ("0" for zeros alone) when it is written in the
    digits 0-9 alone, else None. `str.isdigit` alone also takes "²" and other Unicode
    digits, which `int` then refuses."""
    if not (text.isascii() and text.isdigit()):
        return None
    return text.lstrip("0") or "0"


def whole_number(text: str) -> int | None:
    """`text` as a whole number when it is one written in the digits 0-9 that a database
    integer holds (a URL's id, a page size, a command's count), else None. SQLite refuses
    to bind an integer beyond 64 bits; more digits than that are not read at all (`int`
    refuses a text of more than 4,300 digits with an error)."""
    digits = _digits(text)
    if digits is None or len(digits) > len(str(values.BIGGEST_ID)):
        return None
    value = int(digits)
    return value if value in values.INTEGERS else None


def whole_number_at_most(text: str, high: int) -> int | None:
    """`text` as a whole number written in the digits 0-9, one above `high` (however many
    digits it has: past 64 bits too) read as `high`, else None: for a count whose larger
    values all mean the largest, such as a page size capped at a maximum."""
    digits = _digits(text)
    if digits is None:
        return None
    if len(digits) > len(str(high)):
        return high
    return min(int(digits), high)


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
    """A fraction stored (0.18), a percentage typed and shown (18): the one place of the
    conversion. The range is the model field's rule (`values.share`: "GST must be between
    0 % and 100 %."), checked on the fraction; a fraction stored with 4 decimals takes a
    percentage with 2 (18.25), said here in percent."""

    widget = PlainNumberInput

    def __init__(self, *, name: str = "The percentage", out_of_range: str = "",
                 max_digits=None, decimal_places=None, **kwargs) -> None:  # fmt: skip
        # The fraction's digits are checked here, in percent, not by DecimalValidator.
        super().__init__(**kwargs)
        self.name, self.out_of_range = name, out_of_range
        self.places = None if decimal_places is None else max(decimal_places - 2, 0)
        digits = (max_digits, decimal_places)
        whole = None if None in digits else max_digits - decimal_places
        # a number too large for the stored digits gets the model's range message alone
        self.limit = None if whole is None else HUNDRED * 10**whole

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return plain(Decimal(str(value)) * HUNDRED)
        return value  # typed text, shown back as typed

    def to_python(self, value):
        number = super().to_python(value)
        if number is None:
            return None
        if not number.is_finite():  # "NaN", "Infinity": Django refuses them later, in validate
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if self.limit is not None and self.out_of_range and abs(number) >= self.limit:
            raise forms.ValidationError(self.out_of_range, code="max_value")
        exponent = number.normalize().as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) else 0
        if self.places is not None and decimals > self.places and abs(number) <= HUNDRED:
            example = {0: "18", 1: "18.5"}.get(self.places, "18.25")
            raise forms.ValidationError(
                f"{self.name} takes at most {self.places} decimal"
                f"{'' if self.places == 1 else 's'}, e.g. {example}%.",
                code="percent_places",
            )
        try:
            return (number / HUNDRED).normalize()
        except InvalidOperation:
            raise forms.ValidationError("Give a percentage, e.g. 18.") from None


def is_fraction(db_field: models.Field) -> bool:
    return values.is_share(db_field.validators)


def decimal_formfield(db_field: models.DecimalField, **kwargs) -> forms.Field | None:
    """The form field for a decimal model field: a percentage box for a fraction, a plain
    number box otherwise."""
    if is_fraction(db_field):
        name = capfirst(db_field.verbose_name)
        bound = next(v for v in db_field.validators if isinstance(v, values.ShareAtMost))
        field = db_field.formfield(
            form_class=PercentOfFractionField, name=name, out_of_range=bound.message % {},
            **kwargs,
        )  # fmt: skip
        if field is not None:
            field.label = f"{name} (%)"
            default = db_field.get_default()
            example = plain(default * HUNDRED) if isinstance(default, Decimal) else "80"
            field.help_text = f"In percent: {example} for {example}%."
        return field
    kwargs.setdefault("widget", PlainNumberInput)
    return db_field.formfield(**kwargs)


def whole_number_option(low: int, high: int, of: str = "") -> Callable[[str | int], int]:
    """An option's reader (argparse's `type`, or called on what `call_command` passes): a
    whole number from `low` to `high`, else argparse's one-line refusal, before the command
    does any work ("takes a whole number of stations from 1 to 10000")."""
    what = f"a whole number of {of}" if of else "a whole number"

    def read(text: str | int) -> int:
        value = whole_number(str(text))
        if value is None or not low <= value <= high:
            raise ArgumentTypeError(f"takes {what} from {low} to {high}")
        return value

    return read
