"""The version stamps (cpo_portal.models.Stamp) and reads by key (cpo_portal.db.stamps):
a stamp is read fresh every time, a missing one is made on first read and renewed only
once made, one operator's and the installation's are apart, and rows by key give the
named columns."""

from __future__ import annotations

import pytest
from django.db import connection

from cpo_portal.db import stamps
from cpo_portal.models import Charger, Stamp
from cpo_portal.models.network import EquipmentStatus
from tests.factories import ChargerFactory, OperatorFactory

pytestmark = pytest.mark.django_db


def test_a_stamp_is_read_fresh_every_time():
    operator = OperatorFactory()
    first = Stamp.current(Stamp.Kind.NETWORK, operator.pk)
    Stamp.bump(Stamp.Kind.NETWORK, operator.pk)  # another process's change
    assert Stamp.current(Stamp.Kind.NETWORK, operator.pk) != first


def test_a_missing_stamp_is_made_on_first_read_and_renewed_only_once_made():
    operator = OperatorFactory()
    Stamp.objects.all().delete()
    Stamp.bump("pricing", operator.pk)  # nobody read it: nothing to renew, no row made
    Stamp.bump("registry")
    assert not Stamp.objects.exists()
    made = Stamp.of_operator(operator.pk, (Stamp.Kind.NETWORK, "pricing"))
    assert made == {Stamp.Kind.NETWORK: made[Stamp.Kind.NETWORK], "pricing": made["pricing"]}
    assert Stamp.of_operator(operator.pk, (Stamp.Kind.NETWORK, "pricing")) == made
    everywhere = Stamp.current("registry")
    assert Stamp.current("registry") == everywhere  # the installation's: apart from any
    assert Stamp.objects.filter(operator=None).count() == 1  # operator's, made once
    assert Stamp.every((Stamp.Kind.NETWORK, "pricing")) == {
        Stamp.Kind.NETWORK: {operator.pk: made[Stamp.Kind.NETWORK]},
        "pricing": {operator.pk: made["pricing"]},
    }


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


def test_while_one_caller_reads_a_checked_value_again_the_others_keep_the_one_held():
    """All of a process's greenlets finding the value stale at once do not each read the
    stamps; one that asks for a read after a moment of its own still gets one."""
    from cpo_portal.models import Checked

    reads: list[str] = []
    meanwhile: list[str] = []

    def read() -> str:
        reads.append("read")
        value = f"value {len(reads)}"
        if len(reads) == 2:  # others ask while the second read is under way
            meanwhile.append(checked.get(0.25, now=10.0))
            meanwhile.append(checked.get(0.25, now=10.0, since=9.0))  # must be newer
        return value

    checked = Checked(read)
    assert checked.get(0.25, now=1.0) == "value 1"
    assert checked.get(0.25, now=10.0) == "value 2"
    assert meanwhile == ["value 1", "value 3"]
    assert len(reads) == 3
