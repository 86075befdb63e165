"""One configuration's prices for past sessions: the quote path's own functions over
books, a catalog and facts loaded once per run.

A live quote is composed by offers.rules.composition.compose: price, candidates, evaluate,
select, combos, finalize, granted. A Configuration calls the same composition with the
same kind of offers (Compete, the operator's combination); what a past session lacks is
said in its arguments: no codes presented, no offer named, no add-ons (so no combos).
What it holds instead of reading per quote: the books (compiled once from the tariffs and
the surge rules given), the offer index (built once from the offers given), the holidays
(one query per local day), and the limits, which it keeps itself in session order
(Limits), so a budget runs out as it would have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q

from analytics.calc import figures
from cpo_portal.models import Charger, Station
from offers.rules import (
    Applied,
    Combination,
    Compete,
    CustomerFacts,
    OfferFacts,
    OfferIndex,
    PresentedCode,
    compose,
    is_combo,
)
from offers.services import OfferInfo, station_facts
from pricing.engine import Conditions, Customer, LineKind, PricedSession, SurgeRule
from pricing.models import GridSignal, Tariff, TariffBand
from pricing.services import (
    Book,
    TariffRow,
    compile_tariff,
    grid_stress_at,
    holidays_at,
    resolve,
    session_request_for,
)

from .limits import LimitState


@dataclass(frozen=True, slots=True)
class SessionCharge:
    """What one configuration charges for one session."""

    total: Decimal  # payable, tax included
    net: Decimal  # net revenue: payable less tax (analytics.calc.figures.NET_REVENUE)
    gross: Decimal  # pre-tax, before discounts
    surge: Decimal
    discount: Decimal
    applied: tuple[Applied, ...]
    held_out: tuple[str, ...]
    refused: str  # why the watched offer was not given here (a Reason value), or ""


@dataclass(frozen=True, slots=True)
class Quoted:
    priced: PricedSession
    conditions: Conditions


class Network:
    """The operator's chargers and stations, and the conditions of each session (read
    once per local day, or per session only when a grid signal falls in the window)."""

    def __init__(self, operator, start: dt.datetime, end: dt.datetime) -> None:
        chargers = Charger.objects.filter(operator=operator).select_related("station", "operator")
        self.chargers: dict[int, Charger] = {c.pk: c for c in chargers}
        self.stations: dict[int, Station] = {
            c.station_id: c.station for c in self.chargers.values()
        }
        self.station_facts = {pk: station_facts(s) for pk, s in self.stations.items()}
        self.signals = (
            GridSignal.objects.filter(operator=operator, raised_at__lt=end)
            .filter(Q(cleared_at__isnull=True) | Q(cleared_at__gt=start))
            .exists()
        )
        self._holidays: dict[tuple[str, dt.date], dict[int, frozenset[dt.date]]] = {}

    def conditions(self, station: Station, at: dt.datetime) -> Conditions:
        """pricing.services.conditions_for, replayed: holidays as then, a grid signal
        raised then, and no occupancy (the stations' past occupancy is not kept)."""
        key = (station.time_zone, at.astimezone(ZoneInfo(station.time_zone)).date())
        days = self._holidays.get(key)
        if days is None:
            same_zone = [s for s in self.stations.values() if s.time_zone == station.time_zone]
            days = self._holidays[key] = holidays_at(same_zone, at)
        stress = self.signals and grid_stress_at([station], at)[station.pk]
        return Conditions(holidays=days[station.pk], grid_stress=bool(stress))


def compile_books(operator_id: int, chargers: Iterable[Charger], surges: Sequence[SurgeRule]):
    """Each charger's book (None: no active tariff), as pricing.services.price_books_for
    compiles them, with the surge rules given."""
    tariffs = {
        t.pk: t
        for t in Tariff.objects.filter(operator_id=operator_id, active=True).prefetch_related(
            Prefetch("bands", queryset=TariffBand.objects.order_by("start", "code"))
        )
    }
    rows = [TariffRow(t.pk, t.station_id, t.charger_id) for t in tariffs.values()]
    compiled: dict[int, Book] = {}
    out: dict[int, Book | None] = {}
    for charger in chargers:
        chosen = resolve(rows, charger.pk, charger.station_id)
        if chosen is None:
            out[charger.pk] = None
            continue
        if chosen not in compiled:
            compiled[chosen] = compile_tariff(tariffs[chosen], surges)
        out[charger.pk] = compiled[chosen]
    return out


class Configuration:
    """Prices past sessions with one set of surge rules and offers."""

    def __init__(
        self,
        operator,
        network: Network,
        surges: Sequence[SurgeRule],
        offers: Sequence[OfferInfo],
        *,
        books: Mapping[int, Book | None] | None = None,
        watch: str = "",
    ) -> None:
        self.watch = watch  # the offer whose refusals (limits) are reported
        self.operator = operator
        self.network = network
        self.books = (
            books
            if books is not None
            else compile_books(operator.pk, network.chargers.values(), surges)
        )
        self.infos = {i.code: i for i in offers}
        # combos need the order's add-ons, which no past session records: never quoted
        self.index = OfferIndex(i.rule for i in offers if not is_combo(i.rule))
        self.combination = Combination(operator.offer_combination)
        # a past session presented no code (unless the run replays a share presenting the
        # subject's: see applicability), named no offer and bought no add-on
        self.offers = Compete(self.index, self.combination, named=(), combos=(), rejections=())
        self.limits = LimitState(offers)

    def _refused(self, rejected) -> str:
        return next((r.reason.value for r in rejected if r.offer_id == self.watch), "")

    def priced(self, charger: Charger, session, who: CustomerFacts) -> Quoted | None:
        """Stage one (tariff and surges) and its conditions; None when the charger has
        no tariff any more. Raises QuoteInputError like the quote path."""
        book = self.books.get(charger.pk)
        if book is None:
            return None
        conditions = self.network.conditions(charger.station, session.start)
        request = session_request_for(
            charger,
            session.start,
            kwh=session.kwh,
            end=session.end,
            customer=Customer(key=who.key, segment=who.segment, tier=who.tier),
        )
        return Quoted(book.price(request, conditions), conditions)

    def price(
        self,
        charger: Charger,
        session,
        who: CustomerFacts,
        stage: Quoted,
        codes: Mapping[str, PresentedCode] | None = None,
    ) -> SessionCharge:
        """The offers chosen on the priced session, taxed after discounts; `codes`: the
        codes the session presents (none, unless the run replays a share presenting one)."""
        priced, conditions = stage.priced, stage.conditions
        facts = OfferFacts(
            codes=codes or {},
            customer=who,
            station=self.network.station_facts[charger.station_id],
            operator_code=self.operator.code,
            holidays=conditions.holidays,
            now=session.start,
            limits=self.limits.facts(who.key),
        )
        composed = compose(priced, self.offers, facts)
        quote, applied = composed.quote, composed.applied
        self.limits.consume(applied, who.key)
        return SessionCharge(
            total=quote.total,
            net=figures.quote_net_revenue(quote),
            gross=priced.gross,
            surge=quote.sum_of(LineKind.SURGE),
            discount=-quote.sum_of(LineKind.DISCOUNT),
            applied=applied,
            held_out=composed.held_out,
            refused=self._refused(composed.rejected) if self.watch else "",
        )


def with_offer(offers: Iterable[OfferInfo], candidate: OfferInfo | None, drop: str) -> list:
    """The offers with `drop` taken out and the candidate (if any) put in."""
    kept = [i for i in offers if i.code != drop]
    return [*kept, candidate] if candidate is not None else kept


def offer_info(pk: int | None, rule, terms: dict, status: str) -> OfferInfo:
    return OfferInfo(
        pk=pk or 0,
        rule=rule,
        status=status,
        benefit_kind=str(terms.get("benefit_kind", "")),
        max_uses=terms.get("max_uses"),
        max_uses_per_customer=terms.get("max_uses_per_customer"),
        budget=None if terms.get("budget") in (None, "") else Decimal(str(terms["budget"])),
        has_codes=False,
        terms=terms,
    )


def replace_surge(surges: Iterable[SurgeRule], candidate: SurgeRule | None, drop: str):
    kept = [r for r in surges if r.code != drop]
    out = [*kept, candidate] if candidate is not None else kept
    return tuple(sorted(out, key=lambda r: (-r.priority, r.code)))
