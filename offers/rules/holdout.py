"""Holdout: a fixed share of identified customers is withheld from an offer, so that ROI
can compare them with those who got it.

The draw is deterministic per (customer key, offer id): sha256 of both, first 8 bytes as a
fraction of 2**64, a bucket in [0, 1). The same customer stays in or out of the same offer
on every quote, and different offers draw independently. Anonymous customers (empty key)
are never held out: without a key they cannot be followed, so they could not be counted.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from offers.rules.construct import Holdout

_SPAN = Decimal(2**64)


def bucket(customer_key: str, offer_id: str) -> Decimal:
    digest = hashlib.sha256(f"{offer_id}\x1f{customer_key}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / _SPAN


def is_held_out(holdout: Holdout | None, customer_key: str, offer_id: str) -> bool:
    if holdout is None or holdout.share <= 0 or not customer_key:
        return False
    return bucket(customer_key, offer_id) < holdout.share
