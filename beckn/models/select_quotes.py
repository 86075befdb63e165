"""What a select writes: the quote it answered, held for the transaction's init.

One row per (bap_id, transaction_id), written by one upsert (INSERT ... ON CONFLICT DO
UPDATE), so two selects of one transaction at once leave one row, the later quote. It
holds what the order is made of at init (beckn.services.select_quotes.draft_order): the
session asked for, the Beckn quote sent, its total and currency, the offers it applied,
the offers and codes asked for, the customer and vehicle. The order (with its history
record) and the ledger's rows follow at init and confirm; `order` then points at the
order, and a later select of the transaction re-quotes that order instead.

The rows are also the record of quotes made: what was offered at select (the applied
offers, the total) for transactions that never went on to init."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cpo_portal.models import Charger

from .orders import Order

# What a later select overwrites (the creation time and the order link stay).
QUOTE_FIELDS = (
    "charger", "session", "quote", "total", "currency", "applied_offers", "offer_ids",
    "offer_codes", "customer_key", "fulfillment", "updated_at",
)  # fmt: skip


class SelectQuote(models.Model):
    TENANT_PATH = "charger__operator"  # cpo_portal.tenancy: the operator of its charger

    bap_id = models.CharField(max_length=255)
    transaction_id = models.CharField(max_length=64)
    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="select_quote",
        help_text="The order made of this quote at init.",
    )  # fmt: skip
    charger = models.ForeignKey(
        Charger, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session = models.JSONField(default=dict)  # OrderSession
    quote = models.JSONField(default=dict)  # BecknQuote, as sent
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="INR")
    applied_offers = models.JSONField(default=list, blank=True)  # AppliedOffer
    offer_ids = models.JSONField(default=list, blank=True)
    offer_codes = models.JSONField(default=list, blank=True)
    customer_key = models.CharField(max_length=128, blank=True)
    fulfillment = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bap_id", "transaction_id"], name="one_held_quote_per_transaction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} ({self.total} {self.currency})"
