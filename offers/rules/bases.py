"""The amounts discounts take money off, and what is left of them as offers stack."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from offers.rules.construct import Base
from offers.rules.localtime import local
from pricing.engine import ZERO, LineKind, PricedSession

_ENERGY, _SERVICE_FEE = LineKind.ENERGY, LineKind.SERVICE_FEE
_ENERGY_BASE, _FEE_BASE = Base.ENERGY, Base.SERVICE_FEE


@dataclass(frozen=True, slots=True)
class Bases:
    """What is left to discount, per base. A GROSS discount leaves less of everything:
    energy and fee are read as min(own remainder, gross remainder), so no sequence of
    discounts can take the session below zero."""

    energy: Decimal
    fee: Decimal
    gross: Decimal

    @classmethod
    def of(cls, priced: PricedSession) -> Bases:
        """One pass over the lines (the sums are exact: the same as energy_cost, gross)."""
        energy = fee = gross = ZERO
        for line in priced.lines:
            amount, kind = line.amount, line.kind
            gross += amount
            if kind is _ENERGY:
                energy += amount
            elif kind is _SERVICE_FEE:
                fee += amount
        return Bases(energy, fee, gross)

    def available(self, base: Base) -> Decimal:
        if base is _ENERGY_BASE:
            left = min(self.energy, self.gross)
        elif base is _FEE_BASE:
            left = min(self.fee, self.gross)
        else:
            left = self.gross
        return max(left, ZERO)

    def take(self, base: Base, amount: Decimal) -> Bases:
        energy = self.energy - amount if base is _ENERGY_BASE else self.energy
        fee = self.fee - amount if base is _FEE_BASE else self.fee
        return Bases(energy, fee, self.gross - amount)


@dataclass(frozen=True, slots=True)
class SessionView:
    """What every offer reads from one priced session, worked out once per quote rather
    than once per offer (the lines are summed and the start localised a single time)."""

    priced: PricedSession
    bases: Bases
    start_local: dt.datetime

    @classmethod
    def of(cls, priced: PricedSession) -> SessionView:
        start_local = local(priced.start, priced.request.site.time_zone)
        return SessionView(priced, Bases.of(priced), start_local)

    @property
    def gross(self) -> Decimal:
        return self.bases.gross
