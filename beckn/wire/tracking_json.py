"""A charging session's tracking, as on_track shows it (1.1's Tracking) and as the
tracking address answers it.

Tracking is `active` from confirmation until the session is over (charging ended, or the
order cancelled): the BAP polls the address meanwhile; `inactive` after, when the address
still answers the session's last state.
"""

from __future__ import annotations

from typing import Any

from beckn.models import Order, OrderState
from beckn.protocol.timefmt import format_timestamp
from beckn.wire.order_json import FULFILLMENT_STATES

ACTIVE_STATES = frozenset({OrderState.CONFIRMED, OrderState.ACTIVE})


def is_active(order: Order) -> bool:
    return order.state in ACTIVE_STATES


def tracking(order: Order, url: str) -> dict[str, Any]:
    """1.1's Tracking: the order id as the reference, the address, active / inactive."""
    return {
        "id": order.order_id,
        "url": url,
        "status": "active" if is_active(order) else "inactive",
    }


def session_page(order: Order) -> dict[str, Any]:
    """What the tracking address answers: the session as it stands."""
    code, name = FULFILLMENT_STATES.get(order.state, ("", ""))
    out: dict[str, Any] = {
        "order_id": order.order_id,
        "tracking": "active" if is_active(order) else "inactive",
        "state": {"code": code, "name": name},
        "charger": order.charger_code,
        "updated_at": format_timestamp(order.updated_at),
    }
    if order.started_at is not None:
        out["started_at"] = format_timestamp(order.started_at)
    if order.ended_at is not None:
        out["ended_at"] = format_timestamp(order.ended_at)
    if order.delivered_kwh is not None:
        out["delivered_kwh"] = f"{order.delivered_kwh.normalize():f}"
    return out
