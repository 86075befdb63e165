"""A quote with offers: what the quote needs is loaded (fetch_quote_inputs: the charger's
price book and conditions, the catalog, the customer, the codes and offers asked for),
then offers.rules.composition composes it (price, candidates, evaluate, select, combos,
finalize, granted) and the answer is an OfferQuote.

Queries per quote are few and constant, whatever the number of offers: the pricing stamp,
holidays, occupancy and grid signal (pricing), the catalog stamp, the customer, one for
the limits of limited candidates, and one each only when codes are presented, when credit
offers are candidates, or when an offer is named that is not active. Pass a charger
loaded with select_related("station", "operator") to save two more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cpo_portal.models import Charger
from offers.rules.benefit_types import credit_account
from offers.rules.choose import Combination
from offers.rules.composition import Compete, Composed, ToPrice, compose
from offers.rules.construct import BenefitKind, OfferRule
from offers.rules.facts import CustomerFacts, OfferFacts
from offers.rules.localtime import local
from offers.rules.outcome import Applied, Reason, Rejected
from pricing import services as pricing
from pricing.engine import (
    HUNDRED,
    ZERO,
    Customer,
    FeeTerms,
    FinderFee,
    LineKind,
    PricedSession,
    Quote,
    QuoteLine,
    SurgeRule,
)
from pricing.services import surge_text

from . import addons as addon_lines
from . import combos as combo_offers
from .catalog import Catalog, OfferInfo, Stamps, catalog_for, stamps_for
from .facts import CodeMatch, load_credits, load_customer, load_limits, station_facts
from .requests import Requested, resolve


def _tuple(value: Iterable) -> tuple:
    return value if isinstance(value, tuple) else tuple(value)


@dataclass(frozen=True)
class SessionAsk:
    """The session a surface asks to price: where, when, how much, who, which offers.
    Built once where the request is read (a Beckn message, the admin's preview form,
    `manage.py quote`, a replayed session) and passed whole."""

    charger: Charger
    start: dt.datetime
    kwh: Decimal | None = None
    amount: Decimal | None = None
    end: dt.datetime | None = None
    customer_key: str = ""
    customer: CustomerFacts | None = None  # made-up facts (the admin, the command)
    what_if: tuple[tuple[str, str], ...] = ()  # (fact, value) over the stored customer
    offer_ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    preview: tuple[int, ...] = ()  # offer pks: any status, as if opted in (the admin)
    add_ons: tuple[str, ...] = ()  # add-on ids sold with the session
    finder_fee: FinderFee | None = None  # the BAP's terms (bounded by the operator's maximum)
    now: dt.datetime | None = None
    explain: bool = True  # a reason for every offer of the place not applied (for people)
    # The stamps the memos are checked against, when the caller read them already (the
    # Beckn publication finds the charger under them): not read again (stamps_for).
    stamps: Stamps | None = None

    def __post_init__(self) -> None:  # lists and mappings as read from a request
        what_if = self.what_if.items() if isinstance(self.what_if, Mapping) else self.what_if
        for name, value in (
            ("what_if", what_if),
            ("offer_ids", self.offer_ids),
            ("codes", self.codes),
            ("preview", self.preview),
            ("add_ons", self.add_ons),
        ):
            object.__setattr__(self, name, _tuple(value))


@dataclass(frozen=True)
class OfferQuote:
    quote: Quote
    priced: PricedSession
    applied: tuple[Applied, ...]  # given to the customer, amounts as in the quote lines
    rejected: tuple[Rejected, ...]
    held_out: tuple[str, ...]  # offer ids withheld from this customer (control group)
    customer_key: str
    notices: tuple[str, ...] = ()
    charger: Charger | None = field(default=None, compare=False, repr=False)
    offers: Mapping[str, OfferInfo] = field(default_factory=dict, repr=False)
    codes: Mapping[str, CodeMatch] = field(default_factory=dict, repr=False)
    facts: OfferFacts = field(default_factory=OfferFacts, repr=False)
    add_ons: tuple[QuoteLine, ...] = ()  # ADDON lines of the add-ons in the order
    recovered: tuple[tuple[str, Decimal], ...] = ()  # settlement: offer id, amount reversed
    # the code each applied offer is known by: the one presented, else its multi-use code
    offer_codes: Mapping[str, str] = field(default_factory=dict, repr=False)
    fees: FeeTerms | None = None  # the fees the quote was charged (recompositions reuse them)

    @classmethod
    def of(cls, composed: Composed, customer_key: str, **more) -> OfferQuote:
        """The composition's quote, as the services answer it."""
        return cls(
            quote=composed.quote,
            priced=composed.priced,
            applied=composed.applied,
            rejected=more.pop("rejected", composed.rejected),
            held_out=composed.held_out,
            customer_key=customer_key,
            facts=more.pop("facts", composed.facts),
            **more,
        )

    @property
    def discount(self) -> Decimal:
        return sum((a.discount for a in self.applied), ZERO)

    def applied_ids(self) -> tuple[str, ...]:
        return tuple(a.offer_id for a in self.applied)

    def rejection(self, offer_id: str) -> Rejected | None:
        return next((r for r in self.rejected if r.offer_id == offer_id), None)

    def would_have_had(self, offer_id: str) -> Decimal:
        """The discount a held-out customer would have been given."""
        r = self.rejection(offer_id)
        return r.would_be.discount if r is not None and r.would_be is not None else ZERO


@dataclass(frozen=True)
class QuoteInputs:
    """What a live quote loads before it is composed."""

    ask: SessionAsk
    who: CustomerFacts
    session: ToPrice
    surges: tuple[SurgeRule, ...]
    catalog: Catalog
    requested: Requested
    facts: OfferFacts
    add_ons: tuple[QuoteLine, ...]
    combination: Combination
    named: Mapping[str, OfferInfo]  # the offers asked for (named, by code, previewed)

    def info(self, offer_id: str) -> OfferInfo | None:
        """An offer the quote may mention: one asked for, else the catalog's."""
        named = self.named.get(offer_id)
        return named if named is not None else self.catalog.offers.get(offer_id)

    def offers(self) -> Compete:
        return Compete(
            index=self.catalog.index,
            combination=self.combination,
            named=tuple(i.rule for i in self.requested.extra),
            combos=tuple(i.rule for i in combo_offers.combos_of(self.catalog)),
            rejections=tuple(self.requested.rejections),
            explain=self.ask.explain,
        )


def surge_notices_of(priced: PricedSession, surges) -> tuple[str, ...]:
    explain = {rule.code: surge_text(rule) for rule in surges}
    codes = dict.fromkeys(ln.code for ln in priced.lines if ln.kind is LineKind.SURGE)
    return tuple(explain.get(code) or code for code in codes)


def _rewrite(
    rejected: Iterable[Rejected], req: Requested, info_of: Callable[[str], OfferInfo | None]
) -> tuple[Rejected, ...]:
    """Messages the rules cannot word: a code already used, an opt-in offer without codes."""
    out = []
    for r in rejected:
        info = info_of(r.offer_id)
        if r.reason is Reason.CODE_UNKNOWN and r.offer_id in req.used:
            r = Rejected(r.offer_id, r.reason, f"Code {req.used[r.offer_id]} has already been used")
        elif r.reason is Reason.CODE_REQUIRED and info is not None and not info.has_codes:
            text = f"Offer {r.offer_id} is opt-in: it applies only when the order names it"
            r = Rejected(r.offer_id, r.reason, text)
        out.append(r)
    return tuple(out)


def fee_terms_of(operator, finder_fee: FinderFee | None) -> FeeTerms:
    """The fees of a quote at `operator`: its buffer and maximum finder fee (stored as
    shares, 0.10 for 10 %) and the BAP's finder fee terms."""
    return FeeTerms(
        buffer_percent=operator.overcharge_buffer * HUNDRED,
        finder_fee=finder_fee,
        finder_fee_max_percent=operator.max_buyer_finder_fee * HUNDRED,
    )


def combination_of(operator) -> Combination:
    """The operator's setting (cpo_portal's plain choices carry the rules' values)."""
    return Combination(operator.offer_combination)


def _declared(info: OfferInfo) -> bool:
    return bool(info.rule.qualifier.declared)


def fetch_quote_inputs(ask: SessionAsk) -> QuoteInputs:
    """Everything the quote reads from the database but the limits and credit of the
    offers it will evaluate (facts_for, once those are known).

    `ask.customer` replaces the customer facts from the database (the admin's simulation
    of a segment or tier); `ask.what_if` changes only those facts of the stored customer
    (the command's what-if); `ask.preview` lists offer pks to evaluate whatever their
    status. Raises pricing's QuoteInputError / NoTariffError when the session cannot be
    priced, addons.AddOnUnavailable when an add-on cannot be sold here now."""
    charger = ask.charger
    operator, station = charger.operator, charger.station
    who = ask.customer or load_customer(operator.pk, ask.customer_key)
    if ask.what_if:
        what_if = dict(ask.what_if)
        segment, tier = what_if.get("segment"), what_if.get("tier")
        who = dataclasses.replace(who, segment=segment or who.segment, tier=tier or who.tier)
    stamps = ask.stamps or stamps_for(operator.pk)
    book, conditions = pricing.book_and_conditions(
        charger, ask.start, stamps.pricing, stamps.network
    )
    request = pricing.session_request_for(
        charger,
        ask.start,
        end=ask.end,
        kwh=ask.kwh,
        amount=ask.amount,
        customer=Customer(key=who.key, segment=who.segment, tier=who.tier),
    )
    add_ons = addon_lines.lines_for(station, ask.add_ons)
    catalog = catalog_for(operator, stamps.catalog)
    req = resolve(catalog, operator, ask.offer_ids, ask.codes, ask.preview)
    facts = OfferFacts(
        customer=who,
        station=station_facts(station, declared=catalog.declared or any(map(_declared, req.extra))),
        operator_code=operator.code,
        holidays=conditions.holidays,
        codes=req.codes,
        unmatched_codes=req.unmatched,
        now=ask.now or timezone.now(),
    )
    return QuoteInputs(
        ask, who, ToPrice(book, request, conditions), tuple(book.surges), catalog, req, facts,
        add_ons, combination_of(operator), {i.code: i for i in req.extra},
    )  # fmt: skip


def limits_and_credit(inputs: QuoteInputs):
    """The facts completed for the offers the quote evaluates: their limits, and the
    customer's credit when a credit offer is among them (not for made-up customers)."""

    def facts_for(offers: Sequence[OfferRule]) -> OfferFacts:
        todo = [i for i in map(inputs.info, (o.id for o in offers)) if i is not None]
        facts, who, ask = inputs.facts, inputs.who, inputs.ask
        plans = {
            credit_account(i.rule.benefit)
            for i in todo
            if i.benefit_kind == BenefitKind.CREDIT_DRAWDOWN
        }
        if plans and ask.customer is None:
            local_day = local(ask.start, ask.charger.station.time_zone).date()
            credits = load_credits(ask.charger.operator_id, who.key, plans, local_day)
            facts = dataclasses.replace(facts, customer=dataclasses.replace(who, credits=credits))
        return dataclasses.replace(facts, limits=load_limits(todo, who.key))

    return facts_for


def quote_with_offers(ask: SessionAsk) -> OfferQuote:
    """Price a session at `ask.charger` with the best allowed offers (see SessionAsk and
    fetch_quote_inputs). `ask.explain` (the admin and the command) gives each offer of
    the place and day not applied its reason; without it (Beckn) only the index's
    candidates and the offers named are evaluated: the quote is the same either way."""
    inputs = fetch_quote_inputs(ask)
    fees = fee_terms_of(ask.charger.operator, ask.finder_fee)
    composed = compose(
        inputs.session,
        inputs.offers(),
        inputs.facts,
        add_ons=inputs.add_ons,
        item_id=ask.charger.code,
        facts_for=limits_and_credit(inputs),
        fees=fees,
    )
    mentioned = [*(a.offer_id for a in composed.applied), *composed.held_out]
    public = {offer_id: code for code, offer_id in inputs.catalog.multi_use_codes.items()}
    req = inputs.requested
    return OfferQuote.of(
        composed,
        inputs.who.key,
        rejected=_rewrite(composed.rejected, req, inputs.info),
        notices=surge_notices_of(composed.priced, inputs.surges),
        charger=ask.charger,
        offers={k: info for k in mentioned if (info := inputs.info(k)) is not None},
        codes={k: v for k, v in req.matches.items() if k in mentioned},
        add_ons=inputs.add_ons,
        offer_codes={a.offer_id: a.code or public.get(a.offer_id, "") for a in composed.applied},
        fees=fees,
    )


def quote_without_offers(
    ask: SessionAsk, add_ons: Iterable[QuoteLine] = (), *, settled: bool = False
) -> OfferQuote:
    """The session priced with its add-ons and no offer (an order that redeemed none);
    `settled`: as delivered (the overcharge buffer released)."""
    book, conditions = pricing.book_and_conditions(ask.charger, ask.start)
    request = pricing.session_request_for(ask.charger, ask.start, kwh=ask.kwh, end=ask.end)
    lines = tuple(add_ons)
    fees = fee_terms_of(ask.charger.operator, ask.finder_fee)
    fees = fees.settled() if settled else fees
    session = ToPrice(book, request, conditions)
    composed = compose(session, None, OfferFacts(), add_ons=lines, fees=fees)
    return OfferQuote.of(composed, ask.customer_key, charger=ask.charger, add_ons=lines, fees=fees)
