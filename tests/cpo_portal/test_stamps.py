"""Reads by key (cpo_portal.db.stamps): a stamp is read fresh every time, a missing row reads
as None, rows by key give the named columns, and read_each reads several at once."""

from __future__ import annotations

import pytest
from django.db import connection

from cpo_portal.db import stamps
from cpo_portal.models import Charger, NetworkVersion
from cpo_portal.models.network import EquipmentStatus
from tests.factories import ChargerFactory

pytestmark = pytest.mark.django_db


def test_a_stamp_is_read_fresh_every_time():
    first = NetworkVersion.current()
    NetworkVersion.bump()  # another process's change
    assert NetworkVersion.current() != first


def test_a_missing_row_reads_as_none_and_a_made_one_is_seen():
    NetworkVersion.objects.all().delete()
    assert stamps.read_one(NetworkVersion, "stamp", "id", NetworkVersion.ROW) is None
    made = NetworkVersion.current()  # makes the row, then must see it
    assert made == stamps.as_uuid(
        stamps.read_one(NetworkVersion, "stamp", "id", NetworkVersion.ROW)
    )
    found, missing = stamps.read_each(
        (NetworkVersion, "stamp", "id", NetworkVersion.ROW), (NetworkVersion, "stamp", "id", -1)
    )
    assert (stamps.as_uuid(found), missing) == (made, None)  # text on SQLite, a UUID on PostgreSQL


def test_rows_by_key_are_live():
    charger = ChargerFactory(status=EquipmentStatus.AVAILABLE)
    key = {"station": charger.station_id}
    assert stamps.rows_of(Charger, ("status",), **key) == [(EquipmentStatus.AVAILABLE,)]
    Charger.objects.filter(pk=charger.pk).update(status=EquipmentStatus.OCCUPIED)
    assert stamps.rows_of(Charger, ("status",), **key) == [(EquipmentStatus.OCCUPIED,)]


def test_rows_where_and_an_update_where_match_the_orm():
    chargers = [ChargerFactory(status=EquipmentStatus.AVAILABLE) for _ in range(3)]
    pks = [c.pk for c in chargers[:2]]
    found = stamps.rows_where(Charger, pk=pks, status=EquipmentStatus.AVAILABLE)
    assert sorted(c.pk for c in found) == pks and all(not c._state.adding for c in found)
    assert stamps.rows_where(Charger, pk=[]) == []
    sql, params = stamps.update_where(
        Charger, {"status": EquipmentStatus.OCCUPIED, "categories": ["fast"]}, pk=pks
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.rowcount == 2
    assert {c.pk: (c.status, c.categories) for c in Charger.objects.all()} == {
        chargers[0].pk: (EquipmentStatus.OCCUPIED, ["fast"]),
        chargers[1].pk: (EquipmentStatus.OCCUPIED, ["fast"]),
        chargers[2].pk: (EquipmentStatus.AVAILABLE, chargers[2].categories),
    }
