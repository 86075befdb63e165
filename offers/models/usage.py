"""Usage counters that the limits are enforced against, in the database.

Redemptions change them only with row locks (select_for_update) or conditional UPDATEs
inside a transaction; they are never read, changed in Python and saved back. No history:
they change on every redemption, and the ledger already records each change.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class OfferUsage(models.Model):
    TENANT_PATH = "offer__operator"

    offer = models.OneToOneField("offers.Offer", on_delete=models.CASCADE, related_name="usage")
    uses = models.PositiveIntegerField(default=0)
    budget_spent = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_spent__gte=0), name="budget_spent_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.code}: {self.uses} uses, {self.budget_spent} spent"


class CustomerOfferUsage(models.Model):
    TENANT_PATH = "offer__operator"

    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, related_name="customer_usage"
    )
    customer_key = models.CharField(max_length=64)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "customer_key"], name="one_usage_row_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.code} by {self.customer_key[:12]}…: {self.uses}"
