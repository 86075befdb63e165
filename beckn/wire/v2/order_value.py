"""The order value (core v2 `beckn:orderValue`, a PriceSpecification) built from the
quote we sent: one component per quote line, so the components add up to the value
exactly (the quote's lines add up to its total), in the same order as the quote.

Each line's kind (its `quote-line` tag) gives the component's type:

| quote line                                 | component   |
|--------------------------------------------|-------------|
| energy, add-on                             | UNIT        |
| surge; a minimum-price adjustment (+)      | SURCHARGE   |
| discount (offers); a maximum-price cap (-) | DISCOUNT    |
| service fee, idle fee, wheeling, any fee   | FEE         |
| tax (GST)                                  | TAX         |

A component's description is the line's title, and true to it: a title that states a
percentage ("Evening surge (20%)", "Weekday offer (15%)") says of which base, and only
when that percentage of that base, rounded half up to the paisa, is the amount:
"Evening surge (20%): 20% of energy ₹100.00" (the percentage written as the title writes it,
cpo_portal.formatting.digits.stated_percent). The bases tried are the energy, the energy
and add-ons, everything before discounts and tax, and everything before tax (GST). A
percentage that is none of these (capped, or applied to part of the session only) is
taken out of the description, which then names the charge and its amount alone.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from beckn.protocol.tags import tag_values
from cpo_portal.formatting.digits import stated_percent
from pricing.engine import amount_with_symbol

CENT = Decimal("0.01")
COMPONENT = {
    "energy": "UNIT",
    "addon": "UNIT",
    "surge": "SURCHARGE",
    "discount": "DISCOUNT",
    "service_fee": "FEE",
    "idle_fee": "FEE",
    "wheeling": "FEE",
    "tax": "TAX",
}
_PERCENT = re.compile(r"\s*\((\d+(?:\.\d+)?)\s*%[^)]*\)")  # "(20%)", "(25% off)"


def _amount(line: dict[str, Any]) -> Decimal:
    value = line.get("price", {}).get("value", "0") if isinstance(line.get("price"), dict) else "0"
    return Decimal(str(value))


def _kind(line: dict[str, Any]) -> str:
    item = line.get("item")
    if not isinstance(item, dict):
        return ""
    return tag_values(item.get("tags"), "quote-line").get("type", "")


def component_type(kind: str, amount: Decimal) -> str:
    if kind in COMPONENT:
        return COMPONENT[kind]
    if kind == "adjustment":
        return "SURCHARGE" if amount >= 0 else "DISCOUNT"
    return "FEE"  # a fee line of a kind added later (finder fee, buffer, ...)


def _number(amount: Decimal) -> float | int:
    """JSON number of a paisa amount (the schema's `value` is a number)."""
    return float(amount)


def _bases(lines: list[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    def total(kinds: set[str] | None) -> Decimal:
        return sum(
            (
                a
                for k, a in lines
                if (kinds is None and k not in ("discount", "tax")) or (kinds and k in kinds)
            ),
            Decimal("0"),
        )

    return [
        ("energy", total({"energy"})),
        ("energy and add-ons", total({"energy", "addon"})),
        ("the session before discounts and tax", total(None)),
        ("the session before tax", sum((a for k, a in lines if k != "tax"), Decimal("0"))),
    ]


def describe(title: str, amount: Decimal, bases: list[tuple[str, Decimal]], currency: str) -> str:
    """The line's title, with its percentage's base named when it holds, else without it."""
    match = _PERCENT.search(title)
    if match is None:
        return title
    percent = Decimal(match.group(1))
    for name, base in bases:
        if base > 0 and (base * percent / 100).quantize(CENT, ROUND_HALF_UP) == abs(amount):
            of = amount_with_symbol(currency, base)
            return f"{title}: {stated_percent(percent)} of {name} {of}"
    return (title[: match.start()] + title[match.end() :]).strip()


def order_value(quote: dict[str, Any]) -> dict[str, Any]:
    """A PriceSpecification bag of the quote (`{}` when there is no quote)."""
    price = quote.get("price") if isinstance(quote.get("price"), dict) else None
    if price is None:
        return {}
    currency = str(price.get("currency", "INR"))
    breakup = [b for b in quote.get("breakup", []) if isinstance(b, dict)]
    lines = [(_kind(b), _amount(b)) for b in breakup]
    bases = _bases(lines)
    components = [
        {
            "type": component_type(kind, amount),
            "value": _number(amount),
            "currency": currency,
            "description": describe(str(b.get("title", "")), amount, bases, currency),
        }
        for b, (kind, amount) in zip(breakup, lines, strict=True)
    ]
    return {
        "currency": currency,
        "value": _number(Decimal(str(price.get("value", "0")))),
        "components": components,
    }
