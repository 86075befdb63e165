"""A confirmed order's tracking handle: the GET address a BAP polls for its charging
session (Beckn `track` / `on_track`, both versions).

The address is `<BECKN_SUBSCRIBER_URI>/sessions/<handle>`, the handle the order id signed
with the project's secret (django.core.signing, a salt of its own): only who was given it
can read the session, and an order id alone opens nothing. What it answers
(beckn.wire.tracking_json.session_page) is the session as it stands: the tracking status
(active until the session is over), the order and charging state, the energy delivered.
"""

from __future__ import annotations

from django.core import signing

from beckn import conf
from beckn.models import Order

SALT = "beckn.tracking"


def handle_of(order: Order) -> str:
    """The handle of a confirmed order (one with its order id)."""
    if not order.order_id:
        raise ValueError("only a confirmed order (one with an order id) is tracked")
    return signing.Signer(salt=SALT).sign(order.order_id)


def url_of(order: Order) -> str:
    return f"{conf.bpp_uri().rstrip('/')}/sessions/{handle_of(order)}"


def order_of(handle: str) -> Order | None:
    """The order a handle names, or None when it is not one of ours (forged, altered)."""
    try:
        order_id = signing.Signer(salt=SALT).unsign(handle)
    except signing.BadSignature:
        return None
    if not order_id:
        return None
    return (
        Order.objects.select_related("operator", "charger__station")
        .filter(order_id=order_id)
        .first()
    )
