"""What one transaction's changes cost after its commit: one stamp of the changed
Locations, one read of the partners, one insert of push rows and one send_due message per
partner, whatever the number of rows it saved. A change rolled back (with its transaction
or its savepoint) pushes nothing; a change kept is never left unpushed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cpo_portal.models import Charger, Connector, Station
from pricing.models import Tariff, TariffBand
from roaming import tasks
from roaming.models import Push
from tests.roaming.conftest import network, registered_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The partner ids of the send_due messages queued (none is sent)."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.send_due, "delay", sent.append)
    return sent


@pytest.fixture
def world(ocpi, emsp, queued, django_capture_on_commit_callbacks):
    """20 stations with a charger and a connector each, and a registered partner; made and
    committed before the test's own changes."""
    with django_capture_on_commit_callbacks(execute=True):
        operator = network(stations=20)
    partner, _token = registered_partner(operator, emsp)
    return operator, partner


def pushed(module: str = "locations") -> set[str]:
    return set(Push.objects.filter(module=module).values_list("object_id", flat=True))


def committed(capture, change: Callable[[], object]) -> int:
    """Make `change` in one transaction; run what its commit runs. Returns the number of
    queries made after the commit."""
    with capture() as callbacks, transaction.atomic():
        change()
    with CaptureQueriesContext(connection) as after:
        for callback in callbacks:
            callback()
    return len(after.captured_queries)


def test_the_queries_after_the_commit_do_not_grow_with_the_rows_saved(
    world, queued, django_capture_on_commit_callbacks
):
    operator, partner = world
    chargers = list(Charger.objects.filter(operator=operator).order_by("code"))
    queries = {}
    for n in (2, 20):
        queries[n] = committed(
            django_capture_on_commit_callbacks, lambda n=n: [c.save() for c in chargers[:n]]
        )
    # the stations still there, their stamps, the partners, the push rows
    assert queries[2] == queries[20] == 4
    assert pushed() == {f"cpo1-st-{n:03d}" for n in range(20)}
    assert queued == [partner.pk, partner.pk]  # one message per transaction


def test_one_send_due_per_partner_per_transaction(
    world, emsp, queued, django_capture_on_commit_callbacks
):
    operator, partner = world
    other, _token = registered_partner(operator, emsp, party=("DE", "EMX"))

    def everything() -> None:
        for station in Station.objects.filter(operator=operator).order_by("code")[:5]:
            station.save()
        for charger in Charger.objects.filter(operator=operator).order_by("code")[5:10]:
            charger.save()
        connectors = Connector.objects.filter(charger__operator=operator)
        for connector in connectors.order_by("charger__code")[10:15]:
            connector.save()
        for tariff in Tariff.objects.filter(operator=operator):
            tariff.save()

    committed(django_capture_on_commit_callbacks, everything)
    assert sorted(queued) == sorted([partner.pk, other.pk])
    assert pushed() == {f"cpo1-st-{n:03d}" for n in range(15)}
    assert pushed("tariffs") == set(Tariff.objects.values_list("code", flat=True))


def test_a_rolled_back_transaction_pushes_nothing_then_or_later(
    world, queued, django_capture_on_commit_callbacks
):
    operator, _partner = world
    first, second = Station.objects.filter(operator=operator).order_by("code")[:2]
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        first.save()
        raise RuntimeError("rolled back")
    assert not Push.objects.exists() and queued == []
    committed(django_capture_on_commit_callbacks, second.save)
    assert pushed() == {second.code}  # the next transaction carries nothing of the first


def test_a_savepoint_rolled_back_first_loses_none_of_the_changes_kept(
    world, queued, django_capture_on_commit_callbacks
):
    """The transaction's first change is in a savepoint that rolls back: the changes made
    after it are pushed all the same."""
    operator, partner = world
    first, second, third = Station.objects.filter(operator=operator).order_by("code")[:3]

    def change() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            first.save()
            raise RuntimeError("savepoint rolled back")
        second.save()
        with transaction.atomic():  # a savepoint released
            third.save()

    committed(django_capture_on_commit_callbacks, change)
    assert pushed() == {second.code, third.code}
    assert queued == [partner.pk]


def test_a_savepoint_rolled_back_between_changes_loses_none_of_them(
    world, queued, django_capture_on_commit_callbacks
):
    """Changes before and after a savepoint that rolls back are pushed; the savepoint's own
    may be pushed too (the Location as it is now: what the partner has already)."""
    operator, partner = world
    first, second, third = Station.objects.filter(operator=operator).order_by("code")[:3]

    def change() -> None:
        first.save()
        with pytest.raises(RuntimeError), transaction.atomic():
            second.save()
            raise RuntimeError("savepoint rolled back")
        third.save()

    committed(django_capture_on_commit_callbacks, change)
    assert {first.code, third.code} <= pushed() <= {first.code, second.code, third.code}
    assert queued == [partner.pk]


def test_one_transaction_keeps_what_each_change_pushes(
    world, queued, django_capture_on_commit_callbacks
):
    """A renamed station: its new Location and its old id (unpublished); a deleted one: its
    id (unpublished); a renamed tariff: both codes and the Location it prices; a band: its
    tariff; a tariff moved to another station: it and the Locations it prices and priced."""
    operator, _partner = world
    stations = {s.code: s for s in Station.objects.filter(operator=operator)}
    renamed, deleted = stations["cpo1-st-000"], stations["cpo1-st-004"]
    tariff, band_of, moved = Tariff.objects.filter(
        code__in=["cpo1-station-001", "cpo1-station-003", "cpo1-station-005"]
    ).order_by("code")

    def change() -> None:
        renamed.code = "cpo1-st-renamed"
        renamed.save()
        deleted.delete()
        tariff.code = "cpo1-tariff-renamed"
        tariff.save()
        TariffBand.objects.create(tariff=band_of, code="peak", label="peak", start=dt.time(18),
                                  end=dt.time(21), rate_per_kwh=Decimal("25"))  # fmt: skip
        moved.station = stations["cpo1-st-002"]
        moved.save()

    committed(django_capture_on_commit_callbacks, change)
    locations = {"cpo1-st-renamed", "cpo1-st-000", "cpo1-st-004", "cpo1-st-001"}
    assert pushed() == locations | {"cpo1-st-002", "cpo1-st-005"}
    assert pushed("tariffs") == {
        "cpo1-tariff-renamed",
        "cpo1-station-001",
        "cpo1-station-003",
        "cpo1-station-005",
    }


def test_a_charger_or_connector_save_reads_nothing_for_ocpi_in_its_transaction(
    world, queued, django_capture_on_commit_callbacks
):
    """The Location of a changed charger or connector is named after the commit, by its
    station's code as the commit left it; a save reads no station for it before."""
    operator, _partner = world
    chargers = list(Charger.objects.filter(operator=operator).order_by("code")[:3])
    connector = Connector.objects.get(charger=chargers[1])
    station = chargers[2].station

    def change() -> None:
        with CaptureQueriesContext(connection) as inside:
            chargers[0].save()
            connector.save()
            chargers[2].save()
        assert not [q for q in inside.captured_queries if '"cpo_portal_station"."code"' in q["sql"]]
        Station.objects.filter(pk=station.pk).update(code="cpo1-st-later")  # no signal

    assert committed(django_capture_on_commit_callbacks, change) == 4
    assert pushed() == {"cpo1-st-000", "cpo1-st-001", "cpo1-st-later"}


def test_a_band_save_reads_no_tariff_in_its_transaction(
    world, queued, django_capture_on_commit_callbacks
):
    """A band's tariff is named after the commit, by its code as the commit left it, in one
    read whatever the number of bands saved; inside, the band's save reads no tariff for
    it (it moves the tariff's last_updated)."""
    tariffs = list(Tariff.objects.order_by("code")[:2])

    def change() -> None:
        with CaptureQueriesContext(connection) as inside:
            for tariff in tariffs:
                for hour in (6, 18):
                    TariffBand.objects.create(tariff=tariff, code=f"b{hour}", label="band",
                                              start=dt.time(hour), end=dt.time(hour + 2),
                                              rate_per_kwh=Decimal("20"))  # fmt: skip
        selected = [q["sql"].split(" FROM ")[0] for q in inside.captured_queries]
        assert not [s for s in selected if '"pricing_tariff"."code"' in s]  # no tariff named
        Tariff.objects.filter(pk=tariffs[1].pk).update(code="cpo1-tariff-later")  # no signal

    assert committed(django_capture_on_commit_callbacks, change) == 3  # tariffs, partners, pushes
    assert pushed("tariffs") == {tariffs[0].code, "cpo1-tariff-later"}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_change_is_pushed_as_it_is_made(ocpi, emsp, queued):
    operator = network(stations=2)
    partner, _token = registered_partner(operator, emsp)
    first, second = Charger.objects.filter(operator=operator).order_by("code")
    first.save()
    assert pushed() == {"cpo1-st-000"} and queued == [partner.pk]
    second.save()
    assert pushed() == {"cpo1-st-000", "cpo1-st-001"} and queued == [partner.pk] * 2


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_pushes_what_it_kept_and_a_real_rollback_nothing(ocpi, emsp, queued):
    operator = network(stations=3)
    partner, _token = registered_partner(operator, emsp)
    first, second, third = Charger.objects.filter(operator=operator).order_by("code")
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            first.save()
            raise RuntimeError("savepoint rolled back")
        second.save()
    assert pushed() == {"cpo1-st-001"} and queued == [partner.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        third.save()
        raise RuntimeError("rolled back")
    assert pushed() == {"cpo1-st-001"} and queued == [partner.pk]
