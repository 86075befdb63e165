"""The price audit: received CDRs whose bill differs from our own price for the same
session (time, place, energy), by station, so that a charger billing an outdated tariff
shows at once.

Amounts compared are before VAT (the CDR's total_cost.excl_vat and our quote's total less
its tax): VAT is the tax authority's, the tariff is ours. A CDR we could not price (no
tariff, another currency) is counted apart, never as a difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Abs

from roaming.models import DIFFERENCE, ReceivedCdr

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
DIFFERS = Q(our_excl_vat__isnull=False) & ~Q(charged_excl_vat=F("our_excl_vat"))


def _measures() -> dict:
    return {
        "sessions": Count("pk"),
        "unpriced": Count("pk", filter=Q(our_excl_vat__isnull=True)),
        "differing": Count("pk", filter=DIFFERS),
        "difference": Sum(DIFFERENCE, filter=DIFFERS),
        "absolute": Sum(Abs(DIFFERENCE), filter=DIFFERS),
    }


@dataclass(frozen=True, slots=True)
class StationAudit:
    station_id: int | None
    station: str
    sessions: int
    unpriced: int
    differing: int
    difference: Decimal  # charged - ours, summed (positive: customers paid more)
    absolute: Decimal  # |charged - ours|, summed

    @property
    def share(self) -> Decimal:
        """Share of the priced sessions billed at another price, in percent."""
        priced = self.sessions - self.unpriced
        if not priced:
            return ZERO
        return (Decimal(self.differing) * 100 / priced).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class Audit:
    stations: list[StationAudit]
    total: StationAudit
    rows: list[ReceivedCdr]  # the differing CDRs, largest difference first


def window(
    cdrs: QuerySet[ReceivedCdr], date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[ReceivedCdr]:
    if date_from:
        cdrs = cdrs.filter(session_start__date__gte=date_from)
    if date_to:
        cdrs = cdrs.filter(session_start__date__lte=date_to)
    return cdrs


def _audit(values: Mapping[str, Any], station_id: int | None, name: str) -> StationAudit:
    return StationAudit(
        station_id=station_id,
        station=name,
        sessions=values["sessions"],
        unpriced=values["unpriced"],
        differing=values["differing"],
        difference=_cents(values["difference"]),
        absolute=_cents(values["absolute"]),
    )


def _cents(total: Any) -> Decimal:
    """A sum of amounts, in rupees and paise on every database (SQLite's SUM drops the
    places: 10.00 + 0.00 comes back as 10)."""
    return Decimal(total or 0).quantize(CENT)


def audit(cdrs: QuerySet[ReceivedCdr], rows: int = 200) -> Audit:
    """The audit of `cdrs` (already scoped to the user's operators and filtered): per
    station (most differing first), the total, and the differing CDRs themselves."""
    per = cdrs.values("station_id", "station__code", "station__name").annotate(**_measures())
    stations = sorted(
        (
            _audit(v, v["station_id"], f"{v['station__name']} ({v['station__code']})")
            for v in per.order_by()
        ),
        key=lambda s: (-s.differing, -s.absolute, s.station),
    )
    whole = cdrs.order_by().aggregate(**_measures())
    differing = (
        cdrs.filter(DIFFERS)
        .select_related("station", "charger", "operator")
        .annotate(gap=Abs(DIFFERENCE))
        .order_by("-gap", "-session_start")[:rows]
    )
    return Audit(stations, _audit(whole, None, "All stations"), list(differing))
