"""Everything an offer's conditions read from one priced session and its facts, worked out
once per quote: the local start (day, weekday, wall time), whether it is a holiday, the
station's age, the amounts. The conditions (conditions.py) and the index read these fields
instead of converting datetimes and summing lines once per offer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from offers.rules.bases import Bases, SessionView
from offers.rules.facts import CustomerFacts, OfferFacts
from pricing.engine import PricedSession, Site

UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class QuoteContext:
    view: SessionView
    facts: OfferFacts
    site: Site
    customer: CustomerFacts
    currency: str
    operator_code: str  # the quoting operator; empty: offers of any operator
    start: dt.datetime  # UTC
    latest: dt.datetime  # the start, or the quote time if later: ended by then is expired
    start_local: dt.datetime
    at_text: str  # the local start as messages write it: "Sun 10:00"
    day: dt.date  # local date of the start
    weekday: int
    hour: int
    tus: int  # local wall time of the start, microseconds since midnight
    holiday: bool
    days_open: int | None  # days since the station opened (None: not known)
    lat: float | None
    lon: float | None
    kwh: Decimal
    gross: Decimal  # pre-tax gross (a combo reads the cart's: session and add-ons)

    @classmethod
    def of(
        cls, priced: PricedSession, facts: OfferFacts, *, view: SessionView | None = None
    ) -> QuoteContext:
        """`view`: the session's view, if the caller has one already."""
        view = view or SessionView.of(priced)
        station, local = facts.station, view.start_local
        start = priced.start.astimezone(UTC)
        latest = start if facts.now is None else max(start, facts.now.astimezone(UTC))
        day = local.date()
        opened = station.opened_on
        return cls(
            view=view,
            facts=facts,
            site=priced.request.site,
            customer=facts.customer,
            currency=priced.tariff.currency,
            operator_code=facts.operator_code,
            start=start,
            latest=latest,
            start_local=local,
            at_text=f"{local:%a %H:%M}",
            day=day,
            weekday=day.weekday(),
            hour=local.hour,
            tus=((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000
            + local.microsecond,
            holiday=day in facts.holidays,
            days_open=None if opened is None else (day - opened).days,
            lat=station.lat,
            lon=station.lon,
            kwh=priced.kwh,
            gross=view.bases.gross,
        )

    @property
    def priced(self) -> PricedSession:
        return self.view.priced

    @property
    def bases(self) -> Bases:
        return self.view.bases

    def with_gross(self, gross: Decimal) -> QuoteContext:
        return dataclasses.replace(self, gross=gross)
