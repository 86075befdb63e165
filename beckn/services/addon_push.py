"""Tell the BAP when the operator marks an order's add-on not delivered: the order is
brought up to date and an unsolicited on_update carries the new quote and the
quote_trail of the combo value taken back (connected in BecknConfig.ready)."""

from __future__ import annotations

import logging

from django.db import transaction

from beckn.commerce_types import Recovery
from beckn.services import order_changes, order_flow

log = logging.getLogger(__name__)


def on_not_delivered(sender, order_ref: str, codes, currency: str, recovered, **kwargs) -> None:
    with transaction.atomic():
        order = order_changes.order_of(order_ref)
        if order is None:
            return
        vocab = order_flow.vocabularies(order.bap_id)
        order_changes.refresh(order, list(codes), vocab)
        recovery = Recovery(currency, tuple(recovered))
        body = order_changes.body(order, recovery, vocab, cancel=False)
        order_changes.push(order, {"order": body})
        log.info("on_update for %s: add-ons %s not delivered", order_ref, ", ".join(codes))
