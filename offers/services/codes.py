"""Single-use code batches: generated with `secrets`, inserted in bulk, exported as CSV."""

from __future__ import annotations

import io
import secrets

from django.db import transaction

from cpo_portal import csvsafe
from offers.models import CatalogVersion, CodeBatch, Offer, OfferCode
from offers.models.codes import MAX_BATCH

# No 0/O, 1/I/L: codes are read aloud and typed from screenshots.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RANDOM_LENGTH = 10  # 31**10 ~ 8e14 codes per prefix
CHUNK = 5_000


def new_code(prefix: str = "") -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix}-{body}" if prefix else body


@transaction.atomic
def generate_batch(offer: Offer, count: int, prefix: str = "", user=None) -> CodeBatch:
    """A batch of `count` unique single-use codes for `offer`. Collisions with existing
    codes (vanishingly rare) are skipped by the unique constraint and replaced. Raises
    ValidationError when the offer takes no codes (CodeBatch.clean)."""
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} codes, not {count}")
    batch = CodeBatch(offer=offer, prefix=prefix, count=count, created_by=user)
    batch.clean()  # the prefix normalised; no codes for an auto-applied offer
    batch.save()
    prefix = batch.prefix
    made = 0
    while made < count:
        wanted = min(count - made, CHUNK)
        fresh = {new_code(prefix) for _ in range(wanted)}
        OfferCode.objects.bulk_create(
            [
                OfferCode(operator_id=offer.operator_id, offer=offer, code=c, batch=batch)
                for c in fresh
            ],
            ignore_conflicts=True,
        )
        made = OfferCode.objects.filter(batch=batch).count()
    CatalogVersion.bump(offer.operator_id)  # bulk inserts send no signals
    return batch


def batch_csv(batch: CodeBatch) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(["offer_id", "code", "used_at", "used_order"])
    rows = batch.codes.order_by("code").values_list("code", "used_at", "used_order")
    for code, used_at, used_order in rows.iterator(chunk_size=5_000):
        writer.writerow(
            [batch.offer.code, code, used_at.isoformat() if used_at else "", used_order]
        )
    return out.getvalue()
