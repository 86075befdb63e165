"""OcpiTariff back to OCPI 2.2.1 JSON: the inverse of parse_tariff, field for field."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pricing.engine.ocpi import fields as f
from pricing.engine.ocpi.objects import (
    OcpiPrice,
    OcpiTariff,
    TariffElement,
    TariffRestrictions,
)


def tariff_to_json(tariff: OcpiTariff) -> dict[str, Any]:
    """The OCPI JSON object (plain dict/list/str/int/float), ready for json.dumps."""
    out: dict[str, Any] = {
        "country_code": tariff.country_code,
        "party_id": tariff.party_id,
        "id": tariff.id,
        "currency": tariff.currency,
    }
    if tariff.type is not None:
        out["type"] = tariff.type.value
    if tariff.tariff_alt_text:
        out["tariff_alt_text"] = [
            {"language": t.language, "text": t.text} for t in tariff.tariff_alt_text
        ]
    if tariff.tariff_alt_url is not None:
        out["tariff_alt_url"] = tariff.tariff_alt_url
    for key in ("min_price", "max_price"):
        price: OcpiPrice | None = getattr(tariff, key)
        if price is not None:
            out[key] = {"excl_vat": f.json_number(price.excl_vat, f"{key}.excl_vat")}
            if price.incl_vat is not None:
                out[key]["incl_vat"] = f.json_number(price.incl_vat, f"{key}.incl_vat")
    out["elements"] = [_element_json(e, f"elements[{i}]") for i, e in enumerate(tariff.elements)]
    if tariff.start_date_time is not None:
        out["start_date_time"] = f.format_datetime(tariff.start_date_time)
    if tariff.end_date_time is not None:
        out["end_date_time"] = f.format_datetime(tariff.end_date_time)
    if tariff.energy_mix_json is not None:
        out["energy_mix"] = json.loads(tariff.energy_mix_json)
    out["last_updated"] = f.format_datetime(tariff.last_updated)
    return out


def _element_json(element: TariffElement, path: str) -> dict[str, Any]:
    comps = []
    for i, c in enumerate(element.price_components):
        where = f"{path}.price_components[{i}]"
        item: dict[str, Any] = {
            "type": c.type.value,
            "price": f.json_number(c.price, f"{where}.price"),
        }
        if c.vat is not None:
            item["vat"] = f.json_number(c.vat, f"{where}.vat")
        item["step_size"] = c.step_size
        comps.append(item)
    out: dict[str, Any] = {"price_components": comps}
    if element.restrictions is not None:
        out["restrictions"] = _restrictions_json(element.restrictions, f"{path}.restrictions")
    return out


def _restrictions_json(r: TariffRestrictions, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in r.set_fields():
        value = getattr(r, key)
        if key in ("start_time", "end_time"):
            out[key] = value.strftime("%H:%M")
        elif key in ("start_date", "end_date"):
            out[key] = value.isoformat()
        elif key == "day_of_week":
            out[key] = [d.value for d in value]
        elif key == "reservation":
            out[key] = value.value
        elif isinstance(value, Decimal):
            out[key] = f.json_number(value, f"{path}.{key}")
        else:
            out[key] = value
    return out
