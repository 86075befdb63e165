"""Add-ons in Beckn JSON (core `AddOn`: id, descriptor, price), on catalog items and on
the order's item, and the ADDON line's item in a quote breakup."""

from __future__ import annotations

from typing import Any

from beckn.commerce_types import AddOnLine
from beckn.protocol.tags import tag_group
from pricing.engine.money import as_text
from pricing.engine.text import plain


def add_on(line: AddOnLine, currency: str) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": line.name, "code": line.add_on_id}
    if line.description:
        descriptor["short_desc"] = line.description
    return {
        "id": line.add_on_id,
        "descriptor": descriptor,
        "price": {"value": as_text(line.price), "currency": currency},
    }


def tax_tags(lines: list[AddOnLine]) -> dict[str, Any]:
    """Each add-on's GST rate (the core AddOn has no place for it), in percent."""
    values = [(line.add_on_id, plain(line.tax_rate * 100)) for line in lines]
    return tag_group("add-on-tax", values, name="Add-on GST rate (%)")


def add_ons(lines: list[AddOnLine] | tuple[AddOnLine, ...], currency: str) -> list[dict[str, Any]]:
    return [add_on(line, currency) for line in lines]


def breakup_item(charger_code: str, add_on_id: str) -> dict[str, Any]:
    return {"id": charger_code, "add_ons": [{"id": add_on_id}]}
