"""Field helpers and the measures every figure table carries."""

from __future__ import annotations

from django.db import models


def _money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=0)


def derived_fk(
    to: type[models.Model] | str, *, optional: bool = False, indexed: bool = True
) -> models.ForeignKey:
    """A foreign key of a derived table (rollups.py says why): no database constraint, no
    reverse accessor, and an index only where no composite or unique index leads with it."""
    return models.ForeignKey(
        to,
        null=optional,
        blank=optional,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=indexed,
    )


def _kwh(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=3, default=0)


class Measures(models.Model):
    """Additive figures: sessions count once (under their primary offer), money and
    counts add up across rows of the same table."""

    sessions = models.PositiveIntegerField(default=0)
    energy_kwh = _kwh("energy (kWh)")
    gross_revenue = _money("gross revenue (pre-tax, before discounts)")
    discount_cost = _money("discount cost (settled)")
    surge_revenue = _money("surge revenue")
    net_revenue = _money("net revenue (pre-tax, after discounts)")
    tax = _money("tax")
    redemptions = models.PositiveIntegerField(default=0)
    reversals = models.PositiveIntegerField(default=0)
    recovered_discount = _money("discount recovered by reversals")
    held_out_sessions = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
