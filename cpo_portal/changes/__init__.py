"""The change log: every change to an operator's data, as people read it.

`object_changes` is one object's history with its children's (a tariff with its bands);
`operator_changes` is every change the user may see across their operators, filtered by
person, kind of object and day (the admin page `/admin/changes/`). Both read
django-simple-history's records, a page in a fixed number of statements, and word them
(`worded`); which models count and which are children comes from `tracked`. Each change
lists its fields old → new, and a child's change names its parent (a band, its tariff).
Both are paged by Django's Paginator, newest first (`Changes`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import overload

from django.contrib import admin
from django.db.models import IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast

from cpo_portal import tenancy
from cpo_portal.changes import tracked, wording
from cpo_portal.changes.worded import Change, FieldChange, Parent, word

PER_PAGE = 50  # changes on one page, newest first


@dataclass(frozen=True)
class Filters:
    who: str = ""  # a username, "system" or "demo data"
    kind: str = ""  # a model label: "pricing.tariffband"
    day_from: dt.date | None = None
    day_to: dt.date | None = None


def _keys(querysets: list[QuerySet]) -> QuerySet | None:
    """(history_date, history_id, log_part) of every record of the querysets, in one UNION
    ALL statement: log_part is the queryset's place in `querysets`, which are in the order
    of their history models' names, so that records of one moment come in that order."""
    parts = [
        qs.order_by()
        .annotate(log_part=Cast(Value(n), IntegerField()))
        .values_list("history_date", "history_id", "log_part")
        for n, qs in enumerate(querysets)
    ]
    if not parts:
        return None
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


def _records(querysets: list[QuerySet], keys: list[tuple]) -> list:
    """The records `keys` name, in their order, each with the history_id of the record
    before it of the same object (`prev_history_id`, as simple-history's `prev_record`
    finds it): one query per kind of object among them."""
    ids: dict[int, list[int]] = defaultdict(list)
    for _, history_id, kind in keys:
        ids[kind].append(history_id)
    found = {}
    for kind, wanted in ids.items():
        history = querysets[kind].model
        pk = history.instance_type._meta.pk.attname
        before = history._default_manager.filter(
            **{pk: OuterRef(pk)}, history_date__lt=OuterRef("history_date")
        ).order_by("-history_date", "-history_id")
        for record in (
            history._default_manager.select_related("history_user")
            .annotate(prev_history_id=Subquery(before.values("history_id")[:1]))
            .filter(history_id__in=wanted)
        ):
            found[kind, record.history_id] = record
    return [found[kind, history_id] for _, history_id, kind in keys]


class Changes:
    """The changes of several history querysets, newest first, worded page by page: what
    Django's Paginator pages (a count, and slices), each read in one statement across
    the querysets (a UNION), whatever their number."""

    def __init__(self, querysets: list[QuerySet]):
        self.querysets = sorted(querysets, key=lambda qs: qs.model.__name__)

    def count(self) -> int:
        keys = _keys(self.querysets)
        return 0 if keys is None else keys.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Change]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Change: ...
    @overload
    def __getitem__(self, index: slice) -> list[Change]: ...
    def __getitem__(self, index: int | slice) -> Change | list[Change]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        keys = _keys(self.querysets)
        if keys is None:
            return []
        newest = keys.order_by("-history_date", "-log_part", "-history_id")
        return word(_records(self.querysets, list(newest[index.start or 0 : index.stop])))


def object_changes(obj: Model) -> Changes:
    """One object's changes and its children's (each child declaring `HISTORY_PARENT`)."""
    model = type(obj)
    history = tracked.history_model(model)
    querysets = []
    if history is not None:
        querysets.append(history._default_manager.filter(**{model._meta.pk.attname: obj.pk}))
    for child, attname in tracked.children_of(model):
        child_history = tracked.history_model(child)
        if child_history is not None:
            querysets.append(child_history._default_manager.filter(**{attname: obj.pk}))
    return Changes(querysets)


def _roles(model: type[Model]):
    model_admin = admin.site.get_model_admin(model) if admin.site.is_registered(model) else None
    return getattr(model_admin, "view_roles", tenancy.ALL_ROLES)


def visible_models(user) -> list[type[Model]]:
    """The tracked models the user may see at one of their operators at least."""
    return [m for m in tracked.tenant_models() if tenancy.operator_ids(user, _roles(m)) != set()]


def _scoped(model: type[Model], user) -> QuerySet:
    history = tracked.history_model(model)
    assert history is not None
    qs = history._default_manager.all()
    operators = tenancy.operator_ids(user, _roles(model))
    if operators is None:
        return qs
    path = tenancy.tenant_path(model)
    return qs.filter(**{f"{path or 'id'}__in": operators})


def _filtered(qs: QuerySet, filters: Filters) -> QuerySet:
    if filters.who == wording.SYSTEM:
        qs = qs.filter(history_user__isnull=True).exclude(history_change_reason=wording.DEMO_REASON)
    elif filters.who == wording.DEMO_REASON:
        qs = qs.filter(history_user__isnull=True, history_change_reason=wording.DEMO_REASON)
    elif filters.who:
        qs = qs.filter(history_user__username=filters.who)
    if filters.day_from:
        qs = qs.filter(history_date__date__gte=filters.day_from)
    if filters.day_to:
        qs = qs.filter(history_date__date__lte=filters.day_to)
    return qs


def operator_changes(user, filters: Filters = Filters()) -> Changes:
    """Every change the user may see across their operators, newest first."""
    models = [
        m for m in visible_models(user) if not filters.kind or m._meta.label_lower == filters.kind
    ]
    return Changes([_filtered(_scoped(m, user), filters) for m in models])


def people(user) -> list[str]:
    """Who changed what the user may see: usernames, then "system" and "demo data" (one
    statement across the kinds of object, a UNION)."""
    parts = [
        _scoped(model, user)
        .order_by()
        .filter(history_user__isnull=False)
        .values_list("history_user__username", flat=True)
        for model in visible_models(user)
    ]
    names: set[str] = set()
    if parts:
        first, *rest = parts
        names.update(first.union(*rest) if rest else first.distinct())
    return [*sorted(names), wording.SYSTEM, wording.DEMO_REASON]


__all__ = [
    "Change",
    "Changes",
    "FieldChange",
    "Filters",
    "Parent",
    "object_changes",
    "operator_changes",
    "people",
]
