"""OCPI 2.2.1 Tariff JSON in: `parse_tariff` validates (writer.tariff_to_json writes back).

`parse_tariff(tariff_to_json(t)) == t` for every parsed tariff. Input is refused, with the
path of the offending field, when OCPI 2.2.1 would not accept it or when it would make the
price ambiguous (unknown fields, two components of one dimension in one element).
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial
from typing import Any

from pricing.engine.ocpi import fields as f
from pricing.engine.ocpi.objects import (
    DayOfWeek,
    DisplayText,
    OcpiPrice,
    OcpiTariff,
    OcpiTariffError,
    PriceComponent,
    ReservationRestrictionType,
    TariffDimensionType,
    TariffElement,
    TariffRestrictions,
    TariffType,
)

_TARIFF_KEYS = frozenset(
    {
        "country_code",
        "party_id",
        "id",
        "currency",
        "type",
        "tariff_alt_text",
        "tariff_alt_url",
        "min_price",
        "max_price",
        "elements",
        "start_date_time",
        "end_date_time",
        "energy_mix",
        "last_updated",
    }
)
_RESTRICTION_KEYS = frozenset(fl.name for fl in dataclasses.fields(TariffRestrictions))
_NUMBER_RESTRICTIONS = (
    "min_kwh",
    "max_kwh",
    "min_current",
    "max_current",
    "min_power",
    "max_power",
)
_RESERVATION_DIMENSIONS = frozenset({TariffDimensionType.FLAT, TariffDimensionType.TIME})


def parse_tariff(data: dict[str, Any]) -> OcpiTariff:
    """Validate an OCPI 2.2.1 Tariff object (as decoded JSON) into an OcpiTariff."""
    data = f.obj(data, "")
    f.reject_unknown(data, _TARIFF_KEYS, "")
    elements = f.required(data, "elements", "")
    if not isinstance(elements, list) or not elements:
        raise OcpiTariffError("elements", "needs at least one TariffElement")
    tariff = OcpiTariff(
        country_code=f.string(f.required(data, "country_code", ""), "country_code", max_len=2),
        party_id=f.string(f.required(data, "party_id", ""), "party_id", max_len=3),
        id=f.string(f.required(data, "id", ""), "id", max_len=36),
        currency=f.currency(f.required(data, "currency", ""), "currency"),
        elements=tuple(_element(e, f"elements[{i}]") for i, e in enumerate(elements)),
        last_updated=f.datetime(f.required(data, "last_updated", ""), "last_updated"),
        type=_opt(data, "type", lambda v, p: f.enum(TariffType, v, p)),
        tariff_alt_text=tuple(_texts(data.get("tariff_alt_text"))),
        tariff_alt_url=_opt(data, "tariff_alt_url", lambda v, p: f.string(v, p, max_len=2048)),
        min_price=_opt(data, "min_price", _price),
        max_price=_opt(data, "max_price", _price),
        start_date_time=_opt(data, "start_date_time", f.datetime),
        end_date_time=_opt(data, "end_date_time", f.datetime),
        energy_mix_json=_opt(data, "energy_mix", _energy_mix),
    )
    low, high = tariff.min_price, tariff.max_price
    if low and high and low.excl_vat > high.excl_vat:
        raise OcpiTariffError("min_price.excl_vat", "is above max_price.excl_vat")
    begin, end = tariff.start_date_time, tariff.end_date_time
    if begin and end and begin >= end:
        raise OcpiTariffError("end_date_time", "must be after start_date_time")
    return tariff


def _opt(data: dict[str, Any], key: str, read: Any, path: str = "") -> Any:
    """`read(value, its path)` of an optional field; None when it is absent or null."""
    value = data.get(key)
    return None if value is None else read(value, f.join_path(path, key))


def _texts(value: Any) -> list[DisplayText]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise OcpiTariffError("tariff_alt_text", "expected a list of DisplayText")
    texts = []
    for i, item in enumerate(value):
        path = f"tariff_alt_text[{i}]"
        item = f.obj(item, path)
        f.reject_unknown(item, frozenset({"language", "text"}), path)
        language = f.string(f.required(item, "language", path), f"{path}.language", max_len=2)
        text = f.required(item, "text", path)
        if not isinstance(text, str) or len(text) > 512:
            raise OcpiTariffError(f"{path}.text", "expected a string of at most 512 characters")
        texts.append(DisplayText(language, text))
    return texts


def _price(value: Any, path: str) -> OcpiPrice:
    data = f.obj(value, path)
    f.reject_unknown(data, frozenset({"excl_vat", "incl_vat"}), path)
    excl = f.number(f.required(data, "excl_vat", path), f"{path}.excl_vat")
    incl = data.get("incl_vat")
    return OcpiPrice(excl, None if incl is None else f.number(incl, f"{path}.incl_vat"))


def _energy_mix(value: Any, path: str) -> str:
    f.obj(value, path)
    return json.dumps(value, sort_keys=True, default=lambda d: float(d))


def _element(value: Any, path: str) -> TariffElement:
    data = f.obj(value, path)
    f.reject_unknown(data, frozenset({"price_components", "restrictions"}), path)
    raw = f.required(data, "price_components", path)
    if not isinstance(raw, list) or not raw:
        raise OcpiTariffError(f"{path}.price_components", "needs at least one PriceComponent")
    components = tuple(_component(c, f"{path}.price_components[{i}]") for i, c in enumerate(raw))
    seen: set[TariffDimensionType] = set()
    for i, comp in enumerate(components):
        if comp.type in seen:
            where = f"{path}.price_components[{i}].type"
            raise OcpiTariffError(where, f"a second {comp.type} component in one element")
        seen.add(comp.type)
    restrictions = _opt(data, "restrictions", _restrictions, path)
    if restrictions is not None and restrictions.reservation is not None:
        for i, comp in enumerate(components):
            if comp.type not in _RESERVATION_DIMENSIONS:
                where = f"{path}.price_components[{i}].type"
                raise OcpiTariffError(where, "a reservation element can only have FLAT and TIME")
    return TariffElement(components, restrictions)


def _component(value: Any, path: str) -> PriceComponent:
    data = f.obj(value, path)
    f.reject_unknown(data, frozenset({"type", "price", "vat", "step_size"}), path)
    kind = f.enum(TariffDimensionType, f.required(data, "type", path), f"{path}.type")
    price = f.number(f.required(data, "price", path), f"{path}.price")
    vat = data.get("vat")
    return PriceComponent(
        type=kind,
        price=price,
        step_size=f.integer(f.required(data, "step_size", path), f"{path}.step_size"),
        vat=None if vat is None else f.number(vat, f"{path}.vat"),
    )


def _restrictions(value: Any, path: str) -> TariffRestrictions:
    data = f.obj(value, path)
    f.reject_unknown(data, _RESTRICTION_KEYS, path)
    get = partial(_opt, data, path=path)
    days_raw = data.get("day_of_week") or []
    if not isinstance(days_raw, list):
        raise OcpiTariffError(f"{path}.day_of_week", "expected a list of DayOfWeek")
    days = tuple(f.enum(DayOfWeek, d, f"{path}.day_of_week[{i}]") for i, d in enumerate(days_raw))
    if len(set(days)) != len(days):
        raise OcpiTariffError(f"{path}.day_of_week", "lists a day twice")
    r = TariffRestrictions(
        start_time=get("start_time", f.time_of_day),
        end_time=get("end_time", f.time_of_day),
        start_date=get("start_date", f.date),
        end_date=get("end_date", f.date),
        **{key: get(key, f.number) for key in _NUMBER_RESTRICTIONS},
        min_duration=get("min_duration", f.integer),
        max_duration=get("max_duration", f.integer),
        day_of_week=days,
        reservation=get("reservation", lambda v, p: f.enum(ReservationRestrictionType, v, p)),
    )
    for low, high in (("start_date", "end_date"), ("min_kwh", "max_kwh")):
        _ordered(r, low, high, path)
    for low, high in (("min_current", "max_current"), ("min_power", "max_power")):
        _ordered(r, low, high, path)
    _ordered(r, "min_duration", "max_duration", path)
    return r


def _ordered(r: TariffRestrictions, low: str, high: str, path: str) -> None:
    """min >= max can never match: almost surely a typo, so refuse it rather than ignore it."""
    lo, hi = getattr(r, low), getattr(r, high)
    if lo is not None and hi is not None and lo >= hi:
        raise OcpiTariffError(f"{path}.{high}", f"must be greater than {low} ({lo} >= {hi})")
