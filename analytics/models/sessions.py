"""Sessions the ledger does not see: those in which no offer was given."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q, QuerySet

from cpo_portal.db.regions import RegionCodeField
from cpo_portal.models import Operator, Station
from offers.models import AppendOnlyError, AppendOnlyQuerySet, SessionChannel


class NoOfferSession(models.Model):
    """A delivered session in which no offer was given, by any channel.

    The redemption ledger writes one row per offer per step, so a session without an
    offer leaves no trace there; yet baselines (revenue before an offer started) and
    surge impact (all demand) need every session. This append-only table is the ledger's
    complement: one row per order that settled without an offer (held-out customers
    included), with the ledger's own column names for what both record, and one row per
    session that came by another channel (a CDR the operator's charging system sent: its
    `channel` says which; the ledger's own rows are all Beckn). Written by
    services.sessions.record_session and record_received_sessions; rolled up with the
    ledger as offer "none".
    """

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    order_ref = models.CharField(max_length=100, unique=True)
    channel = models.CharField(
        max_length=8, choices=SessionChannel.choices, default=SessionChannel.BECKN
    )
    station = models.ForeignKey(Station, null=True, on_delete=models.PROTECT, related_name="+")
    charger = models.ForeignKey(
        "cpo_portal.Charger", null=True, on_delete=models.PROTECT, related_name="+"
    )
    station_code = models.CharField(max_length=64)
    charger_code = models.CharField(max_length=64)
    region_code = RegionCodeField(max_length=16, blank=True)
    city_code = models.CharField(max_length=32, blank=True)
    site_kind = models.CharField(max_length=16, blank=True)
    customer_key = models.CharField(max_length=64, blank=True)
    customer_segment = models.CharField(max_length=32, blank=True)
    customer_tier = models.CharField(max_length=32, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    energy_kwh = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    gross_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    surge_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    net_amount = models.DecimalField("net (amount payable)", max_digits=12, decimal_places=2)
    # parts of the payable that are not the operator's revenue (pricing.engine.fees)
    finder_fee_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    buffer_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    session_start = models.DateTimeField()
    session_end = models.DateTimeField(null=True, blank=True)
    session_start_hour = models.PositiveSmallIntegerField(help_text="Local hour, 0-23.")
    occurred_at = models.DateTimeField(db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["operator", "occurred_at"], name="nooffer_operator_at")]

    def __str__(self) -> str:
        return f"{self.order_ref} (no offer) {self.net_amount}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Sessions are append-only: rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Sessions are append-only: rows are never deleted.")


# The sessions the figures count, one rule for every page, CSV, API call, what-if and the
# rollups: those billed in their operator's currency. Every figure sums amounts as that
# currency and no rate is stored to convert another; a CDR in another currency is refused
# at import (roaming.services.cdr_intake.check_currency), but rows stored before that may
# hold one. They stay stored, out of every figure (analytics.checks names them).
IN_OPERATOR_CURRENCY = Q(currency=F("operator__currency"))
# The same test on a session row's columns, for the rollups' SQL (rollup.sql reads the
# sessions through it): `currency` and `operator_id` are the row's own, unqualified.
_OPERATORS = Operator._meta.db_table
IN_OPERATOR_CURRENCY_SQL = (
    f"currency = (SELECT op.currency FROM {_OPERATORS} op WHERE op.id = operator_id)"  # noqa: S608 (a model's table)
)


def counted(rows: QuerySet[NoOfferSession]) -> QuerySet[NoOfferSession]:
    """The sessions among `rows` that the figures count (IN_OPERATOR_CURRENCY)."""
    return rows.filter(IN_OPERATOR_CURRENCY)
