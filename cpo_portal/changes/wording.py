"""A history record as people read it: who made it, what kind of change, and each field's
old and new value in the product's own formats (₹15.00, ₹18.00/kWh, 22:30, 18%, yes/no,
names, a choice's label).

The value's kind is read from the field itself: its choices (a list of codes by its
`options`, pricing.models.CodeListField), its relation, and the shared validators of
`cpo_portal.db.values` (a rate is money per its unit, an amount is money, a fraction is a
percentage), so a new field reads right without a line here. A field whose kind is the
row's (a surge rule's amount is a percentage, a rate per kWh or money by the rule's form),
or a JSON document people read in words (an offer's slabs, an order's quote), is written
by its model: a model with a `history_value_text(field_name, currency)` method is asked
first, on the object as it was on that side of the change, and its text is used unless it
returns None. Any other JSON object, or list of them, reads as the JSON the admin shows
for it, never as Python's printout of it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import models

from cpo_portal import formatting
from cpo_portal.db import values
from cpo_portal.formatting.digits import stated_percent

DEMO_REASON = "demo data"  # the change reason seed_demo gives every row it writes
SYSTEM = "system"  # a change no person made (a task, a command, an import job)
ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}

_MONEY = {id(v) for v in (*values.amount, *values.budget)} - {id(values.non_negative)}
_PERCENT = {id(v) for v in values.percent} - {id(values.non_negative)}


def who(record) -> str:
    """The person behind a history record, "demo data" for the seeded rows, else "system"."""
    user = getattr(record, "history_user", None)
    if user is not None:
        return user.get_username()
    if record.history_change_reason == DEMO_REASON:
        return DEMO_REASON
    return SYSTEM


def label(field: models.Field) -> str:
    return str(field.verbose_name)


def _labels(field: models.Field) -> dict:
    """Code -> label of a field whose values are choices: its own (`flatchoices`), or, for
    a list of codes, the choices its items are among (`options`: an offer's site kinds)."""
    if field.choices:
        return dict(field.flatchoices)
    return dict(getattr(field, "options", None) or ())


def _unit(field: models.Field) -> str | None:
    """What a rate field is per ("kWh", "min"), None when the field is not a rate."""
    return next((v.unit for v in field.validators if isinstance(v, values.RateAtMost)), None)


def _kind(field: models.Field) -> str:
    ids = {id(v) for v in field.validators}
    if ids & _MONEY:
        return "money"
    if values.is_share(field.validators):
        return "fraction"
    if ids & _PERCENT:
        return "percent"
    return ""


def value_text(
    field: models.Field, value, currency: str, related: dict, row: models.Model | None = None
) -> str:
    """One field's value as text; `related` maps (model, pk) to a name for relations, `row`
    is the object the value is of, as it was then (its `history_value_text` is asked first)."""
    if value is None or value == "" or value == [] or value == {}:
        return formatting.DASH
    own = getattr(row, "history_value_text", None)
    text = own(field.name, currency) if own is not None else None
    if text is not None:
        return text
    names = _labels(field)
    if names and isinstance(value, list):
        return ", ".join(str(names.get(v, v)) for v in value)
    if names:
        return str(names.get(value, value))
    if field.is_relation and field.related_model is not None:
        return related.get((field.related_model, value), f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        unit = _unit(field)
        if unit is not None:  # as a tariff's page writes it: "₹18.00/kWh", "₹0.125/kWh"
            return formatting.rate(value, currency, unit)
        kind = _kind(field)
        if kind == "money":  # to the paisa, more places only when it has them
            if value == value.quantize(Decimal("0.01")):
                return formatting.money_text(value, currency)
            return formatting.money_in_sentence(value, currency)
        if kind == "fraction":  # a stated rate, exactly as typed ("12.25%")
            return formatting.stated_percent_of_ratio(value)
        if kind == "percent":
            return stated_percent(value)
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        return formatting.local_time(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return formatting.day(value)
    if isinstance(value, list) and not any(isinstance(v, list | dict) for v in value):
        return day_list(value) if "day" in field.name else ", ".join(str(v) for v in value)
    if isinstance(value, list | dict):  # as the admin shows a JSON field
        return json.dumps(
            value, ensure_ascii=False, cls=getattr(field, "encoder", None), default=str
        )
    return str(value)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_list(days: list) -> str:
    if sorted(days) == list(range(7)):
        return "every day"
    if sorted(days) == list(range(5)):
        return "weekdays"
    if sorted(days) == [5, 6]:
        return "weekends"
    return ", ".join(_DAYS[d] for d in sorted(days) if isinstance(d, int) and 0 <= d <= 6)
