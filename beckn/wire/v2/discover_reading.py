"""A 2.0 discover read into 1.1's search intent (the handler's): `intent.spatial` (an
S_DWITHIN around a Point: the search circle), `intent.filters` (a JSONPath expression:
`beckn:id == '...'` the item, a provider id, `connectorType == '...'`, `maxPowerKW >= n`,
and the session's time as DEG writes it, `availabilityWindow.startTime <= '18:15:00' &&
availabilityWindow.endTime >= '19:15:00'`: times of day at their next occurrence in
TIME_ZONE, or RFC 3339 instants), `intent.textSearch` (ignored: chargers are found by place
and connector); and where each was read (beckn.wire.v2.read_as).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from beckn.protocol.context import in_range
from beckn.protocol.json_text import obj, seq
from beckn.protocol.timefmt import format_timestamp, parse_timestamp
from beckn.wire.v2.read_as import Read, number_text

_EQUALS = re.compile(r"@\.([A-Za-z:._]+)\s*==\s*'([^']*)'")
_AT_LEAST = re.compile(r"@\.([A-Za-z:._]+)\s*>=\s*([0-9.]+)")
_STARTS = re.compile(r"@\.[A-Za-z:._]*availabilityWindow\.(?:schema:)?start\w*\s*<=\s*'([^']+)'")
_ENDS = re.compile(r"@\.[A-Za-z:._]*availabilityWindow\.(?:schema:)?end\w*\s*>=\s*'([^']+)'")


def _moment(text: str, now: dt.datetime, after: dt.datetime | None = None) -> dt.datetime | None:
    """A filter's time: an RFC 3339 instant as it is; a time of day ('18:15:00') its next
    occurrence in the BPP's zone (after `after`, for an end)."""
    try:
        instant = parse_timestamp(text)
    except ValueError:
        pass
    else:  # outside the years we take (protocol.context.TIMESTAMP_RANGE): not a time
        return instant if in_range(instant) is None else None
    try:
        clock = dt.time.fromisoformat(text)
    except ValueError:
        return None
    zone = ZoneInfo(settings.TIME_ZONE)
    base = (after or now).astimezone(zone)
    moment = dt.datetime.combine(base.date(), clock, tzinfo=zone)
    if moment <= base if after is not None else moment < base - dt.timedelta(minutes=5):
        moment += dt.timedelta(days=1)
    return moment


def _window(expression: str, now: dt.datetime) -> dict[str, str] | None:
    """The session a filter asks availability for: `availabilityWindow.startTime <= t1 &&
    availabilityWindow.endTime >= t2` (DEG's discovery-within-a-timerange)."""
    starts, ends = _STARTS.search(expression), _ENDS.search(expression)
    start = _moment(starts.group(1), now) if starts else None
    if start is None:
        return None
    end = _moment(ends.group(1), now, after=start) if ends else None
    span = {"start": format_timestamp(start)}
    if end is not None:
        span["end"] = format_timestamp(end)
    return span


INTENT = "$.message.intent"
STOP = f"{INTENT}.fulfillment.stops[0]"
FILTERS = f"{INTENT}.filters.expression"
# what the filter asks (the item, provider, connector, power, the session's time) is read
# from its expression; the circle from a spatial constraint (_discover adds which)
DISCOVER_PATHS = {
    INTENT: INTENT,
    f"{INTENT}.item": FILTERS,
    f"{INTENT}.provider": FILTERS,
    f"{INTENT}.fulfillment": FILTERS,
}


def discover(message: dict[str, Any], now: dt.datetime) -> Read:
    intent = obj(message.get("intent"))
    out: dict[str, Any] = {}
    fulfillment: dict[str, Any] = {}
    paths = dict(DISCOVER_PATHS)
    for index, constraint in enumerate(seq(intent.get("spatial"))):
        constraint = obj(constraint)
        geometry = obj(constraint.get("geometry"))
        point = seq(geometry.get("coordinates"))
        if geometry.get("type") != "Point" or len(point) < 2:
            continue
        lon, lat = point[0], point[1]
        metres = constraint.get("distanceMeters")
        circle: dict[str, Any] = {"gps": f"{lat},{lon}"}
        if isinstance(metres, int | float) and not isinstance(metres, bool):
            circle["radius"] = {"value": number_text(metres), "unit": "m"}
        fulfillment["stops"] = [{"location": {"circle": circle}}]
        paths[f"{STOP}.location"] = f"{INTENT}.spatial[{index}]"
        paths[f"{STOP}.location.circle.radius"] = f"{INTENT}.spatial[{index}].distanceMeters"
        break
    expression = str(obj(intent.get("filters")).get("expression", ""))
    tags = []
    for path, value in _EQUALS.findall(expression):
        leaf = path.rsplit(".", 1)[-1]
        if path in ("beckn:id", "id"):
            out["item"] = {"id": value}
        elif "provider" in path and leaf in ("beckn:id", "id"):
            out["provider"] = {"id": value}
        elif leaf == "connectorType":
            tags.append({"descriptor": {"code": "connector-type"}, "value": value})
    for path, value in _AT_LEAST.findall(expression):
        if path.endswith("maxPowerKW"):
            tags.append({"descriptor": {"code": "power-rating"}, "value": value})
    if tags:
        fulfillment["tags"] = [{"list": tags}]
    span = _window(expression, now)
    if span is not None:
        stops = fulfillment.setdefault("stops", [{}])
        stops[0]["time"] = {"range": span}
    if fulfillment:
        out["fulfillment"] = fulfillment
    return Read({"intent": out}, paths)
