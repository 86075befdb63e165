"""Price books for tariffs kept as OCPI JSON: the OCPI calculator prices the base.

An imported OCPI tariff whose parts our model cannot express exactly (charging-time prices,
kWh or duration restrictions, ...) keeps its JSON, and its sessions are priced by
pricing.engine.ocpi.calculate, as the OCPI 2.2.1 spec's examples do. The mapped tariff
(what from_ocpi could express) still resolves a rupee amount into kWh and carries the
segments the operator's surge rules are priced on; surge lines are added on top.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from pricing.engine import HUNDRED, QuoteInputError, compile_book
from pricing.engine import text as words
from pricing.engine.ocpi import (
    CostKind,
    CostLine,
    OcpiSessionError,
    OcpiTariff,
    calculate,
    constant_power_session,
)
from pricing.engine.totals import OCPI_VAT
from pricing.engine.types import (
    Conditions,
    LineKind,
    PricedSession,
    QuoteLine,
    SessionRequest,
    SurgeRule,
    Tariff,
)
from pricing.engine.windows import zone_of

_KINDS = {
    CostKind.FLAT: LineKind.SERVICE_FEE,
    CostKind.ENERGY: LineKind.ENERGY,
    CostKind.TIME: LineKind.ENERGY,  # charging time is part of the charging service
    CostKind.PARKING_TIME: LineKind.IDLE_FEE,
    CostKind.RESERVATION_FLAT: LineKind.ADDON,
    CostKind.RESERVATION_TIME: LineKind.ADDON,
    CostKind.MIN_PRICE: LineKind.ADJUSTMENT,
    CostKind.MAX_PRICE: LineKind.ADJUSTMENT,
}


def _title(line: CostLine, currency: str) -> str:
    unit = "kWh" if line.kind is CostKind.ENERGY else "h"
    price = "" if line.price is None else words.rate(line.price, currency, unit)
    if line.kind is CostKind.ENERGY:
        return f"Charging session cost ({words.energy_text(line.billed_volume)} kWh @ {price})"
    if line.kind is CostKind.TIME:
        return f"Charging time ({words.plain(line.billed_volume / 60)} min @ {price})"
    if line.kind is CostKind.PARKING_TIME:
        return f"Parking time ({words.plain(line.billed_volume / 60)} min @ {price})"
    if line.kind is CostKind.FLAT:
        return "Service fee"
    if line.kind is CostKind.MIN_PRICE:
        return "Minimum session price"
    if line.kind is CostKind.MAX_PRICE:
        return "Maximum session price"
    return f"Reservation ({line.kind})"


def quote_line(line: CostLine, tariff: Tariff, item_id: str) -> QuoteLine:
    kind = _KINDS[line.kind]
    rate = None if line.vat_percent is None else line.vat_percent / HUNDRED
    if kind is LineKind.ADJUSTMENT:
        rate = tariff.tax_rate
    element = "" if line.element is None else f"-{line.element}"
    return QuoteLine(
        kind=kind,
        code=f"ocpi-{line.kind}{element}",
        title=_title(line, tariff.currency),
        amount=line.excl_vat,
        kwh=line.billed_volume if line.kind is CostKind.ENERGY else None,
        rate=line.price,
        tax_rate=rate,
        item_id=item_id if kind is LineKind.ENERGY else "",
        tags=((OCPI_VAT, str(line.vat)),),
    )


class OcpiBook:
    """Same interface as PriceBook: .price(request, conditions)."""

    def __init__(self, ocpi: OcpiTariff, mapped: Tariff, surges: Sequence[SurgeRule]) -> None:
        self.ocpi = ocpi
        # OCPI applies its own min/max price; the mapped bounds must not apply twice.
        self.tariff = dataclasses.replace(mapped, min_price=None, max_price=None)
        self.surges = tuple(surges)
        self._book = compile_book(self.tariff, self.surges)

    def _cost(self, priced: PricedSession, request: SessionRequest):
        session = constant_power_session(
            priced.start,
            priced.end,
            kwh=priced.kwh,
            parking=dt.timedelta(minutes=request.idle_minutes),
        )
        try:
            return calculate(self.ocpi, session, zone_of(request.site.time_zone))
        except OcpiSessionError as exc:
            raise QuoteInputError(str(exc)) from exc

    def price(self, request: SessionRequest, conditions: Conditions) -> PricedSession:
        mapped = self._book.price(request, conditions)
        cost = self._cost(mapped, request)
        item = request.site.charger_code
        base = [quote_line(ln, self.tariff, item) for ln in cost.lines]
        surges = [ln for ln in mapped.lines if ln.kind is LineKind.SURGE]
        return dataclasses.replace(mapped, lines=(*base, *surges))
