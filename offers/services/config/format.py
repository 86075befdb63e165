"""The pricing document's format: which fields of which models it holds, how each value
is written (canonical text, so equal values read alike and diffs stay small), how a
value is read back, and the JSON and YAML text of the whole document.

Definition, not state: a row's own settings are in the document; what the product
counts while it runs (offer uses, budget spent, redemptions, used codes) and the codes
of single-use batches (secrets) never are. Rows name each other by natural keys
(tariff, band, surge rule, offer, station and charger codes), never by database ids.
The format is described for operators in docs/config-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.core.exceptions import ValidationError
from django.db import models

from cpo_portal.web import jsonlimits
from offers.models import CodeBatch, Offer
from pricing.models import SurgeRule, Tariff, TariffBand

VERSION = 1
KIND = "cpo-pricing"
MAX_BYTES = 5_000_000
MAX_DEPTH = 12  # the document needs 6 (offers[].slabs[].field); OCPI tariffs need 10

# Never in the document: identity, ownership, bookkeeping (the parent key is implied by
# nesting; usage counters live in other tables).
SKIPPED = frozenset({"id", "operator", "tariff", "offer", "created_at", "updated_at"})
# Not editable in a form, but part of how a tariff prices.
EXTRA: dict[type[models.Model], tuple[str, ...]] = {Tariff: ("ocpi",)}


class FormatError(ValueError):
    """The text is not a pricing document this version reads (the message says why)."""


@dataclass(frozen=True)
class Section:
    """One list of the document: its key, model and fields, in the document's order."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]


def _fields(model: type[models.Model]) -> tuple[str, ...]:
    names = [
        f.name
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.name not in SKIPPED and (f.editable or f.name in EXTRA.get(model, ()))
    ]
    names = [n for n in names if n != "created_by"]
    return tuple(sorted(names, key=lambda n: n != "code"))  # the natural key first


TARIFFS = Section("tariffs", Tariff, _fields(Tariff))
BANDS = Section("bands", TariffBand, _fields(TariffBand))
SURGES = Section("surge_rules", SurgeRule, _fields(SurgeRule))
OFFERS = Section("offers", Offer, _fields(Offer))
BATCHES = Section("code_batches", CodeBatch, ("prefix", "count"))
TOP_KEYS = ("version", "kind", "operator", "currency", "tariffs", "surge_rules", "offers")
# Keys of a row that are not model fields: nested lists and the offer's public code.
NESTED = {"tariffs": ("bands",), "offers": ("multi_use_code", "code_batches")}


# -- values ------------------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """18, 0.18, 22.5: no exponent, no trailing zeros; zero is 0 (never -0)."""
    if value.is_zero():
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def encode(field: models.Field, value: Any, tz: ZoneInfo) -> Any:
    """A model value as the document writes it."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return decimal_text(value)
    if isinstance(field, models.DateTimeField):
        return value.astimezone(tz).isoformat()
    if isinstance(field, models.TimeField):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return value


NUMBER = 'a number (in quotes, like "18.5")'
TIME = 'a local time in quotes, like "18:00"'
MOMENT = "a date and time like 2025-01-31T18:00:00+05:30"


def _expected(field: models.Field) -> str:
    if isinstance(field, models.BooleanField):
        return "true or false"
    if isinstance(field, models.DecimalField):
        return NUMBER
    if isinstance(field, models.IntegerField):
        return "a whole number"
    if isinstance(field, models.DateTimeField):
        return MOMENT
    if isinstance(field, models.TimeField):
        return TIME
    return "text (in quotes)"


def decode(field: models.Field, value: Any) -> Any:
    """A document value as the model holds it; the model's own checks run afterwards.
    Raises ValidationError for a value of the wrong type."""
    if value is None:
        if isinstance(field, models.CharField) and field.blank:
            return ""
        if isinstance(field, models.JSONField) and field.blank and not field.null:
            return field.get_default()  # an empty list of codes, slabs, ...: [] (or {})
        return None
    if isinstance(field, models.JSONField):
        return value
    expected = _expected(field)
    wrong = ValidationError(f"expected {expected}, not {json.dumps(value, default=str)}")
    if isinstance(field, models.BooleanField) != isinstance(value, bool):
        raise wrong
    if isinstance(field, models.BooleanField):
        return value
    if isinstance(field, models.DecimalField):
        if not isinstance(value, str | int | float):
            raise wrong
        return field.to_python(str(value))
    if isinstance(field, models.IntegerField):
        if not isinstance(value, int):
            raise wrong
        return value
    if isinstance(field, models.DateTimeField):
        return _datetime(value, wrong)
    if not isinstance(value, str):
        raise wrong
    if isinstance(field, models.TimeField):
        return field.to_python(value)
    return value


def _datetime(value: Any, wrong: ValidationError) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise wrong from None
    if not isinstance(value, dt.datetime):
        raise wrong
    if value.tzinfo is None:
        raise ValidationError(f"needs a UTC offset, like {MOMENT}")
    return value


# -- text --------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Lists of plain values on one line ([0, 1, 2], [DL, HR]); rows one field a line."""

    def ignore_aliases(self, data):  # the reader refuses aliases (load): never write one
        return True

    def represent_list(self, data):
        flow = all(isinstance(v, str | int) and not isinstance(v, bool) for v in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _Dumper.represent_list)


def dump(document: dict[str, Any], fmt: str = "yaml") -> str:
    """The document as text; keys keep the document's order, so output is stable."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    raise FormatError(f"unknown format {fmt!r}: use yaml or json")


def load(text: str | bytes) -> dict[str, Any]:
    """A document from JSON or YAML text (JSON is YAML), refused before it is built when it
    is too large, too deep or uses YAML aliases (which can multiply a small file)."""
    if len(text) > MAX_BYTES:
        raise FormatError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError("the file is not UTF-8 text") from None
    try:
        _check_events(text)
        data = _with_pairs_joined(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise FormatError(f"not JSON or YAML: {' '.join(str(exc).split())}") from None
    except FormatError:
        raise
    except ValueError as exc:  # a value YAML reads but Python cannot hold
        raise FormatError(f"a value cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise FormatError("expected a document with version, operator, tariffs, surge_rules "
                          "and offers")  # fmt: skip
    version = data.get("version")
    if type(version) is not int or version != VERSION:  # True == 1.0 == 1 in Python
        raise FormatError(f"version: this product reads version {VERSION}, not {version!r}")
    if data.get("kind", KIND) != KIND:
        raise FormatError(f"kind: this product reads {KIND}, not {data.get('kind')!r}")
    return data


def _check_events(text: str) -> None:
    """The document's shape within the product's JSON limits (cpo_portal.web.jsonlimits), read
    from YAML's events before anything is built: depth, number length, strings a database
    can store (no NUL, no unpaired surrogate), no aliases."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        try:
            if isinstance(event, yaml.AliasEvent):
                raise FormatError("YAML aliases (*name) are not accepted: write values out")
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                jsonlimits.check_depth(depth, MAX_DEPTH)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                jsonlimits.check_string(_paired(event.value))  # NUL, \ud800: no text holds them
                if event.style is None and _NUMERIC.match(event.value):
                    jsonlimits.check_number(event.value)
        except jsonlimits.JsonLimitError as exc:
            raise FormatError(f"line {line}: the document is {exc}") from None


def _paired(text: str) -> str:
    """YAML reads the JSON escapes of one character beyond U+FFFF (`\\ud83d\\ude00`) as two
    halves of a surrogate pair; JSON reads them as the one character they write."""
    if text.isascii():
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:  # a half without its other half: check_string refuses it
        return text


def _with_pairs_joined(value: Any) -> Any:
    """The parsed document with `_paired` strings (its depth is bounded by MAX_DEPTH)."""
    if isinstance(value, str):
        return _paired(value)
    if isinstance(value, dict):
        return {_with_pairs_joined(k): _with_pairs_joined(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_pairs_joined(v) for v in value]
    return value


# What YAML would read as a number when written without quotes.
_NUMERIC = re.compile(r"^[-+]?(?:0[xo]?)?[0-9_.]+(?:[eE][-+]?[0-9]+)?$")
