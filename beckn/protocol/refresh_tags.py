"""A search's catalog refresh tags, as ONDC 1.x spells them in `message.intent.tags`
(either tag shape, beckn.protocol.tags):

- `catalog_full`: the whole catalog (`payload_type` `inline`, the default; `link` is not
  offered);
- `catalog_inc` with `start_time` (and `end_time`, default now): the changes in that
  window, removals included;
- `catalog_inc` with `mode` `start` (from `start_time`, default now) or `stop`: the push
  of every later change to the BAP, started or stopped.

Read at intake (a malformed group is refused there with its reason) and again by the
search handler.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from beckn.protocol.tags import find_group, tag_values
from beckn.protocol.timefmt import parse_timestamp
from cpo_portal.web.schema_errors import shown

FULL, INC = "catalog_full", "catalog_inc"
PATH = "$.message.intent.tags"


class RefreshError(ValueError):
    """What is wrong with the tags, said to the BAP."""


@dataclass(frozen=True, slots=True)
class Refresh:
    full: bool = False
    start: dt.datetime | None = None  # catalog_inc: the window, or the push's start
    end: dt.datetime | None = None
    mode: str | None = None  # "start" or "stop": the push


def _time(values: dict[str, str], code: str) -> dt.datetime | None:
    text = values.get(code)
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        raise RefreshError(f"{INC} {code} {shown(text)} is not an RFC 3339 timestamp") from None


def intent_of(body: Any) -> Any:
    message = body.get("message") if isinstance(body, dict) else None
    return message.get("intent") if isinstance(message, dict) else None


def read(intent: Any, now: dt.datetime) -> Refresh | None:
    """The refresh the search asks for, None when it asks for none; RefreshError."""
    groups = intent.get("tags") if isinstance(intent, dict) else None
    if find_group(groups, FULL) is not None:
        if find_group(groups, INC) is not None:
            raise RefreshError(f"a search asks for {FULL} or {INC}, not both")
        payload = tag_values(groups, FULL).get("payload_type", "inline")
        if payload != "inline":
            raise RefreshError(f"{FULL} payload_type {shown(payload)}: only 'inline' is offered")
        return Refresh(full=True)
    if find_group(groups, INC) is None:
        return None
    values = tag_values(groups, INC)
    mode = values.get("mode")
    start, end = _time(values, "start_time"), _time(values, "end_time")
    if mode is not None:
        if mode not in ("start", "stop"):
            raise RefreshError(f"{INC} mode {shown(mode)} is neither 'start' nor 'stop'")
        if end is not None:
            raise RefreshError(f"{INC} mode {mode} takes no end_time")
        if start is not None and start > now:
            raise RefreshError(f"{INC} start_time is after the search's time")
        return Refresh(start=start, mode=mode)
    if start is None:
        raise RefreshError(f"{INC} needs a start_time (and an end_time), or a mode")
    if end is not None and end <= start:
        raise RefreshError(f"{INC} end_time is not after its start_time")
    if start > now:
        raise RefreshError(f"{INC} start_time is after the search's time")
    return Refresh(start=start, end=end)
