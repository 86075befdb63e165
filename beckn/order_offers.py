"""The offers of an order, tagged for the stage the order is at, as the DEG offers page
shows them: offer-validation (on_init), offer-redemption (on_confirm), offer-usage and the
order's offer-summary (on_update at the end of charging), offer-reversal (on_cancel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from beckn.models import Order
from beckn.offers_json import energy_trade_group
from beckn.protocol.tags import tag_group
from beckn.services.commerce_types import PublishedOffer, RejectedOffer
from pricing.engine.money import as_text
from pricing.engine.text import plain

NAMES = {
    "validated": "Offer Validated",
    "discount-applied": "Discount Applied",
    "offer-code": "Offer Code",
    "reason": "Reason",
    "redeemed": "Offer Redeemed",
    "offer-applied": "Offer Applied",
    "discount-amount": "Discount Amount",
    "savings-percentage": "Savings Percentage",
    "offer-code-used": "Offer Code Used",
    "reversed": "Offer Reversed",
    "amount-reversed": "Amount Reversed",
    "total-savings": "Total Savings",
    "offer-type": "Offer Type",
    "next-offer": "Next Available Offer",
}


def _entry(offer: dict[str, Any], group: dict[str, Any] | None) -> dict[str, Any]:
    """An offer of the order, with the stage's group and, for an energy trade, its terms."""
    out: dict[str, Any] = {"id": offer["id"], "descriptor": {"name": offer["title"]}}
    tags = [group] if group is not None else []
    if offer.get("energy_trade"):
        tags.append(energy_trade_group(offer["energy_trade"]))
    if tags:
        out["tags"] = tags
    return out


def _code(offer: dict[str, Any], tag: str) -> list[tuple[str, str]]:
    return [(tag, offer["code"])] if offer.get("code") else []


def quoted(order: Order, rejected: tuple[RejectedOffer, ...] = ()) -> list[dict[str, Any]]:
    """on_select: the offers in the quote, and those asked for that do not apply (why)."""
    out = [_entry(o, None) for o in order.applied_offers]
    for rejection in rejected:
        if rejection.offer_id in order.offer_ids:
            group = tag_group(
                "offer-validation",
                [("validated", False), ("reason", rejection.message)],
                name="Offer Validation",
                names=NAMES,
            )
            out.append({"id": rejection.offer_id, "tags": [group]})
    return out


def validated(order: Order) -> list[dict[str, Any]]:
    return [
        _entry(
            o,
            tag_group(
                "offer-validation",
                [
                    ("validated", True),
                    ("discount-applied", as_text(Decimal(o["discount"]))),
                    *_code(o, "offer-code"),
                ],
                name="Offer Validation",
                names=NAMES,
            ),
        )
        for o in order.applied_offers
    ]


def _reversal(o: dict[str, Any]) -> list[tuple[str, Any]]:
    """An offer reversed (the order cancelled): what came back."""
    if "reversed" not in o:
        return []
    return [("reversed", True), ("amount-reversed", as_text(Decimal(o["reversed"])))]


def redeemed(order: Order) -> list[dict[str, Any]]:
    return [
        _entry(
            o,
            tag_group(
                "offer-redemption",
                [
                    ("redeemed", True),
                    ("redemption-ref", order.order_id or ""),
                    ("discount-applied", as_text(Decimal(o["discount"]))),
                    *_code(o, "offer-code"),
                    *_reversal(o),
                ],
                name="Offer Redemption",
                names=NAMES,
            ),
        )
        for o in order.applied_offers
    ]


def used(order: Order, energy_cost: Decimal) -> list[dict[str, Any]]:
    out = []
    for o in order.applied_offers:
        discount = Decimal(o["discount"])
        share = (
            plain((discount / energy_cost * 100).quantize(Decimal("0.01"))) if energy_cost else "0"
        )
        values = [
            ("offer-applied", True),
            ("discount-amount", as_text(discount)),
            ("savings-percentage", share),
            *_code(o, "offer-code-used"),
        ]
        group = tag_group("offer-usage", values, name="Offer Usage Details", names=NAMES)
        out.append(_entry(o, group))
    return out


def reversed_(order: Order) -> list[dict[str, Any]]:
    return [
        _entry(
            o,
            tag_group(
                "offer-reversal",
                [
                    ("reversed", True),
                    ("amount-reversed", as_text(Decimal(o.get("reversed", o["discount"])))),
                ],
                name="Offer Reversal",
                names=NAMES,
            ),
        )
        for o in order.applied_offers
    ]


def next_offer(
    offers: list[PublishedOffer], exclude: set[str], now: dt.datetime, zone: str
) -> PublishedOffer | None:
    """The offer a customer can use next: still open, not the one just used, soonest first."""
    candidates = [
        o
        for o in offers
        if o.offer_id not in exclude and (o.valid_until is None or o.valid_until >= now)
    ]
    candidates.sort(key=lambda o: (max(o.valid_from or now, now), o.offer_id))
    return candidates[0] if candidates else None


def describe(offer: PublishedOffer, zone: str) -> str:
    """'Holiday Special - 30% off (Dec 25-31)'."""
    if offer.valid_from is None or offer.valid_until is None:
        return offer.title
    tz = ZoneInfo(zone)
    start, end = offer.valid_from.astimezone(tz), offer.valid_until.astimezone(tz)
    if (start.year, start.month) == (end.year, end.month):
        span = f"{start:%b} {start.day}-{end.day}"
    else:
        span = f"{start:%b} {start.day} - {end:%b} {end.day}"
    return f"{offer.title} ({span})"


def summary(
    total_savings: Decimal, offer_types: list[str], following: PublishedOffer | None, zone: str
) -> dict[str, Any]:
    values: list[tuple[str, str]] = [("total-savings", f"₹{as_text(total_savings)}")]
    if offer_types:
        values.append(("offer-type", ",".join(offer_types)))
    if following is not None:
        values.append(("next-offer", describe(following, zone)))
    return tag_group("offer-summary", values, name="Offer Summary", names=NAMES)
