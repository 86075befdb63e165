"""A priced session as a Beckn quote, and ONDC's `quote_trail` of offer value taken back.

Every breakup line keeps the engine's title ("Charging session cost (5 kWh @ ₹18.00/kWh)",
"Service Fee", "GST (18%)"), energy lines carry the item id, amounts are strings with two
decimals, and the quote price is exactly the sum of the lines. Each line also carries a
`quote-line` tag with its kind (energy, service_fee, surge, discount, tax, ...) so an app
can build a receipt without parsing titles; offer lines in the ONDC vocabulary carry the
`@ondc/org` fields and offer tags of ONDC's apply example.

The quote_trail is one tag group per offer (type offer, id, currency, value), on a
fulfillment's tags, as the ONDC combo page's reverse example shows. A cancellation (whole
or part) carries it on its own cancel fulfillment ("C1", type CANCEL); an adjustment (less
energy delivered, an add-on not delivered) on the charging fulfillment. Its shape follows
the subscriber's vocabulary: ONDC's `{code, list}` for ONDC (and both), Beckn 1.1's
TagGroup for DEG-only subscribers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from beckn import conf
from beckn.commerce_types import Priced, Recovery
from beckn.models.order_quote import BecknQuote
from beckn.protocol.tags import ondc_tag_group, tag_group
from beckn.wire import catalog_json, offer_json
from pricing.engine import LineKind, Quote, QuoteLine, as_text


def money_json(amount: Decimal, currency: str) -> dict[str, str]:
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
        item.update(catalog_json.add_on_breakup_item(item_id, line.code))
    kind_tag = tag_group("quote-line", [("type", line.kind.value), *_code(line)])
    item["tags"] = [kind_tag]
    if line.kind is LineKind.DISCOUNT and offer_json.wants_ondc(vocabularies):
        kind, additive, auto = offer_meta.get(line.code, ("discount", False, True))
        entry["@ondc/org/item_id"] = line.code
        entry["@ondc/org/title_type"] = "offer"
        item["tags"].append(ondc_tag_group("quote", [("type", "order")]))
        meta = [("type", kind), *offer_json.meta_tags(additive, auto)]
        item["tags"].append(ondc_tag_group("offer", meta))
    entry["item"] = item
    entry["price"] = money_json(line.amount, currency)
    return entry


def _code(line: QuoteLine) -> list[tuple[str, str]]:
    return [("code", line.code)] if line.code else []


def quote_json(
    quote: Quote,
    item_id: str,
    vocabularies: str,
    offer_meta: dict[str, tuple[str, bool, bool]] | None = None,
) -> dict[str, Any]:
    meta = offer_meta or {}
    out: dict[str, Any] = {
        "price": money_json(quote.total, quote.currency),
        "breakup": [_line(ln, quote.currency, item_id, vocabularies, meta) for ln in quote.lines],
        "ttl": conf.get("BECKN_QUOTE_TTL"),
    }
    return out


def priced_quote_json(priced: Priced, item_id: str, vocabularies: str) -> BecknQuote:
    """The Beckn quote of a priced session, as an order keeps it."""
    meta = {a.offer_id: (a.ondc_type, a.additive, a.auto) for a in priced.applied}
    out = quote_json(priced.quote, item_id, vocabularies, meta)
    return BecknQuote(price=out["price"], breakup=out["breakup"], ttl=out["ttl"])


def receipt_summary(quote: Quote) -> dict[str, str]:
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


CANCEL_FULFILLMENT = "C1"


def quote_trail_groups(recovery: Recovery, vocabularies: str) -> list[dict[str, Any]]:
    out = []
    for offer_id, amount in recovery.recovered:
        if amount <= 0:
            continue
        values = [
            ("type", "offer"),
            ("id", offer_id),
            ("currency", recovery.currency),
            ("value", as_text(amount)),
        ]
        if offer_json.wants_ondc(vocabularies):
            out.append(ondc_tag_group("quote_trail", values))
        else:
            out.append(tag_group("quote_trail", values, name="Quote Trail"))
    return out


def attach_quote_trail(
    order: dict[str, Any], recovery: Recovery, vocabularies: str, *, cancel: bool = False
) -> dict[str, Any]:
    """The order JSON with the trail added (unchanged when nothing was recovered)."""
    trail = quote_trail_groups(recovery, vocabularies)
    if not trail:
        return order
    fulfillments = order.setdefault("fulfillments", [])
    if cancel or not fulfillments:
        fulfillments.append({"id": CANCEL_FULFILLMENT, "type": "CANCEL", "tags": trail})
    else:
        fulfillments[0].setdefault("tags", []).extend(trail)
    return order
