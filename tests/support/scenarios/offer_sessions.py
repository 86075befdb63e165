"""Sessions for the offers step: customers with segments and tiers, presented codes, limits
and credit, priced without surges at stations of the offer mix (offer_mix.py). Shared by
the offers tests and the benches (bench/offers_scenario.py, bench/full_quote.py).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from offers.rules.construct import OfferRule
from offers.rules.facts import (
    CreditBalance,
    CustomerFacts,
    Limits,
    OfferFacts,
    PresentedCode,
    StationFacts,
)
from pricing.engine import compile_book
from pricing.engine.types import Conditions, Customer, PricedSession, SessionRequest, Tariff
from tests.support.scenarios.offer_mix import (
    EPOCH,
    MONTH,
    OPERATOR,
    SEGMENTS,
    TIERS,
    Station,
    build_network,
    build_offers,
)
from tests.support.scenarios.pricing import HOLIDAYS

__all__ = ["EPOCH", "build_facts", "build_network", "build_offers", "build_sessions"]

D = Decimal


def build_customer(rng: random.Random, number: int) -> CustomerFacts:
    wallet = (CreditBalance("wallet", amount=D(rng.randrange(0, 300))),)
    return CustomerFacts(
        key=f"cust-{number}",
        segment=rng.choices(("", *SEGMENTS), (50, 30, 12, 8))[0],
        tier=rng.choices(("", *TIERS), (40, 30, 20, 10))[0],
        member=rng.random() < 0.4,
        first_session=rng.random() < 0.03,
        referred=rng.random() < 0.08,
        joined_on=dt.date(2025, 9, 30) - dt.timedelta(days=rng.randrange(0, 1000)),
        credits=wallet if rng.random() < 0.25 else (),
    )


def build_limits(offers: Sequence[OfferRule], seed: int = 17) -> dict[str, Limits]:
    """What is left of the limits of one offer in ten (a few used up), as loaded per quote."""
    rng = random.Random(seed)
    return {
        o.id: Limits(
            remaining_uses=rng.choice((0, 40, 500, None)),
            remaining_customer_uses=rng.choice((0, 1, 3, None)),
            remaining_budget=rng.choice((D(0), D(150), D(5000), None)),
        )
        for o in offers
        if rng.random() < 0.1
    }


def build_facts(
    rng: random.Random,
    station: Station,
    customer: CustomerFacts,
    opt_in: Sequence[str],
    limits: dict[str, Limits],
) -> OfferFacts:
    """One session in ten brings a code: mostly an offer's (a few no longer valid for this
    buyer), sometimes one that matches nothing."""
    codes: dict[str, PresentedCode] = {}
    unmatched: tuple[str, ...] = ()
    if rng.random() < 0.1:
        if opt_in and rng.random() < 0.85:
            offer_id = rng.choice(opt_in)
            codes[offer_id] = PresentedCode(f"CODE-{offer_id}", matched=rng.random() < 0.95)
        else:
            unmatched = ("SAVE50X",)
    return OfferFacts(
        customer=customer,
        station=StationFacts(station.lat, station.lon, station.opened_on),
        operator_code=OPERATOR,
        holidays=HOLIDAYS,
        codes=codes,
        unmatched_codes=unmatched,
        limits=limits,
    )


def session_start(rng: random.Random) -> dt.datetime:
    return EPOCH + dt.timedelta(minutes=rng.randrange(int(MONTH.total_seconds()) // 60))


def build_sessions(
    network: Sequence[Station],
    k: int = 300,
    seed: int = 13,
    offers: Sequence[OfferRule] = (),
) -> list[tuple[PricedSession, OfferFacts]]:
    rng = random.Random(seed)
    tariff = Tariff(code="T1", currency="INR", energy_rate_per_kwh=D(18), service_fee=D(10))
    opt_in = [o.id for o in offers if not o.meta.auto]
    limits = build_limits(offers)
    out = []
    for i in range(k):
        station = rng.choice(network)
        who = build_customer(rng, i)
        customer = Customer(key=who.key, segment=who.segment, tier=who.tier)
        request = SessionRequest(
            site=station.site,
            start=session_start(rng),
            kwh=D(rng.randrange(2, 60)),
            customer=customer,
        )
        priced = compile_book(tariff, []).price(request, Conditions(holidays=HOLIDAYS))
        out.append((priced, build_facts(rng, station, who, opt_in, limits)))
    return out
