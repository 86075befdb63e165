"""Build and read tag groups in both shapes peers use.

Beckn 1.1 (core `TagGroup`, what we send):
    {"descriptor": {"code": "offer-details", "name": "Offer details"},
     "list": [{"descriptor": {"code": "discount-type", "name": "..."}, "value": "percent"}]}

ONDC style (older 1.x networks, what some peers still send):
    {"code": "offer-details", "list": [{"code": "discount-type", "value": "percent"}]}

Tag values are strings in the core schema, so builders stringify: Decimal in plain
notation (never exponent), bools as `true` / `false`, datetimes as RFC 3339 UTC and
timedeltas as ISO 8601 durations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from beckn.protocol.timefmt import format_duration, format_timestamp

TagValues = Mapping[str, Any] | Iterable[tuple[str, Any]]


def tag_text(value: Any) -> str:
    """A tag value as the string Beckn carries."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        raise TypeError("floats are not tag values here; use Decimal")
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, timedelta):
        return format_duration(value)
    return str(value)


def _pairs(values: TagValues) -> list[tuple[str, Any]]:
    return list(values.items()) if isinstance(values, Mapping) else list(values)


def _descriptor(code: str, name: str | None) -> dict[str, str]:
    return {"code": code, "name": name} if name is not None else {"code": code}


def tag_group(
    code: str,
    values: TagValues,
    *,
    name: str | None = None,
    names: Mapping[str, str] | None = None,
    display: bool | None = None,
) -> dict[str, Any]:
    """A Beckn 1.1 TagGroup; `names` gives display names for individual tags."""
    names = names or {}
    group: dict[str, Any] = {}
    if display is not None:
        group["display"] = display
    group["descriptor"] = _descriptor(code, name)
    group["list"] = [
        {"descriptor": _descriptor(tag_code, names.get(tag_code)), "value": tag_text(value)}
        for tag_code, value in _pairs(values)
    ]
    return group


def tag_legend(code: str, name: str, names: Mapping[str, str]) -> dict[str, Any]:
    """A group's display names without values: said once (e.g. in a catalog's
    `provider.tags`) for groups that elsewhere carry only codes and values."""
    return {
        "descriptor": _descriptor(code, name),
        "list": [{"descriptor": _descriptor(c, n)} for c, n in names.items()],
    }


def ondc_tag_group(code: str, values: TagValues) -> dict[str, Any]:
    """An ONDC-style tag group: `{"code", "list": [{"code", "value"}]}`."""
    return {
        "code": code,
        "list": [
            {"code": tag_code, "value": tag_text(value)} for tag_code, value in _pairs(values)
        ],
    }


def _code_of(entry: Any) -> str | None:
    if not isinstance(entry, Mapping):
        return None
    descriptor = entry.get("descriptor")
    if isinstance(descriptor, Mapping) and isinstance(descriptor.get("code"), str):
        return descriptor["code"]
    code = entry.get("code")
    return code if isinstance(code, str) else None


def find_group(groups: Any, group_code: str) -> Mapping[str, Any] | None:
    """The first group with this code (either shape), or None."""
    if not isinstance(groups, list):
        return None
    for group in groups:
        if _code_of(group) == group_code:
            return group
    return None


def tag_values(groups: Any, group_code: str) -> dict[str, str]:
    """All `{tag code: value}` in the group (first occurrence wins); {} if absent."""
    return _tags_of(find_group(groups, group_code))


def tag_value(groups: Any, group_code: str | None, code: str) -> str | None:
    """One tag's value, from the group `group_code` or, when None, from any group."""
    if group_code is not None:
        return tag_values(groups, group_code).get(code)
    for group in groups if isinstance(groups, list) else []:
        found = _tags_of(group)
        if code in found:
            return found[code]
    return None


def _tags_of(group: Any) -> dict[str, str]:
    tags = group.get("list") if isinstance(group, Mapping) else None
    out: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        code = _code_of(tag)
        value = tag.get("value") if isinstance(tag, Mapping) else None
        if code is not None and isinstance(value, str):
            out.setdefault(code, value)
    return out
