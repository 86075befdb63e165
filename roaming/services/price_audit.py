"""The price audit: received CDRs priced by the tariff each names (tariff_audit: the OCPI
calculator over the CDR's own charging periods), each difference with its cause, by
station. Only the unexplained differences are mis-billing, and only they are listed by
default; the explained ones (our offers, a surge OCPI does not publish, parking, metering,
a different tariff) are counted by cause.

Amounts compared are before VAT (the CDR's total_cost.excl_vat and the tariff's price
excl. VAT): VAT is the tax authority's, the tariff is ours. A CDR that could not be
priced is counted apart with its reason, never as a difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Abs

from roaming.models import DIFFERENCE, AuditCause, ReceivedCdr

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
EXPLAINED = [c for c in AuditCause if c not in (AuditCause.MATCHES, AuditCause.UNPRICED,
                                                 AuditCause.UNEXPLAINED)]  # fmt: skip
DIFFERS = Q(audit_excl_vat__isnull=False) & ~Q(audit_cause=AuditCause.MATCHES)
WRONG = Q(audit_cause=AuditCause.UNEXPLAINED)


def _measures() -> dict:
    return {
        "sessions": Count("pk"),
        "unpriced": Count("pk", filter=Q(audit_cause=AuditCause.UNPRICED)),
        "differing": Count("pk", filter=DIFFERS),
        "unexplained": Count("pk", filter=WRONG),
        "difference": Sum(DIFFERENCE, filter=WRONG),
        "absolute": Sum(Abs(DIFFERENCE), filter=WRONG),
    }


@dataclass(frozen=True, slots=True)
class StationAudit:
    station_id: int | None
    station: str
    sessions: int
    unpriced: int
    differing: int  # billed at another price than their tariff, for whatever cause
    unexplained: int  # of those, the ones no cause accounts for: mis-billing
    difference: Decimal  # charged - tariff over the unexplained (positive: paid more)
    absolute: Decimal  # |charged - tariff| over the unexplained

    @property
    def share(self) -> Decimal:
        """Share of the priced sessions billed wrongly (unexplained), in percent."""
        priced = self.sessions - self.unpriced
        if not priced:
            return ZERO
        return (Decimal(self.unexplained) * 100 / priced).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class CauseCount:
    cause: AuditCause
    sessions: int
    difference: Decimal


@dataclass(frozen=True, slots=True)
class Audit:
    stations: list[StationAudit]
    total: StationAudit
    causes: list[CauseCount]  # the explained differences, by cause
    rows: list[ReceivedCdr]  # the listed CDRs (unexplained by default), largest first
    shown: str  # which rows are listed, in words
    unpriced: list[ReceivedCdr]  # CDRs that could not be priced, with their reason
    pending: int  # CDRs not audited yet (audited in the background)


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
        unexplained=values["unexplained"],
        difference=_cents(values["difference"]),
        absolute=_cents(values["absolute"]),
    )


def _cents(total: Any) -> Decimal:
    """A sum of amounts, in rupees and paise on every database (SQLite's SUM drops the
    places: 10.00 + 0.00 comes back as 10)."""
    return Decimal(total or 0).quantize(CENT)


def audit(cdrs: QuerySet[ReceivedCdr], cause: str = "", rows: int = 200) -> Audit:
    """The audit of `cdrs` (already scoped to the user's operators and filtered), as found
    when each was received (roaming.tasks.audit_received; this writes nothing): per
    station (most unexplained first), the total, the explained differences by cause, and
    the CDRs of `cause` (default: unexplained; "all": every difference) themselves."""
    per = cdrs.values("station_id", "station__code", "station__name").annotate(**_measures())
    stations = sorted(
        (
            _audit(v, v["station_id"], f"{v['station__name']} ({v['station__code']})")
            for v in per.order_by()
        ),
        key=lambda s: (-s.unexplained, -s.absolute, s.station),
    )
    whole = cdrs.order_by().aggregate(**_measures())
    by_cause = (
        cdrs.filter(audit_cause__in=EXPLAINED)
        .values("audit_cause")
        .annotate(n=Count("pk"), d=Sum(DIFFERENCE))
        .order_by()
    )
    causes = sorted(
        (CauseCount(AuditCause(c["audit_cause"]), c["n"], _cents(c["d"])) for c in by_cause),
        key=lambda c: (-c.sessions, c.cause),
    )
    if cause == "all":
        chosen, shown = DIFFERS, "every session billed at another price, whatever the cause"
    elif cause in EXPLAINED:
        chosen, shown = Q(audit_cause=cause), f"explained by: {AuditCause(cause).label.lower()}"
    else:
        chosen, shown = WRONG, "unexplained differences only (mis-billing)"
    listed = (
        cdrs.filter(chosen)
        .select_related("station", "charger", "operator")
        .annotate(gap=Abs(DIFFERENCE))
        .order_by("-gap", "-session_start")[:rows]
    )
    unpriced = cdrs.filter(audit_cause=AuditCause.UNPRICED).select_related("station")
    return Audit(
        stations,
        _audit(whole, None, "All stations"),
        causes,
        list(listed),
        shown,
        list(unpriced.order_by("-session_start")[:50]),
        cdrs.filter(audit_cause="").count(),
    )
