"""Each received CDR priced by the tariff it names, and the cause of any difference.

The price: the OCPI Tariff the CDR names (its charging periods' `tariff_id`, else its
`tariffs[0].id`; naming none, the charger's own tariff), as we publish it, through the
product's OCPI calculator (pricing.engine.calculate) over the CDR's own charging periods:
their energy, their time, their parking time, and the tariff's flat fee. Before VAT.

When the bill differs, the cause is the first of these that accounts for it to the paisa:

- OFFER: one of our offers was given on the order the CDR names (its settled discounts);
- SURGE: a surge rule priced the session (our Beckn quote's surge lines), which the OCPI
  tariff does not publish (docs/ocpi.md, "One price on both protocols");
- PARKING: the bill leaves out the parking time the tariff charges;
- METERING: the bill is the tariff's price at constant power over the session (its total
  energy), not over its charging periods;
- TARIFF: the bill is another of the operator's published tariffs' price;
- UNEXPLAINED: none of these: mis-billing, the only rows the audit lists by default.

A CDR that cannot be priced says why (billed in another currency, a tariff we do not
publish, charging periods the calculator refuses) and is never counted as a difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum

from cpo_portal.formatting import money_text
from offers.models import Redemption, RedemptionKind
from pricing.engine import (
    ChargingPeriod,
    LineKind,
    OcpiSession,
    OcpiSessionError,
    OcpiTariff,
    calculate,
    constant_power_session,
    money,
    parse_tariff,
)
from pricing.models import Tariff
from pricing.services import SessionToQuote, quote_sessions, tariff_for
from roaming.models import AuditCause, ReceivedCdr

from . import published_tariffs

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
FIELDS = ["audit_excl_vat", "audit_cause", "audit_note"]
BATCH = 500  # CDRs audited per transaction


class Unpriced(ValueError):
    """The CDR cannot be priced by the tariff it names: the message says why."""


@dataclass(frozen=True, slots=True)
class Finding:
    price: Decimal | None  # by the tariff it names, excl. VAT
    cause: AuditCause
    note: str


def _time(value: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def named_tariff_id(data: dict[str, Any]) -> str:
    for period in data.get("charging_periods") or ():
        if isinstance(period, dict) and period.get("tariff_id"):
            return str(period["tariff_id"])
    tariffs = data.get("tariffs") or ()
    first = tariffs[0] if tariffs and isinstance(tariffs[0], dict) else {}
    return str(first.get("id") or "")


def session_of(cdr: ReceivedCdr, *, parking: bool = True) -> OcpiSession:
    """The CDR's own charging periods as an OCPI session: each lasts until the next one
    starts (the last until the CDR's end); ENERGY is its kWh; a period with PARKING_TIME
    and no energy is parking. Without `parking`, parking periods are left out."""
    raw = [p for p in cdr.data.get("charging_periods") or () if isinstance(p, dict)]
    try:
        starts = [_time(p["start_date_time"]) for p in raw]
    except (KeyError, ValueError) as exc:
        raise Unpriced(f"a charging period has no readable start ({exc})") from None
    ends = [*starts[1:], cdr.session_end]
    periods = []
    for p, start, end in zip(raw, starts, ends, strict=True):
        volumes = {
            str(d.get("type")): Decimal(str(d.get("volume", 0)))
            for d in p.get("dimensions") or ()
            if isinstance(d, dict)
        }
        kwh = volumes.get("ENERGY", ZERO)
        is_parking = "PARKING_TIME" in volumes and not kwh
        if end <= start or (is_parking and not parking):
            continue
        periods.append(ChargingPeriod(end - start, kwh, parking=is_parking))
    if not periods:
        raise Unpriced("the CDR has no charging period to price")
    try:
        return OcpiSession(starts[0], tuple(periods))
    except OcpiSessionError as exc:
        raise Unpriced(f"its charging periods cannot be priced: {exc}") from None


def _ocpi(tariff: Tariff) -> OcpiTariff:
    try:
        return parse_tariff(published_tariffs.tariff_object(tariff))
    except ValueError as exc:  # export_ocpi's OcpiError, parse_tariff's OcpiTariffError
        raise Unpriced(f"tariff {tariff.code} has no OCPI form: {exc}") from None


def tariff_named(cdr: ReceivedCdr) -> tuple[OcpiTariff, str]:
    """The OCPI tariff the CDR names, as we publish it, and how it was found."""
    named = named_tariff_id(cdr.data)
    if named:
        ours = published_tariffs.find(cdr.operator_id, named)
        if ours is None:
            raise Unpriced(f"it names tariff {named}, which we do not publish")
        return _ocpi(ours), f"tariff {named}"
    own = tariff_for(cdr.charger)
    if own is None:
        raise Unpriced(f"it names no tariff and charger {cdr.charger.code} has none")
    return _ocpi(own), f"tariff {published_tariffs.ocpi_id(own)} (the charger's; it names none)"


def price(tariff: OcpiTariff, session: OcpiSession, time_zone: str) -> Decimal:
    return money(calculate(tariff, session, time_zone).total_excl_vat)  # half-up


def _offer_discount(cdr: ReceivedCdr) -> Decimal:
    ref = cdr.authorization_reference
    if not ref:
        return ZERO
    given = Redemption.objects.filter(
        order_ref=ref, operator_id=cdr.operator_id, kind=RedemptionKind.SETTLED
    ).aggregate(total=Sum("discount"))["total"]
    return Decimal(given or 0).quantize(CENT)


def _surge(cdr: ReceivedCdr) -> Decimal:
    ask = SessionToQuote(cdr.charger, cdr.session_start, kwh=cdr.energy_kwh, end=cdr.session_end)
    quote = quote_sessions([ask])[0]
    if isinstance(quote, Exception):
        return ZERO
    return quote.sum_of(LineKind.SURGE).quantize(CENT)


def explain(cdr: ReceivedCdr, tariff: OcpiTariff, session: OcpiSession, ours: Decimal):
    """The cause of `cdr`'s bill differing from `ours` (its tariff's price)."""
    zone, billed, money = cdr.station.time_zone, cdr.charged_excl_vat, cdr.currency
    gap = billed - ours
    discount = _offer_discount(cdr)
    if discount and ours - discount == billed:
        return AuditCause.OFFER, f"our offers gave {money_text(discount, money)} on its order"
    surge = _surge(cdr)
    if surge and ours + surge == billed:
        return AuditCause.SURGE, f"a surge of {money_text(surge, money)} (not in the OCPI tariff)"
    if any(p.parking for p in session.periods):
        without = price(tariff, session_of(cdr, parking=False), zone)
        if without == billed:
            left = money_text(ours - without, money)
            return AuditCause.PARKING, f"the bill leaves out {left} of parking time"
    try:
        even = constant_power_session(cdr.session_start, cdr.session_end, kwh=cdr.energy_kwh)
        if price(tariff, even, zone) == billed:
            return (
                AuditCause.METERING,
                "billed at constant power over the session, not by its charging periods",
            )
    except OcpiSessionError:
        pass
    for other in published_tariffs.published(cdr.operator_id):
        if published_tariffs.ocpi_id(other) == tariff.id:
            continue
        try:
            if price(_ocpi(other), session, zone) == billed:
                return AuditCause.TARIFF, f"billed as tariff {published_tariffs.ocpi_id(other)}"
        except (Unpriced, OcpiSessionError):
            continue
    sign = "more" if gap > 0 else "less"
    return AuditCause.UNEXPLAINED, f"billed {money_text(abs(gap), money)} {sign} than its tariff"


def audit_one(cdr: ReceivedCdr) -> Finding:
    try:
        tariff, found = tariff_named(cdr)
        if tariff.currency != cdr.currency:
            raise Unpriced(f"billed in {cdr.currency}; {found} is in {tariff.currency}")
        session = session_of(cdr)
        ours = price(tariff, session, cdr.station.time_zone)
    except (Unpriced, OcpiSessionError) as exc:
        return Finding(None, AuditCause.UNPRICED, f"not priced: {exc}"[:300])
    if ours == cdr.charged_excl_vat:
        return Finding(ours, AuditCause.MATCHES, f"priced by {found}"[:300])
    cause, note = explain(cdr, tariff, session, ours)
    return Finding(ours, cause, f"{note}; priced by {found}"[:300])


def audit(cdrs: Iterable[ReceivedCdr]) -> int:
    """Audit CDRs not audited yet (each stored with its price, cause and note)."""
    done: list[ReceivedCdr] = []
    for cdr in cdrs:
        finding = audit_one(cdr)
        cdr.audit_excl_vat, cdr.audit_cause, cdr.audit_note = (
            finding.price,
            finding.cause,
            finding.note,
        )
        done.append(cdr)
    ReceivedCdr.objects.bulk_update(done, FIELDS, batch_size=500)
    return len(done)


def pending(cdrs, limit: int) -> Sequence[ReceivedCdr]:
    rows = cdrs.filter(audit_cause="").select_related("station", "charger", "operator")
    return list(rows.order_by("pk")[:limit])


def audit_pending(cdrs: QuerySet[ReceivedCdr], batches: int, batch: int = BATCH) -> int:
    """Audit the CDRs of `cdrs` not audited yet, `batch` at a time, each batch in a
    transaction of its own, until none is left or `batches` batches are done; the CDRs
    another worker is auditing are left to it. Returns how many were audited."""
    done = 0
    for _ in range(batches):
        with transaction.atomic():
            mine = cdrs.select_for_update(skip_locked=True, of=("self",))
            rows = pending(mine, batch)
            if not rows:
                break
            done += audit(rows)
    return done
