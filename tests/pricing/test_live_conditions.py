"""The conditions of live quotes from each process's memo (pricing.services.live_conditions):
the same answer as conditions_for, no query while the stamps hold, and every change to a
holiday, a grid signal or a charger's status seen by the next quote after its commit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cpo_portal.models import Holiday, Stamp
from cpo_portal.models.network import EquipmentStatus
from offers.services.catalog import stamps_for
from pricing.models import GridSignal
from pricing.services import conditions_for
from pricing.services.live_conditions import HORIZON, conditions_now, forget
from tests.factories import ChargerFactory, OperatorFactory, StationFactory

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture(autouse=True)
def _empty_memo():
    forget()
    yield
    forget()


@pytest.fixture
def station():
    operator = OperatorFactory(code="live.example")
    here = StationFactory(operator=operator, code="live-dl", region_code="DL")
    StationFactory(operator=operator, code="live-mh", region_code="MH")
    ChargerFactory(station=here, code="live-1", status=EquipmentStatus.AVAILABLE)
    ChargerFactory(station=here, code="live-2", status=EquipmentStatus.AVAILABLE)
    return here


def live(station, at):
    """What a live quote does: the stamps first (one statement), then the conditions."""
    stamps = stamps_for(station.operator_id)
    return conditions_now(station, at, stamps.network, stamps.pricing)


def test_the_memo_answers_as_conditions_for_without_a_query(station, django_assert_num_queries):
    soon = timezone.now() + dt.timedelta(hours=2)
    tomorrow = (soon + dt.timedelta(days=1)).astimezone(IST).date()
    Holiday.objects.create(operator=station.operator, date=tomorrow, name="Festival")
    GridSignal.objects.create(
        operator=station.operator, region_code="DL", raised_at=soon - dt.timedelta(hours=1)
    )
    assert live(station, soon) == conditions_for(station, soon)
    assert tomorrow in live(station, soon).holidays
    assert live(station, soon).grid_stress is True
    stamps = stamps_for(station.operator_id)
    moments = [soon + dt.timedelta(hours=h) for h in (0, 5, 30, 24 * 10)]
    with django_assert_num_queries(0):
        got = [conditions_now(station, at, stamps.network, stamps.pricing) for at in moments]
    assert got == [conditions_for(station, at) for at in moments]


def test_a_change_saved_elsewhere_is_seen_by_the_next_quote(station):
    soon = timezone.now() + dt.timedelta(hours=1)
    before = live(station, soon)
    assert before.occupancy == 0 and before.grid_stress is False
    charger = station.chargers.first()
    charger.status = EquipmentStatus.OCCUPIED
    charger.save()  # another process's change: renews the network stamp
    assert live(station, soon).occupancy == pytest.approx(0.5)
    signal = GridSignal.objects.create(
        operator=station.operator, region_code="", raised_at=soon - dt.timedelta(minutes=5)
    )  # renews the pricing stamp
    assert live(station, soon).grid_stress is True
    signal.cleared_at = soon - dt.timedelta(minutes=1)
    signal.save()
    assert live(station, soon).grid_stress is False
    day = soon.astimezone(IST).date()
    Holiday.objects.create(operator=station.operator, date=day, name="Declared today")
    assert day in live(station, soon).holidays


def test_stale_stamps_are_not_trusted(station):
    soon = timezone.now() + dt.timedelta(hours=1)
    old = stamps_for(station.operator_id)
    conditions_now(station, soon, old.network, old.pricing)  # fills the memo
    charger = station.chargers.first()
    charger.status = EquipmentStatus.OCCUPIED
    charger.save()
    assert Stamp.current(Stamp.Kind.NETWORK, station.operator_id) != old.network
    assert live(station, soon).occupancy == pytest.approx(0.5)


def test_a_session_outside_the_span_is_read_directly(station, django_assert_num_queries):
    stamps = stamps_for(station.operator_id)
    conditions_now(station, timezone.now(), stamps.network, stamps.pricing)  # fills it
    far = timezone.now() + HORIZON + dt.timedelta(days=3)
    past = timezone.now() - dt.timedelta(days=30)
    for at in (far, past):
        with django_assert_num_queries(1):  # conditions_for's one read
            got = conditions_now(station, at, stamps.network, stamps.pricing)
        assert got == conditions_for(station, at)
