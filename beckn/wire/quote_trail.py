"""ONDC's `quote_trail`: offer value taken back from an order after confirmation, one tag
group per offer (type offer, id, currency, value), on a fulfillment's tags, as the ONDC
combo page's reverse example shows. A cancellation (whole or part) carries it on its own
cancel fulfillment ("C1", type CANCEL); an adjustment (less energy delivered, an add-on
not delivered) on the charging fulfillment.

The shape follows the subscriber's vocabulary: ONDC's `{code, list}` for ONDC (and both),
Beckn 1.1's TagGroup for DEG-only subscribers.
"""

from __future__ import annotations

from typing import Any

from beckn.commerce_types import Recovery
from beckn.protocol.tags import ondc_tag_group, tag_group
from beckn.wire import offer_json
from pricing.engine.money import as_text

CANCEL_FULFILLMENT = "C1"


def groups(recovery: Recovery, vocabularies: str) -> list[dict[str, Any]]:
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


def attach(
    order: dict[str, Any], recovery: Recovery, vocabularies: str, *, cancel: bool = False
) -> dict[str, Any]:
    """The order JSON with the trail added (unchanged when nothing was recovered)."""
    trail = groups(recovery, vocabularies)
    if not trail:
        return order
    fulfillments = order.setdefault("fulfillments", [])
    if cancel or not fulfillments:
        fulfillments.append({"id": CANCEL_FULFILLMENT, "type": "CANCEL", "tags": trail})
    else:
        fulfillments[0].setdefault("tags", []).extend(trail)
    return order
