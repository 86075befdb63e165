"""Read what a BAP asked for out of a (schema-valid, normalised) message.

Schema validation has already checked types, so these helpers only deal with what the
schema leaves open: optional parts, units, which of several places a value may sit in.
They raise Failure with a BECKN-005 code when the request cannot be served as sent.

An order is one charging session: its first item is the charger, every item after it one
of that charger's add-ons (asked_add_ons), as DEG's on_select lists them.

A search intent reads into a SearchQuery: where (GPS circle), what (connector type, power,
speed), when, and from whom (provider, city). Everything is optional; absent means 'any'.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from beckn import conf
from beckn.messages import Failure
from beckn.protocol import errors
from beckn.protocol.context import in_range
from beckn.protocol.json_text import obj, seq
from beckn.protocol.tags import tag_value
from beckn.protocol.timefmt import parse_timestamp
from cpo_portal.web.schema_errors import shown

KWH_UNITS = frozenset({"kwh"})
MONEY_UNITS = frozenset({"inr", "rs", "rupees"})
START_STOPS = frozenset({"start", "start-charging", "charging-start"})
END_STOPS = frozenset({"end", "stop", "end-charging", "charging-end"})
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
ITEMS_PATH = "$.message.order.items"
STOPS_PATH = "$.message.order.fulfillments[0].stops"
ADD_ON_ITEM = "add-on-item"  # the descriptor code of an add-on listed as an item (DEG)
CHARGER_ITEM = "ev-charger"  # the descriptor code of a charger as our catalogs list it


def decimal(text: Any, path: str) -> Decimal:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        raise Failure(errors.INVALID_REQUEST, f"{shown(text)} is not a number", path) from None
    if not value.is_finite() or value < 0 or value > Decimal("1e7"):
        raise Failure(errors.INVALID_REQUEST, f"{shown(text)} is out of range", path)
    return value


def number_in(text: str | None, path: str) -> Decimal | None:
    """The first number in a free-text tag value: '50kW', '>= 50', 'greater than 50kW';
    None for no tag. A value naming no number ('abc', 'NaN') or one out of range ('1e999',
    '-5kW') is refused: a filter read as none would answer what was not asked."""
    if text is None:
        return None
    match = _NUMBER.search(text)
    if match is None:
        raise Failure(errors.INVALID_REQUEST, f"{shown(text)} names no number", path)
    return decimal(match.group(), path)


def timestamp(value: Any, path: str) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_timestamp(value)
    except ValueError:
        raise Failure(errors.INVALID_REQUEST, f"{shown(value)} is not a timestamp", path) from None
    why = in_range(moment)
    if why is not None:
        raise Failure(errors.INVALID_REQUEST, why, path)
    return moment


@dataclass(frozen=True, slots=True)
class Quantity:
    kwh: Decimal | None = None
    amount: Decimal | None = None
    unit: str = ""
    value: str = ""

    def measure(self) -> dict[str, str] | None:
        if not self.value:
            return None
        return {"type": "CONSTANT", "value": self.value, "unit": self.unit}


def quantity(item: dict[str, Any], where: str = "selected") -> Quantity:
    """kWh or a rupee amount from item.quantity.<where>.measure."""
    measure = obj(obj(obj(item.get("quantity")).get(where)).get("measure"))
    if measure.get("value") is None:
        return Quantity()
    path = f"$.message.order.items[0].quantity.{where}.measure"
    return measured(measure["value"], str(measure.get("unit", "")), path)


def measured(raw: Any, unit: str, path: str) -> Quantity:
    unit = unit.strip()
    value = decimal(raw, f"{path}.value")
    if unit.lower() in KWH_UNITS:
        return Quantity(kwh=value, unit=unit, value=str(raw))
    if unit.lower() in MONEY_UNITS:
        return Quantity(amount=value, unit=unit, value=str(raw))
    raise Failure(errors.INVALID_REQUEST, f"unit {shown(unit)} is not kWh or INR", f"{path}.unit")


def stop_times(fulfillment: dict[str, Any]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) from the stops: START/END/STOP types, a timestamp or a range."""
    start, end, _ = timed_stops(fulfillment)
    return start, end


def timed_stops(fulfillment: dict[str, Any]) -> tuple[dt.datetime | None, dt.datetime | None, str]:
    """(start, end, the path of the end's time) from the stops (stop_times)."""
    start = end = None
    end_path = STOPS_PATH
    for index, stop in enumerate(seq(fulfillment.get("stops"))):
        stop = obj(stop)
        kind = str(stop.get("type", "")).lower()
        time = obj(stop.get("time"))
        path = f"{STOPS_PATH}[{index}].time"
        span = obj(time.get("range"))
        at = timestamp(time.get("timestamp"), f"{path}.timestamp")
        if kind in START_STOPS or (not kind and index == 0):
            start = at or timestamp(span.get("start"), f"{path}.range.start") or start
            if end is None and (end := timestamp(span.get("end"), f"{path}.range.end")):
                end_path = f"{path}.range.end"
        elif kind in END_STOPS or (not kind and index == 1):
            ended = at or timestamp(span.get("end"), f"{path}.range.end")
            if ended is not None:
                end = ended
                end_path = f"{path}.timestamp" if at is not None else f"{path}.range.end"
    return start, end, end_path


def requested_offers(order: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(offer ids, codes) the BAP asked for: offers[].id and a code in descriptor or tags."""
    ids: list[str] = []
    codes: list[str] = []
    for offer in seq(order.get("offers")):
        offer = obj(offer)
        if isinstance(offer.get("id"), str) and offer["id"] not in ids:
            ids.append(offer["id"])
        code = obj(offer.get("descriptor")).get("code") or tag_value(
            offer.get("tags"), None, "offer-code"
        )
        if isinstance(code, str) and code and code not in codes:
            codes.append(code)
    return ids, codes


@dataclass(frozen=True, slots=True)
class AddOnAsk:
    """An add-on an order asks for, and where the message names it."""

    add_on_id: str
    path: str


def asked_add_ons(
    order: dict[str, Any], add_ons_among: Callable[[list[str]], Collection[str]]
) -> tuple[AddOnAsk, ...] | None:
    """The add-ons an order asks for, in the order named, each with its path: the ids in
    items[0].add_ons and order.add_ons, and each item after the first (the charging
    item), which must be one of its add-ons: marked as one (descriptor code
    `add-on-item`, as DEG's on_select lists an add-on), or, unless marked as a charger
    (descriptor code `ev-charger`, as our catalogs list one: 2.0 reads each resource a
    contract commits to after the charger so), its id one of the provider's
    (`add_ons_among(ids)` says which ids are). None when the order names none of these:
    it keeps what it had.

    Nothing asked for is dropped: an item after the first that is the charging item again
    (an order names its charger once) or no add-on (an order is one charging session), an
    add-on item for another item than the charging one (its `parent_item_id`: 2.0 reads a
    commitment's resource so), an add-on named twice or asked for more than once (an
    order takes one of each) is refused (30000), with the path of that item or repeat."""
    items = seq(order.get("items"))
    named: list[tuple[Any, str]] = []
    mentioned = False
    for where, group in (
        (f"{ITEMS_PATH}[0].add_ons", obj(items[0]).get("add_ons") if items else None),
        ("$.message.order.add_ons", order.get("add_ons")),
    ):
        if isinstance(group, list):
            mentioned = True
            named.extend((obj(a).get("id"), f"{where}[{i}].id") for i, a in enumerate(group))
    further = [obj(item) for item in items[1:]]
    if further:  # (the provider's add-ons looked up only for items not marked as one)
        ids = [i["id"] for i in further if not _code(i) and isinstance(i.get("id"), str)]
        add_ons = add_ons_among(ids) if ids else ()
        charging = obj(items[0]).get("id")
        for index, item in enumerate(further, start=1):
            path = f"{ITEMS_PATH}[{index}]"
            named.append((_add_on_item(item, add_ons, charging, path), f"{path}.id"))
        mentioned = True
    if not mentioned:
        return None
    asked: dict[str, AddOnAsk] = {}
    for add_on_id, path in named:
        if not isinstance(add_on_id, str) or not add_on_id:
            continue
        if add_on_id in asked:
            raise Failure(
                errors.INVALID_REQUEST,
                f"add-on {shown(add_on_id)} is asked for twice: an order takes one of each "
                "add-on; name it once",
                path,
            )
        asked[add_on_id] = AddOnAsk(add_on_id, path)
    return tuple(asked.values())


def _add_on_item(item: dict[str, Any], add_ons: Collection[str], charging: Any, path: str) -> Any:
    """The add-on id of an item after the charging one; a Failure when it is the charging
    item named again, is none, is for another item than the charging one, or asks for
    more than one."""
    item_id = item.get("id")
    if isinstance(item_id, str) and item_id == charging:
        raise Failure(
            errors.INVALID_REQUEST,
            f"{shown(item_id)} is named twice: an order names its charger once",
            f"{path}.id",
        )
    listed = _code(item) is None and isinstance(item_id, str) and item_id in add_ons
    if _code(item) != ADD_ON_ITEM and not listed:
        what = shown(item_id) if isinstance(item_id, str) else "an item without an id"
        raise Failure(
            errors.INVALID_REQUEST,
            f"an order is one charging session: {what} is not an add-on of {shown(charging)}; "
            "book another charger in a transaction of its own",
            f"{path}.id",
        )
    parent = item.get("parent_item_id")
    if parent is not None and isinstance(charging, str) and parent != charging:
        raise Failure(
            errors.INVALID_REQUEST,
            f"add-on {shown(item_id)} is asked for at {shown(parent)}, but the order is for "
            f"{shown(charging)}: an add-on is added to its order's charger",
            f"{path}.parent_item_id",
        )
    count = obj(obj(item.get("quantity")).get("selected")).get("count")
    if count is not None and count != 1:
        raise Failure(
            errors.INVALID_REQUEST,
            f"add-on {shown(item_id)} is one per order, not {shown(count)}",
            f"{path}.quantity.selected.count",
        )
    return item_id


def _code(item: dict[str, Any]) -> str | None:
    """What an item says it is: an add-on (ADD_ON_ITEM, as DEG's on_select lists one), a
    charger (CHARGER_ITEM), or nothing (None): its id then says."""
    code = obj(item.get("descriptor")).get("code")
    return code if code in (ADD_ON_ITEM, CHARGER_ITEM) else None


def first(values: Any) -> dict[str, Any]:
    items = seq(values)
    return obj(items[0]) if items else {}


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
            raise Failure(errors.INVALID_REQUEST, f"radius unit {shown(unit)} is not km or m", path)
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


def read_search_intent(message: dict[str, Any], context: dict[str, Any]) -> SearchQuery:
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
        # a radius of 0 is a radius (the chargers at that point), not none given
        radius_km=Decimal(conf.get("BECKN_DEFAULT_SEARCH_RADIUS_KM")) if radius is None else radius,
        connector_types=_values(_tag(groups, "connector-type")),
        min_power_kw=number_in(power, "$.message.intent (tag power-rating)"),
        charging_speeds=_values(_tag(groups, "charging-speed")),
        start=start,
        end=end,
        provider_id=provider if isinstance(provider, str) else None,
        city_code=city if isinstance(city, str) and lat is None else None,
        item_ids=frozenset({item_id}) if isinstance(item_id, str) else frozenset(),
    )
