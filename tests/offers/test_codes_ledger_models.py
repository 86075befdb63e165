"""Code batches and the ledger's append-only guarantee."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from cpo_portal.models import Stamp
from offers.models import AppendOnlyError, OfferCode, Redemption
from offers.services.codes import ALPHABET, batch_csv, generate_batch
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(network):
    return OfferFactory(operator=network.op_a, code="diwali", title="Diwali", auto=False)


def test_batch_codes_are_unique_random_and_single_use(offer):
    before = Stamp.current(Stamp.Kind.CATALOG, offer.operator_id)
    batch = generate_batch(offer, 500, prefix="diwali")
    codes = list(batch.codes.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 500
    assert all(c.startswith("DIWALI-") and len(c) == 17 for c in codes)
    assert all(ch in ALPHABET for c in codes for ch in c[7:])
    assert all(code.single_use for code in batch.codes.all())
    assert Stamp.current(Stamp.Kind.CATALOG, offer.operator_id) != before


def test_codes_are_unique_per_operator_not_globally(offer, network):
    OfferCode.objects.create(offer=offer, code="weekend25")
    assert OfferCode.objects.get(offer=offer).code == "WEEKEND25"
    other = OfferFactory(operator=network.op_b, code="w")
    OfferCode.objects.create(offer=other, code="WEEKEND25")  # another operator: fine
    second = OfferFactory(operator=network.op_a, code="w2")
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferCode.objects.create(offer=second, code="Weekend25")


def test_one_multi_use_code_per_offer(offer):
    OfferCode.objects.create(offer=offer, code="DIWALI25")
    generate_batch(offer, 3)  # batch codes are not the multi-use code
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferCode.objects.create(offer=offer, code="DIWALI50")


def test_batch_csv_lists_every_code_with_its_use(offer):
    batch = generate_batch(offer, 20)
    used = batch.codes.order_by("code").first()
    OfferCode.objects.filter(pk=used.pk).update(
        used_at=dt.datetime(2025, 9, 21, 10, tzinfo=dt.UTC), used_order="order-001"
    )
    rows = list(csv.reader(io.StringIO(batch_csv(batch))))
    assert rows[0] == ["offer_id", "code", "used_at", "used_order"]
    assert len(rows) == 21
    assert rows[1] == ["diwali", used.code, "2025-09-21T10:00:00+00:00", "order-001"]
    assert {r[1] for r in rows[1:]} == set(batch.codes.values_list("code", flat=True))


def test_batch_size_is_bounded(offer):
    with pytest.raises(ValueError, match="1 to 100000"):
        generate_batch(offer, 0)


def ledger_row(offer, network, **extra) -> Redemption:
    values = {
        "operator": network.op_a,
        "order_ref": "order-001",
        "kind": "redeemed",
        "offer": offer,
        "offer_code": offer.code,
        "offer_title": offer.title,
        "benefit_kind": "percent",
        "station_code": "a-station",
        "charger_code": "a-charger-01",
        "discount": Decimal("22.50"),
        "session_start": dt.datetime(2025, 9, 21, 4, 30, tzinfo=dt.UTC),
        "session_start_hour": 10,
    }
    return Redemption.objects.create(**{**values, **extra})


def test_ledger_rows_cannot_be_changed_or_removed(offer, network):
    row = ledger_row(offer, network)
    row.discount = Decimal("0")
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        Redemption.objects.filter(pk=row.pk).update(discount=0)
    with pytest.raises(AppendOnlyError):
        Redemption.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        Redemption.objects.bulk_update([row], ["discount"])
    assert Redemption.objects.get(pk=row.pk).discount == Decimal("22.50")


def test_one_row_per_order_offer_step(offer, network):
    ledger_row(offer, network)
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger_row(offer, network)
    ledger_row(offer, network, kind="reversed", seq=1)
    ledger_row(offer, network, kind="reversed", seq=2)
    assert Redemption.objects.count() == 3


def test_offers_and_stations_with_ledger_rows_cannot_be_deleted(offer, network):
    from django.db.models import ProtectedError

    ledger_row(offer, network, station=network.station_a)
    with pytest.raises(ProtectedError):
        offer.delete()
    with pytest.raises(ProtectedError):
        network.station_a.delete()


@pytest.mark.postgres
def test_postgres_refuses_raw_sql_changes(offer, network):
    row = ledger_row(offer, network)
    for sql in (
        "UPDATE offers_redemption SET discount = 0 WHERE id = %s",
        "DELETE FROM offers_redemption WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
    assert Redemption.objects.get(pk=row.pk).discount == Decimal("22.50")
