"""Our tariffs as OCPI 2.2.1 Tariff objects (the Tariffs module's sender interface).

pricing writes the object (pricing.services.ocpi.export_ocpi); this module chooses which
tariffs are published and stamps them with our party. What is published for a tariff:

- its base prices, exactly as the quote engine uses them; surge rules are not in it
  (docs/ocpi.md, "One price on both protocols");
- tax-inclusive prices converted to OCPI's excl.-VAT prices (export_ocpi with
  convert_tax_inclusive: 6 decimals);
- a tariff with a parking grace period is not published: OCPI 2.2.1 cannot say it, and
  export_ocpi refuses it (`publishable` leaves it out of lists and counts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from cpo_portal.db import values
from pricing.engine import format_datetime
from pricing.models import Tariff
from pricing.services import export_ocpi
from roaming.services import parties

# The tariffs export_ocpi can write: kept OCPI JSON, or no parking grace period.
PUBLISHABLE = Q(active=True) & (Q(idle_grace_minutes=0) | Q(ocpi__isnull=False))


def with_published(rows: QuerySet[Tariff]) -> QuerySet[Tariff]:
    """The rows, each with `published`: whether we publish it now (PUBLISHABLE)."""
    return rows.annotate(published=ExpressionWrapper(PUBLISHABLE, output_field=BooleanField()))


def is_published(tariff_id: int) -> bool:
    return Tariff.objects.filter(PUBLISHABLE, pk=tariff_id).exists()


def ocpi_id(tariff: Tariff) -> str:
    return values.ocpi_id_of(tariff.code)


def published(operator_id: int) -> QuerySet[Tariff]:
    """The operator's published tariffs, oldest first (stable pages)."""
    return (
        Tariff.objects.filter(PUBLISHABLE, operator_id=operator_id)
        .select_related("operator")
        .prefetch_related("bands")
        .order_by("pk")
    )


def find(operator_id: int, object_id: str) -> Tariff | None:
    """The published tariff with this OCPI id, ignoring case (values.ocpi_key), if there is
    one now."""
    rows = published(operator_id).filter(code__istartswith=object_id)
    key = values.ocpi_key(object_id)
    return next((t for t in rows if values.ocpi_key(t.code) == key), None)


def tariff_object(tariff: Tariff) -> dict[str, Any]:
    """The Tariff object as we publish it, under our party and id."""
    data = dict(export_ocpi(tariff, convert_tax_inclusive=True))  # published() rows only
    data["country_code"] = parties.country_code()
    data["party_id"] = parties.party_id(tariff.operator)
    data["id"] = ocpi_id(tariff)
    data["last_updated"] = format_datetime(tariff.updated_at)
    return data


def objects(rows: QuerySet[Tariff]) -> list[dict[str, Any]]:
    return [tariff_object(t) for t in rows]
