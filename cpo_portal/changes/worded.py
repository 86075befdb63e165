"""A page of history records in words: each change's fields old -> new (names for the
objects they point to, money in the operator's currency), the object's name as it was
then, and its parent for a child's change. The records' related objects, operators'
currencies and an offer's stations are read once for the page, not per record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import ForeignKey, Model
from django.urls import NoReverseMatch, reverse
from simple_history import utils

from cpo_portal import tenancy
from cpo_portal.changes import tracked, wording
from cpo_portal.models import Operator

_SKIPPED = {"updated_at", "created_at"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field} {self.old} → {self.new}"


@dataclass(frozen=True)
class Parent:
    """The object a child's change belongs to: a band's tariff."""

    kind: str  # "tariff"
    name: str
    url: str | None


@dataclass(frozen=True)
class Change:
    when: dt.datetime
    who: str
    action: str  # Created, Changed, Deleted
    kind: str  # the model's name: "Tariff band"
    subject: str  # the object's name as it was then
    url: str | None  # its admin page
    version_url: str | None  # the whole version, read-only
    fields: tuple[FieldChange, ...]
    parent: Parent | None = None


def _admin_url(model: type[Model], name: str, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)
    except NoReverseMatch:
        return None


def _tracked_fields(history: type[Model]) -> list:
    return [
        f
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.name not in _SKIPPED and not f.primary_key
    ]


def _related(pairs: list[tuple], fields_of: dict) -> dict:
    """(model, pk) -> the object, for every relation value the records hold, each read with
    the objects it refers to (select_related), in one query per related model."""
    wanted: dict[type[Model], set] = defaultdict(set)
    for record, previous in pairs:
        for field in fields_of[type(record)]:
            if field.is_relation and field.related_model is not None:
                for r in (record, previous):
                    if r is not None and getattr(r, field.attname) is not None:
                        wanted[field.related_model].add(getattr(r, field.attname))
    found = {}
    for model, pks in wanted.items():
        for pk, obj in model._default_manager.select_related().in_bulk(list(pks)).items():
            found[(model, pk)] = obj
    return found


def _instance(record, related: dict) -> Model:
    """The object as the record keeps it (simple-history's `record.instance` without the
    fields history leaves out, which it reads from the live row, a query per record), its
    foreign keys set to the objects in `related`: its name and its operator are then
    read without a query each. No model's name shows a field history leaves out."""
    model = record.instance_type
    instance = model(
        **{
            f.attname: getattr(record, f.attname)
            for f in model._meta.concrete_fields
            if hasattr(record, f.attname)
        }
    )
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.related_model is not None:
            obj = related.get((field.related_model, getattr(instance, field.attname)))
            if obj is not None:
                setattr(instance, field.name, obj)
    return instance


def _currencies(pairs: list[tuple]) -> list[str]:
    """Each (record, instance)'s currency: the record's own, else its operator's (read in
    one query for them all), else INR."""
    operators = [
        None if getattr(record, "currency", None) else tenancy.operator_of(instance)
        for record, instance in pairs
    ]
    wanted = {pk for pk in operators if pk is not None}
    found: dict[int | None, str] = dict(
        Operator.objects.filter(pk__in=wanted).values_list("pk", "currency")
    )
    return [
        getattr(record, "currency", None) or found.get(operator) or "INR"
        for (record, _), operator in zip(pairs, operators, strict=True)
    ]


def _previous(records: list) -> dict:
    """(history model, history_id) -> the record each "changed" record follows, read in
    one query per history model (simple-history's `prev_record` is a query per record)."""
    wanted: dict[type[Model], set] = defaultdict(set)
    for r in records:
        if r.history_type == "~" and r.prev_history_id is not None:
            wanted[type(r)].add(r.prev_history_id)
    found = {}
    for history, pks in wanted.items():
        for row in history._default_manager.select_related("history_user").filter(
            history_id__in=pks
        ):
            found[(history, row.pk)] = row  # a history model's pk is its history_id
    return found


def word(records: list) -> list[Change]:
    """The records (history rows, newest first) as changes, in their order."""
    previous_of = _previous(records)
    pairs = [(r, previous_of.get((type(r), r.prev_history_id))) for r in records]
    fields_of = {type(r): _tracked_fields(type(r)) for r in records}
    related = _related(pairs, fields_of)
    names = {key: str(obj) for key, obj in related.items()}
    instances = [_instance(record, related) for record, _ in pairs]
    currencies = _currencies([(r, i) for (r, _), i in zip(pairs, instances, strict=True)])
    members, member_names = _m2m_members(pairs)
    changes = []
    for (record, previous), instance, currency in zip(pairs, instances, currencies, strict=True):
        model = record.instance_type
        fields = []
        if previous is not None:
            before = _instance(previous, related)  # each side worded by the row it was in
            for field in fields_of[type(record)]:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    fields.append(
                        FieldChange(
                            wording.label(field),
                            wording.value_text(field, old, currency, names, before),
                            wording.value_text(field, new, currency, names, instance),
                        )
                    )
            fields.extend(_m2m_changes(record, previous, members, member_names))
        pk = getattr(record, model._meta.pk.attname)
        changes.append(
            Change(
                when=record.history_date,
                who=wording.who(record),
                action=wording.ACTIONS.get(record.history_type, record.history_type),
                kind=str(model._meta.verbose_name).capitalize(),
                subject=str(instance),
                url=_admin_url(model, "change", pk) if record.history_type != "-" else None,
                version_url=_admin_url(model, "simple_history", pk, record.pk),
                fields=tuple(fields),
                parent=_parent(model, record, names),
            )
        )
    return changes


def _parent(model: type[Model], record, names: dict) -> Parent | None:
    name = tracked.parent_field(model)
    if not name:
        return None
    field = model._meta.get_field(name)
    if not isinstance(field, ForeignKey):
        return None
    parent_model, pk = field.related_model, getattr(record, field.attname)
    if pk is None or isinstance(parent_model, str):
        return None
    return Parent(
        kind=str(parent_model._meta.verbose_name),
        name=names.get((parent_model, pk), f"#{pk}"),
        url=_admin_url(parent_model, "change", pk),
    )


def _m2m_fields(record) -> list:
    """Many-to-many fields kept with the record (an offer's stations): simple-history gives
    a tracked field's rows under the field's own name on the record."""
    return [f for f in record.instance_type._meta.many_to_many if hasattr(record, f.name)]


def _m2m_members(pairs: list[tuple]) -> tuple[dict, dict]:
    """(history model, field name, history_id) -> the pks the field held, for each record
    that follows another and the one it follows, and (model, pk) -> the name of each of
    them: one query per field and one per model they point to, whatever the rows
    (simple-history keeps them in a model of their own, by `history`)."""
    wanted: dict[tuple[type[Model], str], set] = defaultdict(set)
    through: dict[tuple[type[Model], str], tuple[type[Model], str, type[Model]]] = {}
    for record, previous in pairs:
        for field in _m2m_fields(record) if previous is not None else ():
            key = (type(record), field.name)
            wanted[key].update((record.pk, previous.pk))
            rows = getattr(record, field.name).model
            column = f"{utils.get_m2m_reverse_field_name(field)}_id"
            through[key] = rows, column, field.related_model
    found: dict[tuple[type[Model], str, int], set] = defaultdict(set)
    targets: dict[type[Model], set] = defaultdict(set)
    for key, history_ids in wanted.items():
        rows, column, target = through[key]
        for history_id, pk in rows._default_manager.filter(history_id__in=history_ids).values_list(
            "history_id", column
        ):
            found[(*key, history_id)].add(pk)
            targets[target].add(pk)
    names = {
        (target, pk): str(obj)
        for target, pks in targets.items()
        for pk, obj in target._default_manager.in_bulk(list(pks)).items()
    }
    return found, names


def _m2m_changes(record, previous, members: dict, names: dict) -> list[FieldChange]:
    """Many-to-many fields kept with the record, as lists of names."""
    found = []
    for field in _m2m_fields(record):
        old = members[type(record), field.name, previous.pk]
        new = members[type(record), field.name, record.pk]
        if old != new:
            target = field.related_model

            def listed(pks: set, target=target) -> str:
                return ", ".join(sorted(names.get((target, pk), f"#{pk}") for pk in pks)) or "none"

            found.append(FieldChange(str(field.verbose_name), listed(old), listed(new)))
    return found
