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

from . import tariff_audit

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
AUDITED_PER_VIEW = 2000  # CDRs not audited yet priced on one visit (or stored by one POST)
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
    pending: int  # CDRs not audited yet (more than one visit prices)


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


def store_pending(cdrs: QuerySet[ReceivedCdr]) -> int:
    """Price and store the findings of up to AUDITED_PER_VIEW of `cdrs` not audited yet
    (the audit page's POST); the number stored."""
    return tariff_audit.audit(tariff_audit.pending(cdrs, AUDITED_PER_VIEW))


def _priced_now(cdrs: QuerySet[ReceivedCdr]) -> list[ReceivedCdr]:
    """Up to AUDITED_PER_VIEW CDRs not audited yet, each given its finding in memory
    (nothing is stored: a visit of the page reads only)."""
    rows = list(tariff_audit.pending(cdrs, AUDITED_PER_VIEW))
    for cdr in rows:
        finding = tariff_audit.audit_one(cdr)
        cdr.audit_excl_vat, cdr.audit_cause, cdr.audit_note = (
            finding.price,
            finding.cause,
            finding.note,
        )
    return rows


def _add(values: dict[str, Any], cdr: ReceivedCdr) -> None:
    """Count a CDR priced in memory into the measures the database gave (where it counted
    only as a session)."""
    gap = cdr.difference
    values["unpriced"] += cdr.audit_cause == AuditCause.UNPRICED
    values["differing"] += gap is not None and cdr.audit_cause != AuditCause.MATCHES
    if cdr.audit_cause == AuditCause.UNEXPLAINED and gap is not None:
        values["unexplained"] += 1
        values["difference"] = (values["difference"] or 0) + gap
        values["absolute"] = (values["absolute"] or 0) + abs(gap)


def _listed(cdr: ReceivedCdr, cause: str) -> bool:
    if cause == "all":
        return cdr.audit_excl_vat is not None and cdr.audit_cause != AuditCause.MATCHES
    if cause in EXPLAINED:
        return cdr.audit_cause == cause
    return cdr.audit_cause == AuditCause.UNEXPLAINED


def audit(cdrs: QuerySet[ReceivedCdr], cause: str = "", rows: int = 200) -> Audit:
    """The audit of `cdrs` (already scoped to the user's operators and filtered), the ones
    not audited yet priced in memory (never stored here: store_pending stores them): per
    station (most unexplained first), the total, the explained differences by cause, and
    the CDRs of `cause` (default: unexplained; "all": every difference) themselves."""
    fresh = _priced_now(cdrs)
    per = {
        v["station_id"]: dict(v)
        for v in cdrs.values("station_id", "station__code", "station__name")
        .annotate(**_measures())
        .order_by()
    }
    whole = cdrs.order_by().aggregate(**_measures())
    for cdr in fresh:
        _add(per[cdr.station_id], cdr)
        _add(whole, cdr)
    stations = sorted(
        (
            _audit(v, v["station_id"], f"{v['station__name']} ({v['station__code']})")
            for v in per.values()
        ),
        key=lambda s: (-s.unexplained, -s.absolute, s.station),
    )
    by_cause = (
        cdrs.filter(audit_cause__in=EXPLAINED)
        .values("audit_cause")
        .annotate(n=Count("pk"), d=Sum(DIFFERENCE))
        .order_by()
    )
    counted = {c["audit_cause"]: [c["n"], c["d"] or 0] for c in by_cause}
    for cdr in fresh:
        if cdr.audit_cause in EXPLAINED:
            count = counted.setdefault(cdr.audit_cause, [0, 0])
            count[0] += 1
            count[1] += cdr.difference or 0
    causes = sorted(
        (CauseCount(AuditCause(c), n, _cents(d)) for c, (n, d) in counted.items()),
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
    newest_first = [*listed, *(c for c in fresh if _listed(c, cause))]
    newest_first.sort(key=lambda c: c.session_start, reverse=True)
    newest_first.sort(key=lambda c: abs(c.difference or 0), reverse=True)
    unpriced = cdrs.filter(audit_cause=AuditCause.UNPRICED).select_related("station")
    not_priced = [
        *unpriced.order_by("-session_start")[:50],
        *(c for c in fresh if c.audit_cause == AuditCause.UNPRICED),
    ]
    not_priced.sort(key=lambda c: c.session_start, reverse=True)
    return Audit(
        stations,
        _audit(whole, None, "All stations"),
        causes,
        newest_first[:rows],
        shown,
        not_priced[:50],
        cdrs.filter(audit_cause="").count() - len(fresh),
    )
