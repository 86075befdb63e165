"""Quotes read holidays and grid signals from a per-process memo guarded by the
operator's pricing stamp, and the chargers' statuses live: the conditions must be those
the database gives at every moment, after every change."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from cpo_portal.models import Holiday
from pricing.models import PricingVersion
from pricing.services import book_and_conditions, conditions_for
from pricing.services.site_memo import SIGNALS_BEFORE
from tests.factories import ChargerFactory, StationFactory
from tests.pricing.factories import SignalFactory

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def memo(priced, when):
    return book_and_conditions(priced.charger_a, when)[1]


def local_today(priced) -> dt.date:
    return timezone.localtime(timezone=dt.timezone(dt.timedelta(hours=5, minutes=30))).date()


def test_the_memo_agrees_with_the_database_around_now(priced):
    now = timezone.now()
    today = local_today(priced)
    op = priced.op_a
    Holiday.objects.create(operator=op, date=today, name="National")
    Holiday.objects.create(
        operator=op, date=today + dt.timedelta(days=1), name="DL", region_code="DL"
    )
    Holiday.objects.create(
        operator=op, date=today + dt.timedelta(days=2), name="MH", region_code="MH"
    )
    Holiday.objects.create(operator=priced.op_b, date=today + dt.timedelta(days=3), name="B")
    other = StationFactory(operator=op)
    SignalFactory(operator=op, raised_at=now - HOUR, cleared_at=now + HOUR)
    SignalFactory(operator=op, region_code="MH", raised_at=now - 3 * HOUR)
    SignalFactory(operator=op, station=other, raised_at=now + 2 * HOUR)
    SignalFactory(
        operator=op, station=priced.station_a, raised_at=now + 3 * HOUR, cleared_at=now + 4 * HOUR
    )
    SignalFactory(operator=priced.op_b, raised_at=now - HOUR)
    ChargerFactory(station=priced.station_a, code="a-charger-02", status="Occupied")
    moments = [now + k * HOUR / 2 for k in range(-6, 12)]
    seen = {m: memo(priced, m) for m in moments}
    assert {seen[m].grid_stress for m in moments} == {True, False}  # both kinds drawn
    assert any(seen[m].holidays for m in moments)
    for moment in moments:
        assert seen[moment] == conditions_for(priced.station_a, moment), moment


def test_saved_changes_are_seen_by_the_next_quote(priced):
    now = timezone.now()
    assert memo(priced, now).holidays == frozenset()
    holiday = Holiday.objects.create(operator=priced.op_a, date=local_today(priced), name="H")
    assert memo(priced, now).holidays == {local_today(priced)}
    holiday.delete()
    assert memo(priced, now).holidays == frozenset()
    signal = SignalFactory(operator=priced.op_a, raised_at=now - HOUR)
    assert memo(priced, now).grid_stress is True
    signal.cleared_at = now - HOUR / 2
    signal.save()
    assert memo(priced, now).grid_stress is False
    priced.charger_a.status = "Occupied"
    priced.charger_a.save()
    assert memo(priced, now).occupancy == 1


def test_another_process_write_is_seen_through_the_stamp(priced):
    """A write without signals (another process's, as this process sees it) is trusted
    away only when the stamp is renewed, as every save and delete does."""
    now = timezone.now()
    memo(priced, now)
    Holiday.objects.bulk_create(
        [Holiday(operator=priced.op_a, date=local_today(priced), name="H")]
    )  # no signal
    assert memo(priced, now).holidays == frozenset()
    PricingVersion.objects.filter(pk=priced.op_a.pk).update(stamp=uuid.uuid4())
    assert memo(priced, now).holidays == {local_today(priced)}


def test_charger_statuses_are_read_live(priced):
    now = timezone.now()
    assert memo(priced, now).occupancy == 0
    type(priced.charger_a).objects.filter(pk=priced.charger_a.pk).update(status="Occupied")
    assert memo(priced, now).occupancy == 1  # no stamp involved


def test_a_moment_before_the_memo_reads_the_database(priced):
    long_ago = timezone.now() - SIGNALS_BEFORE - 2 * HOUR
    SignalFactory(operator=priced.op_a, raised_at=long_ago - HOUR, cleared_at=long_ago + HOUR)
    memo(priced, timezone.now())  # filled without that signal: cleared before its horizon
    assert memo(priced, long_ago).grid_stress is True
    assert memo(priced, long_ago) == conditions_for(priced.station_a, long_ago)
