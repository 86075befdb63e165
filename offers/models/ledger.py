"""The redemption ledger: append-only rows, one per offer per step of an order.

Rows are never updated or deleted: not through a model (save/delete refuse), not through a
queryset (update/delete refuse), not in the admin (read-only), and on PostgreSQL not even
in SQL (a trigger, made by the offers migrations). Each row copies what analytics need, so reports
survive later edits of the offer, the station or the tariff.

Order-level figures (energy, gross, surge, net, tax) repeat on every offer row of an
order; sum them per distinct order_ref. `discount` is the row's own amount: given
(quoted / validated / redeemed / settled), recovered (reversed), or what a held-out
customer would have had (held_out).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cpo_portal.db.regions import RegionCodeField
from cpo_portal.models import Charger, Operator, Station
from offers.channels import SessionChannel

from .choices import BenefitKind, DegOfferType, RedemptionKind
from .offer import Offer


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The redemption ledger is append-only: rows are never updated.")

    def delete(self):
        raise AppendOnlyError("The redemption ledger is append-only: rows are never deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("The redemption ledger is append-only: rows are never updated.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("The redemption ledger is append-only: rows are never updated.")


def _money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=0)


class Redemption(models.Model):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="redemptions")
    order_ref = models.CharField(max_length=100, db_index=True)
    # Offers are redeemed on our own Beckn orders only; the column is the session facts'
    # shared shape (analytics' sessions carry every channel).
    channel = models.CharField(
        max_length=8,
        choices=SessionChannel.choices,
        default=SessionChannel.BECKN,
        db_default=SessionChannel.BECKN,
        editable=False,
    )
    kind = models.CharField(max_length=12, choices=RedemptionKind.choices)
    seq = models.PositiveIntegerField(default=0, help_text="Orders repeated steps (reversals).")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="redemptions")
    offer_code = models.CharField("offer id", max_length=64)
    offer_title = models.CharField(max_length=200)
    offer_type = models.CharField(
        "DEG offer type", max_length=32, choices=DegOfferType.choices, blank=True
    )
    ondc_type = models.CharField(max_length=16, blank=True)
    benefit_kind = models.CharField(max_length=24, choices=BenefitKind.choices)
    code_used = models.CharField(max_length=40, blank=True)
    customer_key = models.CharField(max_length=64, blank=True, db_index=True)
    customer_segment = models.CharField(max_length=32, blank=True)
    customer_tier = models.CharField(max_length=32, blank=True)
    station = models.ForeignKey(
        Station, null=True, on_delete=models.PROTECT, related_name="redemptions"
    )
    charger = models.ForeignKey(
        Charger, null=True, on_delete=models.PROTECT, related_name="redemptions"
    )
    station_code = models.CharField(max_length=64)
    charger_code = models.CharField(max_length=64)
    region_code = RegionCodeField(max_length=16, blank=True)
    city_code = models.CharField(max_length=32, blank=True)
    site_kind = models.CharField(max_length=16, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    energy_kwh = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    gross_amount = _money("gross (pre-tax, before discounts)")
    surge_amount = _money("surge")
    discount = _money("discount")
    wheeling_amount = _money("wheeling charge")
    tax_amount = _money("tax")
    net_amount = _money("net (amount payable)")
    # parts of the payable that are not the operator's revenue (pricing.engine.fees)
    finder_fee_amount = _money("buyer finder fee (paid to the BAP)")
    buffer_amount = _money("overcharge buffer (held, released at settlement)")
    kwh_drawn = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    held_out = models.BooleanField(default=False)
    session_start = models.DateTimeField()
    session_end = models.DateTimeField(null=True, blank=True)
    session_start_hour = models.PositiveSmallIntegerField(help_text="Local hour, 0-23.")
    requested_kwh = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    requested_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    use_returned = models.BooleanField(
        default=False, help_text="This step gave the offer's use back (cancel, or settled to 0)."
    )
    customer_facts = models.JSONField(
        default=dict, blank=True, help_text="Membership, referral, join date, first session."
    )
    terms = models.JSONField(
        default=dict, blank=True, help_text="The offer's terms when redeemed (settlement)."
    )
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        # Every step of an order (quote, confirm, settle, reverse, held out): not every
        # row is a redemption; a use is a settled one (offers.services.uses).
        verbose_name = "offer ledger row"
        verbose_name_plural = "offer ledger rows"
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_ref", "offer", "kind", "seq"], name="one_ledger_row_per_step"
            ),
        ]
        indexes = [
            models.Index(fields=["operator", "kind", "occurred_at"]),
            models.Index(fields=["offer", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_ref} {self.kind} {self.offer_code} {self.discount}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The redemption ledger is append-only: rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The redemption ledger is append-only: rows are never deleted.")
