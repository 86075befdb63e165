"""What an offer's *use* is, in words: the one definition every count of uses follows
(offers.services.uses counts them in the ledger; the rollups test the same columns).

A use is a settled redemption: a delivered session on which the offer's discount was
given (the order's latest settled ledger row for the offer, not held out, a discount
above zero), counted once, on the local date on which it settled. Quoted and confirmed
rows are steps of an order, not uses.
"""

from __future__ import annotations

USES_LABEL = "Uses (settled)"
USES_MEANING = (
    "Settled redemptions: sessions delivered with the offer's discount given, each counted "
    "once, on the local date it settled. Quotes and confirmations are not uses."
)
