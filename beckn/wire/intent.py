"""A search intent, read: where (GPS circle), what (connector type, power, speed), when,
and from whom (provider, city). Everything is optional; absent means 'any'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beckn import conf
from beckn.messages import Failure
from beckn.protocol import errors
from beckn.protocol.tags import tag_value
from beckn.wire.request_parsing import decimal, number_in, obj, seq, timestamp

_RADIUS_UNITS = {"km": Decimal(1), "kms": Decimal(1), "m": Decimal("0.001"), "": Decimal(1)}


@dataclass(frozen=True, slots=True)
class SearchQuery:
    lat: Decimal | None = None
    lon: Decimal | None = None
    radius_km: Decimal = Decimal(10)
    connector_types: frozenset[str] = frozenset()
    min_power_kw: Decimal | None = None
    charging_speeds: frozenset[str] = frozenset()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    provider_id: str | None = None
    city_code: str | None = None
    item_ids: frozenset[str] = frozenset()


def _values(text: str | None) -> frozenset[str]:
    return frozenset(v.strip() for v in (text or "").split(",") if v.strip())


def _tag(groups: list[Any], *codes: str) -> str | None:
    for code in codes:
        value = tag_value(groups, None, code)
        if value is not None:
            return value
    return None


def _circle(stops: list[Any]) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    for index, stop in enumerate(stops):
        where = obj(obj(stop).get("location"))
        circle = obj(where.get("circle"))
        point = circle.get("gps") or where.get("gps")
        if not isinstance(point, str):
            continue
        lat_text, lon_text = (part.strip() for part in point.split(",", 1))
        path = f"$.message.intent.fulfillment.stops[{index}].location"
        radius = obj(circle.get("radius"))
        unit = str(radius.get("unit", "km")).strip().lower()
        if unit not in _RADIUS_UNITS:
            raise Failure(errors.INVALID_REQUEST, f"radius unit {unit!r} is not km or m", path)
        if radius.get("value") is None:
            km = Decimal(conf.get("BECKN_DEFAULT_SEARCH_RADIUS_KM"))
        else:
            km = decimal(radius["value"], f"{path}.circle.radius.value") * _RADIUS_UNITS[unit]
        cap = Decimal(conf.get("BECKN_MAX_SEARCH_RADIUS_KM"))
        return Decimal(lat_text), Decimal(lon_text), min(km, cap)
    return None, None, None


def _time(stops: list[Any]) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = end = None
    for index, stop in enumerate(stops):
        time = obj(obj(stop).get("time"))
        span = obj(time.get("range"))
        path = f"$.message.intent.fulfillment.stops[{index}].time"
        start = start or timestamp(span.get("start") or time.get("timestamp"), path)
        end = end or timestamp(span.get("end"), f"{path}.range.end")
    return start, end


def read(message: dict[str, Any], context: dict[str, Any]) -> SearchQuery:
    intent = obj(message.get("intent"))
    fulfillment = obj(intent.get("fulfillment"))
    item = obj(intent.get("item"))
    stops = seq(fulfillment.get("stops"))
    lat, lon, radius = _circle(stops)
    start, end = _time(stops)
    if start and end and end <= start:
        raise Failure(
            errors.INVALID_REQUEST,
            "the time range ends before it starts",
            "$.message.intent.fulfillment.stops",
        )
    groups = [*seq(fulfillment.get("tags")), *seq(item.get("tags")), *seq(intent.get("tags"))]
    power = _tag(groups, "power-rating", "min-power", "power")
    provider = obj(intent.get("provider")).get("id")
    city = obj(obj(context.get("location")).get("city")).get("code")
    item_id = item.get("id")
    return SearchQuery(
        lat=lat,
        lon=lon,
        radius_km=radius or Decimal(conf.get("BECKN_DEFAULT_SEARCH_RADIUS_KM")),
        connector_types=_values(_tag(groups, "connector-type")),
        min_power_kw=number_in(power),
        charging_speeds=_values(_tag(groups, "charging-speed")),
        start=start,
        end=end,
        provider_id=provider if isinstance(provider, str) else None,
        city_code=city if isinstance(city, str) and lat is None else None,
        item_ids=frozenset({item_id}) if isinstance(item_id, str) else frozenset(),
    )
