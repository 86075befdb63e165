"""Raise and clear grid-stress signals (the admin and the REST endpoint share these)."""

from __future__ import annotations

from django.utils import timezone

from cpo_portal.models import Operator, Station
from pricing.models import GridSignal


def raise_signal(
    operator: Operator,
    *,
    by=None,
    station: Station | None = None,
    region_code: str = "",
    note: str = "",
) -> GridSignal:
    signal = GridSignal(
        operator=operator,
        station=station,
        region_code=region_code,
        note=note,
        raised_by=by if getattr(by, "is_authenticated", False) else None,
        raised_at=timezone.now(),
    )
    signal.full_clean()
    signal.save()
    return signal


def clear_signal(signal: GridSignal) -> GridSignal:
    """Idempotent: a cleared signal keeps its first clearing time."""
    if signal.cleared_at is None:
        signal.cleared_at = timezone.now()
        signal.save(update_fields=["cleared_at", "updated_at"])
    return signal
