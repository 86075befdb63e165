"""Reading one row of a pricing document onto a model instance, and the error lines an
import reports: one line per problem, naming the row by its name and code and the field in
words (`Offer "Solar Noon" (solar-noon), percent off: Ensure this value is less than or
equal to 100.`), each problem once."""

from __future__ import annotations

from typing import Any, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.text import capfirst

from cpo_portal.formatting.number_inputs import whole_number
from cpo_portal.models import Charger, Operator, Station
from offers.services.config.format import NESTED, Section, decode

MISSING = object()


class Problems:
    """The error lines found so far, in the order found, one per place. A problem is added
    at its place in the document (`offers[3].percent`); the line names the row as people
    know it (`name_row`) and the field by its label."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.places: set[str] = set()
        self.rows: dict[str, tuple[str, type[models.Model]]] = {}

    def name_row(self, place: str, words: str, model: type[models.Model]) -> None:
        self.rows[place] = (words, model)

    def words(self, path: str) -> str:
        """`offers[3].percent` as `Offer "Solar Noon" (solar-noon), percent off`."""
        row = max(
            (p for p in self.rows if path == p or path.startswith(p + ".")), key=len, default=None
        )
        if row is None:
            return path
        words, model = self.rows[row]
        rest = path[len(row) + 1 :]
        return ", ".join(
            [capfirst(words), *_fields(model, rest.split("."))] if rest else [capfirst(words)]
        )

    def add(self, path: str, message: str) -> None:
        """One line per place: a second message for the same value (a field's validator and
        the model's own check both refusing 150 %) says the same problem again."""
        if path in self.places:
            return
        self.places.add(path)
        self.lines.append(f"{self.words(path)}: {' '.join(str(message).split())}")

    def add_validation(self, path: str, error: ValidationError) -> None:
        """A model's ValidationError, one line per field message."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add(path, message)
            return
        for name, messages in error.message_dict.items():
            where = path if name == NON_FIELD_ERRORS else f"{path}.{name}"
            for message in messages:
                self.add(where, message)


# The document's own keys whose words are not their letters with spaces.
DOCUMENT_WORDS = {"multi_use_code": "multi-use code"}


def _fields(model: type[models.Model] | None, names: list[str]) -> list[str]:
    """A path within a row in words: `code_batches[0].count` as `code batch 1`, `count`."""
    out = []
    for name in names:
        bare, _, index = name.partition("[")
        try:
            field = model._meta.get_field(bare) if model is not None else None
        except FieldDoesNotExist:
            field = None
        position = whole_number(index.rstrip("]"))
        number = position + 1 if position is not None else None
        if field is None:  # a key of the document's own (code_batches) or of OCPI JSON
            words = DOCUMENT_WORDS.get(bare) or bare.replace("_", " ")
            out.append(f"{_one(words)} {number}" if number else words)
            model = None
            continue
        related = field.related_model if isinstance(field.related_model, type) else None
        if field.one_to_many and related is not None:
            meta = related._meta
            out.append(f"{meta.verbose_name} {number}" if number else str(meta.verbose_name_plural))
        else:
            out.append(str(getattr(field, "verbose_name", bare)))
        model = related
    return out


def _one(words: str) -> str:
    """One of a list named in the plural: "code batches" -> "code batch"."""
    if words.endswith(("ches", "shes", "xes", "sses")):
        return words[:-2]
    return words.removesuffix("s")


class Places:
    """The target operator's stations and chargers, by code."""

    def __init__(self, operator: Operator) -> None:
        self.operator = operator
        self.by_kind: dict[str, dict[str, models.Model]] = {
            "station": {s.code: s for s in Station.objects.filter(operator=operator)},
            "charger": {c.code: c for c in Charger.objects.filter(operator=operator)},
        }

    def find(self, kind: str, code: Any, path: str, problems: Problems) -> models.Model | None:
        if not isinstance(code, str):
            problems.add(path, f"expected a {kind} code (text)")
            return None
        found = self.by_kind[kind].get(code)
        if found is None:
            problems.add(path, f"{self.operator.code} has no {kind} {code!r}")
        return found


class RowContext:
    """What writing any row needs: the target's places, the problems found, its time zone."""

    def __init__(self, operator: Operator) -> None:
        self.tz = ZoneInfo(operator.time_zone)
        self.places = Places(operator)
        self.problems = Problems()


def rows_of(document: dict[str, Any], section: Section, problems: Problems, path: str = ""):
    """(index, row) of a list in the document, shape-checked: mappings with a text code,
    codes unique, no keys the format does not know."""
    key = section.key
    where = f"{path}{key}"
    rows = document.get(key, [])
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        problems.add(where, "expected a list")
        return []
    known = {*section.fields, *NESTED.get(key, ())}
    kind = str(section.model._meta.verbose_name)
    parent = f"{problems.words(path.removesuffix('.'))}, " if path else ""
    seen: dict[str, int] = {}
    out = []
    for i, row in enumerate(rows):
        here = f"{where}[{i}]"
        problems.name_row(here, f"{parent}{kind} {i + 1} of the list", section.model)
        if not isinstance(row, dict):
            problems.add(here, "expected a mapping of field names to values")
            continue
        code = row.get("code")
        if isinstance(code, str) and code and code not in seen:
            problems.name_row(here, f"{parent}{kind} {_named(row, code)}", section.model)
        unknown = sorted(str(k) for k in row if k not in known)
        for name in unknown:
            problems.add(f"{here}.{name}", f"not a field of {kind}")
        if not isinstance(code, str) or not code:
            problems.add(f"{here}.code", "required (text)")
            continue
        if code in seen:
            other = problems.words(f"{where}[{seen[code]}]")
            problems.add(f"{here}.code", f"{code!r} is also the code of {other}")
            continue
        seen[code] = i
        out.append((i, row))  # checked on: every problem is reported in one run
    return out


def _named(row: dict[str, Any], code: str) -> str:
    """A row as people know it: its name (an offer's title) and its code."""
    for key in ("title", "name", "label"):
        name = row.get(key)
        if isinstance(name, str) and name.strip() and name != code:
            return f'"{name.strip()}" ({code})'
    return code


def assign(
    section: Section,
    instance: models.Model,
    row: dict[str, Any],
    path: str,
    places: Places,
    problems: Problems,
) -> dict[str, list[str]] | None:
    """Set every field of `instance` from `row` (absent: the field's default). Returns the
    many-to-many codes to set after saving, or None when a value could not be read."""
    ok = True
    wanted: dict[str, list[str]] = {}
    for name in section.fields:
        field = cast(models.Field, section.model._meta.get_field(name))
        raw = row.get(name, MISSING)
        here = f"{path}.{name}"
        if field.many_to_many:
            codes = [] if raw in (MISSING, None) else raw
            if not isinstance(codes, list):
                problems.add(here, f"expected a list of {name} codes")
                ok = False
                continue
            kind = name.removesuffix("s")
            found = [places.find(kind, c, here, problems) for c in codes]
            ok = ok and all(f is not None for f in found)
            wanted[name] = sorted({c for c in codes if isinstance(c, str)})
        elif field.is_relation:
            target = None if raw in (MISSING, None) else places.find(name, raw, here, problems)
            ok = ok and (target is not None or raw in (MISSING, None))
            setattr(instance, name, target)
        else:
            try:
                value = field.get_default() if raw is MISSING else decode(field, raw)
            except ValidationError as exc:
                problems.add_validation(here, exc)
                ok = False
                continue
            setattr(instance, field.attname, value)
    return wanted if ok else None


def clean(instance: models.Model, path: str, problems: Problems, exclude=None) -> bool:
    """The model's own checks (field validators, clean(), constraints), as a form runs them."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        problems.add_validation(path, exc)
        return False
    return True
