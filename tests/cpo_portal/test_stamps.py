"""Stamp reads held for one piece of work (cpo_portal.stamps.held): each read once inside
the block, fresh outside it; a row that does not exist yet is read again, so the row made
meanwhile is seen; live rows are held only when asked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpo_portal import stamps
from cpo_portal.models import Charger, NetworkVersion
from cpo_portal.models.network import EquipmentStatus
from tests.factories import ChargerFactory

pytestmark = pytest.mark.django_db


def test_inside_held_a_stamp_is_read_once_and_outside_again():
    first = NetworkVersion.current()
    with stamps.held():
        with CaptureQueriesContext(connection) as seen:
            assert NetworkVersion.current() == first
            NetworkVersion.bump()  # another process's change, as far as this block knows
            assert NetworkVersion.current() == first  # held as it was read
            with stamps.held():  # nested: the outer block holds
                assert NetworkVersion.current() == first
        reads = [q for q in seen.captured_queries if q["sql"].startswith("SELECT")]
        assert len(reads) == 1
    assert NetworkVersion.current() != first  # outside: read again


def test_a_missing_row_is_not_held():
    NetworkVersion.objects.all().delete()
    with stamps.held():
        assert stamps.read_one(NetworkVersion, "stamp", "id", NetworkVersion.ROW) is None
        made = NetworkVersion.current()  # makes the row, then must see it
        assert made == stamps.as_uuid(
            stamps.read_one(NetworkVersion, "stamp", "id", NetworkVersion.ROW)
        )


def test_live_rows_are_held_only_when_asked():
    charger = ChargerFactory(status=EquipmentStatus.AVAILABLE)
    key = {"station": charger.station_id}
    with stamps.held():
        held = stamps.rows_of(Charger, ("status",), once=True, **key)
        live = stamps.rows_of(Charger, ("status",), **key)
        Charger.objects.filter(pk=charger.pk).update(status=EquipmentStatus.OCCUPIED)
        assert stamps.rows_of(Charger, ("status",), once=True, **key) == held
        assert stamps.rows_of(Charger, ("status",), **key) != live
    assert stamps.rows_of(Charger, ("status",), once=True, **key) == [(EquipmentStatus.OCCUPIED,)]
