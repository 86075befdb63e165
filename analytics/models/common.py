"""Field helpers of the derived tables."""

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
