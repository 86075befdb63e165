"""Admin for code batches, customers, credit accounts and the ledger: tenant-safe, roles,
CSV in and out, the ledger read-only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offers.customer_keys import customer_key
from offers.models import CodeBatch, CreditAccount, Customer, Redemption
from offers.services.codes import generate_batch
from tests.offers.conftest import weekend_offer
from tests.support.admin import admin_urls

pytestmark = pytest.mark.django_db


url = admin_urls("offers")


@pytest.fixture
def world(network):
    network.offer_a = weekend_offer(network.op_a, auto=False)
    network.offer_b = weekend_offer(network.op_b, code="b-offer", auto=False)
    network.batch_b = generate_batch(network.offer_b, 3, prefix="BEE")
    network.customer_a = Customer.objects.create(
        operator=network.op_a, key=customer_key(phone="9876543210"), segment="commuter"
    )
    network.customer_b = Customer.objects.create(
        operator=network.op_b, key=customer_key(phone="9123456789"), segment="fleet-b"
    )
    return network


def test_generate_a_batch_and_download_it(as_pricing_a, world):
    response = as_pricing_a.post(
        url("codebatch", "add"), {"offer": world.offer_a.pk, "prefix": "diwali", "count": "25"}
    )
    assert response.status_code == 302
    batch = CodeBatch.objects.get(offer=world.offer_a)
    assert (batch.count, batch.prefix, batch.codes.count(), batch.created_by) == (
        25,
        "DIWALI",
        25,
        world.pricing_a,
    )
    csv_text = as_pricing_a.get(url("codebatch", "csv", batch.pk)).content.decode()
    assert csv_text.count("DIWALI-") == 25
    # a generated batch is not edited afterwards
    assert (
        as_pricing_a.post(url("codebatch", "change", batch.pk), {"count": "99"}).status_code == 403
    )


def test_batches_of_other_operators_stay_hidden(as_pricing_a, world):
    assert as_pricing_a.get(url("codebatch", "csv", world.batch_b.pk)).status_code == 404
    page = as_pricing_a.get(url("codebatch", "changelist")).content.decode()
    assert "b-offer" not in page
    response = as_pricing_a.post(
        url("codebatch", "add"), {"offer": world.offer_b.pk, "prefix": "", "count": "5"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert CodeBatch.objects.filter(offer=world.offer_b).count() == 1
    found = as_pricing_a.get(
        reverse("admin:autocomplete"),
        {"app_label": "offers", "model_name": "codebatch", "field_name": "offer", "term": ""},
    ).json()["results"]
    assert {r["id"] for r in found} == {str(world.offer_a.pk)}


def test_customers_list_search_by_contact_and_isolation(as_pricing_a, world):
    page = as_pricing_a.get(url("customer", "changelist")).content.decode()
    assert "commuter" in page and "fleet-b" not in page
    page = as_pricing_a.get(
        url("customer", "changelist"), {"q": "+91 98765 43210"}
    ).content.decode()
    assert world.customer_a.key[:12] in page
    page = as_pricing_a.get(url("customer", "changelist"), {"q": "9123456789"}).content.decode()
    assert world.customer_b.key[:12] not in page
    assert as_pricing_a.get(url("customer", "change", world.customer_b.pk)).status_code in (
        302,
        404,
    )


def test_customer_csv_upload(as_pricing_a, world, monkeypatch, django_capture_on_commit_callbacks):
    from offers import tasks
    from offers.services.customer_import_jobs import run_import

    sent: list[int] = []
    monkeypatch.setattr(tasks.run_customer_import, "delay", sent.append)
    upload = SimpleUploadedFile(
        "c.csv", b"phone,segment,tier\n+91 90000 00001,commuter,gold\nbad,x,y\n", "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        as_pricing_a.post(url("customer", "import"), {"operator": world.op_a.pk, "file": upload})
    (job_id,) = sent
    run_import(job_id)  # what the worker does
    page = as_pricing_a.get(url("customerimport", "change", job_id)).content.decode()
    assert "1 created, 0 updated, 1 skipped" in page
    assert "ine 3: no valid phone number or e-mail address" in page
    assert Customer.objects.get(key=customer_key(phone="9000000001")).tier == "gold"
    forged = SimpleUploadedFile("c.csv", b"phone\n9000000002\n", "text/csv")
    response = as_pricing_a.post(
        url("customer", "import"), {"operator": world.op_b.pk, "file": forged}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Customer.objects.filter(key=customer_key(phone="9000000002")).exists()


def test_analysts_cannot_import(client, world):
    client.force_login(world.analyst_a)
    assert client.get(url("customer", "import")).status_code == 403
    assert client.get(url("customer", "changelist")).status_code == 200


def test_credit_account_members_are_own_customers(as_pricing_a, world):
    response = as_pricing_a.post(
        url("creditaccount", "add"),
        {
            "operator": world.op_a.pk,
            "plan": "family",
            "name": "Rao family",
            "kind": "kwh",
            "balance_amount": "0",
            "balance_kwh": "0",
            "monthly_kwh": "100",
            "members": [world.customer_b.pk],
        },
    )
    assert "Select a valid choice" in response.content.decode()
    response = as_pricing_a.post(
        url("creditaccount", "add"),
        {
            "operator": world.op_a.pk,
            "plan": "family",
            "name": "Rao family",
            "kind": "kwh",
            "balance_amount": "0",
            "balance_kwh": "0",
            "monthly_kwh": "100",
            "members": [world.customer_a.pk],
        },
    )
    assert response.status_code == 302
    assert list(CreditAccount.objects.get().members.all()) == [world.customer_a]


def ledger_row(operator, offer, order_ref: str, **extra) -> Redemption:
    values = {
        "operator": operator,
        "order_ref": order_ref,
        "kind": "redeemed",
        "offer": offer,
        "offer_code": offer.code,
        "offer_title": offer.title,
        "benefit_kind": "percent",
        "station_code": "s",
        "charger_code": "c",
        "discount": Decimal("22.50"),
        "session_start": dt.datetime(2025, 9, 21, 4, 30, tzinfo=dt.UTC),
        "session_start_hour": 10,
    }
    return Redemption.objects.create(**{**values, **extra})


def test_ledger_is_read_only_and_scoped(client, world):
    mine = ledger_row(world.op_a, world.offer_a, "order-a-1")
    theirs = ledger_row(world.op_b, world.offer_b, "order-b-1")
    client.force_login(world.admin_a)
    page = client.get(url("redemption", "changelist")).content.decode()
    assert "order-a-1" in page and "order-b-1" not in page
    assert client.get(url("redemption", "add")).status_code == 403
    assert client.get(url("redemption", "change", mine.pk)).status_code == 200  # view only
    assert client.post(url("redemption", "change", mine.pk), {"discount": "0"}).status_code == 403
    assert client.get(url("redemption", "delete", mine.pk)).status_code == 403
    client.post(
        url("redemption", "changelist"),
        {"action": "delete_selected", "_selected_action": [mine.pk], "post": "yes"},
    )
    assert Redemption.objects.count() == 2
    response = client.post(
        url("redemption", "changelist"),
        {"action": "export_csv", "_selected_action": [mine.pk, theirs.pk]},
    )
    body = response.content.decode()
    assert "order-a-1" in body and "order-b-1" not in body
    client.force_login(world.superuser)
    assert client.get(url("redemption", "delete", mine.pk)).status_code == 403


def test_the_ledger_names_kinds_and_types_in_words(client, world):
    row = ledger_row(
        world.op_a,
        world.offer_a,
        "order-a-1",
        benefit_kind="rate_override",
        offer_type="TIER_PRICING",
    )
    client.force_login(world.admin_a)
    page = client.get(url("redemption", "change", row.pk)).content.decode()
    assert "Rate override (₹/kWh)" in page and "rate_override" not in page
    assert "Tier-based pricing" in page and "TIER_PRICING" not in page


def test_the_ledger_export_writes_instants_in_local_time_with_their_offset(client, world):
    """Staff read an export in the station's time (the operator's without a station), the
    offset written, not in UTC."""
    world.station_a.time_zone = "Asia/Dubai"
    world.station_a.save()
    ledger_row(world.op_a, world.offer_a, "order-at-station", station=world.station_a)
    ledger_row(world.op_a, world.offer_a, "order-anywhere")
    client.force_login(world.admin_a)
    response = client.post(
        url("redemption", "changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(Redemption.objects.values_list("pk", flat=True)),
        },
    )
    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    starts = {row[header.index("order_ref")]: row[header.index("session_start")] for row in rows}
    assert starts == {
        "order-at-station": "2025-09-21 08:30:00+04:00",
        "order-anywhere": "2025-09-21 10:00:00+05:30",
    }
