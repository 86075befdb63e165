"""A priced session as a Beckn quote, with breakup lines as in the DEG examples.

Every line keeps the engine's title ("Charging session cost (5 kWh @ ₹18.00/kWh)",
"Service Fee", "GST (18%)"), energy lines carry the item id, amounts are strings with two
decimals, and the quote price is exactly the sum of the lines. Each line also carries a
`quote-line` tag with its kind (energy, service_fee, surge, discount, tax, ...) so an app
can build a receipt without parsing titles; offer lines in the ONDC vocabulary carry the
`@ondc/org` fields and offer tags of ONDC's apply example.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from beckn import conf
from beckn.commerce_types import Priced
from beckn.protocol.tags import ondc_tag_group, tag_group
from beckn.wire import addons_json, offer_json
from pricing.engine.money import as_text
from pricing.engine.types import LineKind, Quote, QuoteLine


def price(amount: Decimal, currency: str) -> dict[str, str]:
    return {"value": as_text(amount), "currency": currency}


def _line(
    line: QuoteLine,
    currency: str,
    item_id: str,
    vocabularies: str,
    offer_meta: dict[str, tuple[str, bool, bool]],
) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": line.title}
    item: dict[str, Any] = {}
    if line.kind is LineKind.ENERGY:
        item["id"] = line.item_id or item_id
    elif line.kind is LineKind.ADDON:
        item.update(addons_json.breakup_item(item_id, line.code))
    kind_tag = tag_group("quote-line", [("type", line.kind.value), *_code(line)])
    item["tags"] = [kind_tag]
    if line.kind is LineKind.DISCOUNT and offer_json.wants_ondc(vocabularies):
        kind, additive, auto = offer_meta.get(line.code, ("discount", False, True))
        entry["@ondc/org/item_id"] = line.code
        entry["@ondc/org/title_type"] = "offer"
        item["tags"].append(ondc_tag_group("quote", [("type", "order")]))
        item["tags"].append(
            ondc_tag_group(
                "offer",
                [("type", kind), ("additive", _yes(additive)), ("auto", _yes(auto))],
            )
        )
    entry["item"] = item
    entry["price"] = price(line.amount, currency)
    return entry


def _code(line: QuoteLine) -> list[tuple[str, str]]:
    return [("code", line.code)] if line.code else []


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def quote_json(
    quote: Quote,
    item_id: str,
    vocabularies: str,
    offer_meta: dict[str, tuple[str, bool, bool]] | None = None,
) -> dict[str, Any]:
    meta = offer_meta or {}
    out: dict[str, Any] = {
        "price": price(quote.total, quote.currency),
        "breakup": [_line(ln, quote.currency, item_id, vocabularies, meta) for ln in quote.lines],
        "ttl": conf.get("BECKN_QUOTE_TTL"),
    }
    return out


def of(priced: Priced, item_id: str, vocabularies: str) -> dict[str, Any]:
    meta = {a.offer_id: (a.ondc_type, a.additive, a.auto) for a in priced.applied}
    return quote_json(priced.quote, item_id, vocabularies, meta)


def summary(quote: Quote) -> dict[str, str]:
    """The figures a receipt shows, as strings: what each kind of line adds up to."""
    gross = sum(
        (ln.amount for ln in quote.lines if ln.kind not in (LineKind.DISCOUNT, LineKind.TAX)),
        Decimal("0"),
    )
    return {
        "energy": as_text(quote.sum_of(LineKind.ENERGY)),
        "surge": as_text(quote.sum_of(LineKind.SURGE)),
        "original-price": as_text(gross),
        "discount": as_text(-quote.sum_of(LineKind.DISCOUNT)),
        "tax": as_text(quote.sum_of(LineKind.TAX)),
        "tax-included": as_text(quote.tax_included),
        "total": as_text(quote.total),
    }
