"""factory-boy factories for pricing rows, and small builders shared by the tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from cpo_portal.models import Charger, Station
from pricing.engine.types import PricedSession
from pricing.models import GridSignal, SurgeRule, Tariff, TariffBand
from pricing.services import (
    SurgeNotice,
    book_and_conditions,
    session_request_for,
    surge_notices_at,
)

IST = ZoneInfo("Asia/Kolkata")
EPOCH = dt.datetime(2024, 1, 1, tzinfo=IST)


def at(text: str) -> dt.datetime:
    """'2025-09-24 18:25' in India."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=IST)


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    code = factory.Sequence(lambda n: f"tariff-{n}")
    name = factory.Sequence(lambda n: f"Tariff {n}")
    currency = "INR"
    energy_rate_per_kwh = Decimal("18")
    service_fee = Decimal("10")
    tax_rate = Decimal("0.18")
    prices_include_tax = False


class BandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TariffBand

    code = factory.Sequence(lambda n: f"band-{n}")
    label = "off-peak"
    start = dt.time(22)
    end = dt.time(6)
    days = factory.LazyFunction(lambda: list(range(7)))
    rate_per_kwh = Decimal("16")


class SurgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurgeRule
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"surge-{n}")
    kind = "peak"
    name = "Congestion Fee"
    form = "per_kwh"
    amount = Decimal("1")
    window_start = dt.time(18)
    window_end = dt.time(21)
    effective_from = EPOCH

    @factory.post_generation
    def stations(self, create, extracted, **kwargs):
        if create and extracted:
            self.stations.set(extracted)


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridSignal

    raised_at = EPOCH


def price(charger: Charger, start: dt.datetime, **asked) -> PricedSession:
    """Stage one of `charger`'s quote (before offers and tax), as quote_session prices it."""
    book, conditions = book_and_conditions(charger, start)
    return book.price(session_request_for(charger, start, **asked), conditions)


def surge_notices(
    station: Station, start: dt.datetime, end: dt.datetime | None = None
) -> list[SurgeNotice]:
    """The surge notices of one station, as the catalog gets them (surge_notices_at)."""
    return surge_notices_at([station], start, end)[station.pk]
