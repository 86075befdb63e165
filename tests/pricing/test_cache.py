"""Compiled price books are reused until anything that feeds them changes, in any process."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from cpo_portal.models import Stamp
from pricing.models import SurgeRule, Tariff
from pricing.services import books, price_book_for
from tests.factories import StationFactory
from tests.pricing.factories import SignalFactory, SurgeFactory, at
from tests.support.pricing import quote_session

pytestmark = pytest.mark.django_db
D = Decimal


def total(charger, when="2025-09-24 18:00") -> Decimal:
    return quote_session(charger, at(when), kwh=D("5")).total


def test_the_book_is_compiled_once_and_reused(priced):
    first = price_book_for(priced.charger_a)
    assert price_book_for(priced.charger_a) is first
    assert price_book_for(priced.charger_b) is not first  # one per (operator, tariff)


def test_a_cached_quote_reads_the_stamp_once_and_compiles_nothing(
    priced, django_assert_num_queries
):
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    total(priced.charger_a, now)
    # the stamp and the station's charger statuses: no tariff, surge, holiday or grid
    # signal queries (the book and the operator's holidays and signals are memoised)
    with django_assert_num_queries(2):
        total(priced.charger_a, now)


@pytest.mark.parametrize(
    "change",
    [
        "tariff_save",
        "band_add",
        "band_edit",
        "band_delete",
        "surge_save",
        "surge_add",
        "surge_delete",
        "surge_stations",
        "station_surges",
        "signal",
    ],
)
def test_every_change_invalidates_the_book(priced, change):
    charger = priced.charger_a
    before = price_book_for(charger)
    stamp = Stamp.current(Stamp.Kind.PRICING, priced.op_a.pk)
    other_stamp = Stamp.current(Stamp.Kind.PRICING, priced.op_b.pk)
    tariff, surge = priced.tariff_a, priced.surge_a
    if change == "tariff_save":
        tariff.energy_rate_per_kwh = D("20")
        tariff.save()
    elif change.startswith("band"):
        band = tariff.bands.create(
            code="n",
            label="night",
            start=dt.time(22),
            end=dt.time(6),
            days=list(range(7)),
            rate_per_kwh=D("16"),
        )
        if change == "band_edit":
            price_book_for(charger)
            stamp = Stamp.current(Stamp.Kind.PRICING, priced.op_a.pk)
            band.rate_per_kwh = D("15")
            band.save()
        elif change == "band_delete":
            price_book_for(charger)
            stamp = Stamp.current(Stamp.Kind.PRICING, priced.op_a.pk)
            band.delete()
    elif change == "surge_save":
        surge.amount = D("2")
        surge.save()
    elif change == "surge_add":
        SurgeFactory(operator=priced.op_a, code="more")
    elif change == "surge_delete":
        surge.delete()
    elif change == "surge_stations":
        surge.stations.add(StationFactory(operator=priced.op_a))
    elif change == "station_surges":
        priced.station_a.surge_rules.remove(surge)
    elif change == "signal":
        SignalFactory(operator=priced.op_a)
    assert Stamp.current(Stamp.Kind.PRICING, priced.op_a.pk) != stamp
    assert Stamp.current(Stamp.Kind.PRICING, priced.op_b.pk) == other_stamp  # B's books stay
    assert price_book_for(charger) is not before


def test_quotes_follow_each_change(priced):
    charger = priced.charger_a
    assert total(charger) == D("123.90")  # (90 + 10 + 5) x 1.18
    priced.tariff_a.energy_rate_per_kwh = D("20")
    priced.tariff_a.save()
    assert total(charger) == D("135.70")  # (100 + 10 + 5) x 1.18
    priced.surge_a.stations.clear()
    priced.surge_a.stations.add(StationFactory(operator=priced.op_a))
    assert total(charger) == D("129.80")  # the surge moved to another station
    priced.surge_a.delete()
    assert total(charger) == D("129.80")


def test_another_process_change_is_seen_through_the_stamp(priced):
    """A write in another process (no signal here) renews the stamp in the database."""
    charger = priced.charger_a
    assert total(charger) == D("123.90")
    Tariff.objects.filter(pk=priced.tariff_a.pk).update(service_fee=D("0"))  # no signal
    assert total(charger) == D("123.90")  # this process cannot know yet
    Stamp.objects.filter(kind=Stamp.Kind.PRICING, operator=priced.op_a).update(stamp=uuid.uuid4())
    assert total(charger) == D("112.10")  # (90 + 5) x 1.18


def test_a_fresh_process_compiles_from_the_database(priced):
    book = price_book_for(priced.charger_a)
    books.clear_cache()
    assert price_book_for(priced.charger_a) is not book
    assert total(priced.charger_a) == D("123.90")


def test_admin_pause_uses_update_and_still_invalidates(client, priced):
    from django.urls import reverse

    assert total(priced.charger_a) == D("123.90")
    client.force_login(priced.pricing_a)
    client.post(
        reverse("admin:pricing_surgerule_changelist"),
        {"action": "pause", "_selected_action": [priced.surge_a.pk]},
    )
    assert SurgeRule.objects.get(pk=priced.surge_a.pk).paused
    assert total(priced.charger_a) == D("118.00")


def test_stamp_is_made_on_first_read_and_renewed_by_bump(priced):
    Stamp.objects.filter(kind=Stamp.Kind.PRICING).delete()
    Stamp.bump(Stamp.Kind.PRICING, priced.op_a.pk)  # nothing to bump yet: no error, no row
    assert not Stamp.objects.filter(kind=Stamp.Kind.PRICING).exists()
    first = Stamp.current(Stamp.Kind.PRICING, priced.op_a.pk)
    assert Stamp.current(Stamp.Kind.PRICING, priced.op_a.pk) == first
    Stamp.bump(Stamp.Kind.PRICING, priced.op_a.pk)
    assert Stamp.current(Stamp.Kind.PRICING, priced.op_a.pk) != first


def test_deleting_an_operator_cascades_cleanly(priced):
    price_book_for(priced.charger_a)
    pk = priced.op_a.pk
    priced.op_a.delete()
    assert not Stamp.objects.filter(operator_id=pk).exists()
