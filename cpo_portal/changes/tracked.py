"""Which models keep a history, and where a child's changes are shown.

A model keeps a history when it has django-simple-history's `HistoricalRecords`. A child
model (a tariff's band, an offer's code batch) declares `HISTORY_PARENT`, the name of its
foreign key to the parent; its changes then appear in the parent's history too. No model
is special-cased here: everything is read from the app registry.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db.models import ForeignKey, Model

from cpo_portal import tenancy


def history_model(model: type[Model]) -> type[Model] | None:
    """The historical model of `model`, or None when it keeps no history."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if attribute is None:
        return None
    return getattr(model, attribute).model


@cache
def tenant_models() -> tuple[type[Model], ...]:
    """Every tenant-owned model that keeps a history, in a stable order."""
    found = [
        m
        for m in apps.get_models()
        if history_model(m) is not None and tenancy.tenant_path(m) is not None
    ]
    return tuple(sorted(found, key=lambda m: m._meta.label))


def parent_field(model: type[Model]) -> str | None:
    """The foreign key (name) a child model's history is shown under, if any."""
    return getattr(model, "HISTORY_PARENT", None)


def children_of(model: type[Model]) -> tuple[tuple[type[Model], str], ...]:
    """(child model, the column of its foreign key to `model`) for each child declaring
    `model` its parent."""
    found = []
    for child in tenant_models():
        name = parent_field(child)
        field = child._meta.get_field(name) if name else None
        if isinstance(field, ForeignKey) and field.related_model is model:
            found.append((child, field.attname))
    return tuple(found)


def kinds() -> list[tuple[str, str]]:
    """(label, verbose name) of every tracked model, for the change log's type filter."""
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in tenant_models()),
        key=lambda pair: pair[1],
    )
