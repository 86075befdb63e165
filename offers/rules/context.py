"""Everything the offers of one quote read from the session and the facts, worked out once
per quote: the local start (day, weekday, wall time), whether it is a holiday, the
station's age, the amounts. Compiled offers (compiled.py) and the index read these fields
instead of converting datetimes and summing lines once per offer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from offers.rules.bases import SessionView
from offers.rules.facts import CustomerFacts, OfferFacts
from offers.rules.types import Base
from pricing.engine.money import ZERO
from pricing.engine.types import PricedSession, Site

UTC = dt.UTC
_new_tuple = tuple.__new__
_ENERGY, _FEE, _GROSS = Base.ENERGY, Base.SERVICE_FEE, Base.GROSS  # enum members read once


class QuoteContext(NamedTuple):
    """Immutable like the data types, but a NamedTuple: it is built once per quote and
    read a few hundred times, and a tuple is several times cheaper to build than a
    frozen dataclass of this many fields."""

    view: SessionView
    facts: OfferFacts
    site: Site
    customer: CustomerFacts
    currency: str
    operator_code: str  # the quoting operator; empty: offers of any operator
    start: dt.datetime  # UTC
    latest: dt.datetime  # the start, or the quote time if later: ended by then is expired
    day: dt.date  # local date of the start
    weekday: int
    today: int  # 1 << weekday
    yesterday: int  # 1 << the day before's weekday
    hour: int
    tus: int  # local wall time of the start, microseconds since midnight
    holiday: bool
    days_open: int | None  # days since the station opened (None: not known)
    lat: float | None
    lon: float | None
    kwh: Decimal
    gross: Decimal
    left: Mapping[Base, Decimal]  # what each base has to discount (Bases.available)

    @classmethod
    def of(cls, priced: PricedSession, facts: OfferFacts) -> QuoteContext:
        view = SessionView.of(priced)
        bases, station = view.bases, facts.station
        start = priced.start.astimezone(UTC)
        now = facts.now
        latest = start if now is None else max(start, now.astimezone(UTC))
        local = view.start_local
        day = local.date()
        weekday = day.weekday()
        tus = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000
        opened = station.opened_on
        energy, fee, gross = bases.energy, bases.fee, bases.gross  # as Bases.available reads them
        return _new_tuple(  # the fields in order, without the NamedTuple's own __new__
            cls,
            (
                view,
                facts,
                priced.request.site,
                facts.customer,
                priced.tariff.currency,
                facts.operator_code,
                start,
                latest,
                day,
                weekday,
                1 << weekday,
                1 << (weekday + 6) % 7,
                local.hour,
                tus + local.microsecond,
                day in facts.holidays,
                None if opened is None else (day - opened).days,
                station.lat,
                station.lon,
                priced.kwh,
                gross,
                {
                    _ENERGY: max(min(energy, gross), ZERO),
                    _FEE: max(min(fee, gross), ZERO),
                    _GROSS: max(gross, ZERO),
                },
            ),
        )
