"""Catalog publishing to a Catalog Discovery Service: a publish goes through the callbacks'
delivery to the stand-in CDS, which ACKs, judges each catalog and calls back
`/catalog/on_publish`, signed; the results are recorded, rejections with their reasons.
Whole first, then on change; withdrawals when a CDS is turned off or deleted."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from beckn.management.commands.cds_standin import schema_issues
from beckn.models import (
    CatalogPublish,
    CatalogService,
    Outbox,
    OutboxState,
    PublishReason,
    PublishStatus,
    Subscriber,
    SubscriberType,
)
from beckn.services import cds
from cpo_portal.models import Stamp
from tests.beckn.cds_support import (
    CDS_ID,
    mini_catalog,
    published,
    register_cds,
    send,
    wait_for_answers,
)
from tests.factories import ConnectorFactory, StationFactory


@pytest.mark.django_db(transaction=True)
def test_a_publish_reaches_the_stand_in_cds_and_its_acceptance_is_recorded(
    standin, network, no_queue
):
    (sent,) = cds.publish_now(network.op_a, source=lambda op, now: [mini_catalog(op)])
    assert sent.reason == PublishReason.FIRST and sent.status == PublishStatus.WAITING
    assert no_queue["deliver"] == [sent.outbox_id]  # queued like any callback
    row = Outbox.objects.get(pk=sent.outbox_id)
    assert (row.action, row.subscriber_id, row.target_url) == (
        "catalog/publish", CDS_ID, standin.url + "/catalog/publish",
    )  # fmt: skip
    body = json.loads(row.payload)
    assert body["context"]["version"] == "2.0.0" and body["message"]["catalogs"][0]["id"] == (
        f"catalog-{network.op_a.code}"
    )
    assert send(sent) == OutboxState.DELIVERED  # signed with our key: the CDS checked it
    (answer,) = wait_for_answers(standin, 1)
    assert answer["bpp_status"] == 200, answer
    sent.refresh_from_db()
    assert sent.status == PublishStatus.ACCEPTED and sent.rejections == ""
    assert sent.results[0]["catalogId"] == f"catalog-{network.op_a.code}"
    assert sent.answered_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_rejected_catalog_is_recorded_with_its_reason(standin, network, no_queue):
    (sent,) = cds.publish_now(
        network.op_a, source=lambda op, now: [mini_catalog(op, resources=False)]
    )
    assert send(sent) == OutboxState.DELIVERED
    (answer,) = wait_for_answers(standin, 1)
    assert answer["bpp_status"] == 200, answer
    sent.refresh_from_db()
    assert sent.status == PublishStatus.REJECTED
    assert sent.rejections.startswith(
        f"catalog-{network.op_a.code} rejected: 40001 $.message.catalogs[0].resources: is "
        "required; 40001 $.message.catalogs[0].offers: is required"
    ), sent.rejections  # the 2.0.0 Catalog needs resources or offers (its anyOf's branches)


@pytest.mark.django_db
def test_catalogs_are_published_whole_first_then_on_change(
    bpp, our_key, network, cds_keys, no_queue
):
    service = CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    shown = mini_catalog(network.op_a)
    at = timezone.now()  # one refresh period: only an edit makes the catalogs due

    def source(op, now):
        return [shown]

    assert cds.publish_due(at, source=source) == 0  # the CDS is not registered yet: waits
    register_cds("https://cds.test.example/v2", cds_keys[1])
    assert cds.publish_due(at, source=source) == 1
    assert cds.publish_due(at, source=source) == 0  # nothing changed since
    network.charger_b.status = "Faulted"  # another operator's network: not A's catalog
    network.charger_b.save()
    assert cds.publish_due(at, source=source) == 0
    Stamp.bump(Stamp.Kind.CATALOG, network.op_a.pk)  # a change that the catalog does not show
    assert cds.publish_due(at, source=source) == 0
    shown["descriptor"] = {"name": "Renamed"}
    Stamp.bump(Stamp.Kind.CATALOG, network.op_a.pk)  # an offer, a code, a place changed
    assert cds.publish_due(at, source=source) == 1
    assert [p.reason for p in CatalogPublish.objects.order_by("pk")] == ["first", "changed"]
    service.refresh_from_db()
    assert service.published_stamp == cds.catalog_stamp(network.op_a.pk, at)
    CatalogService.objects.filter(pk=service.pk).update(active=False)
    Stamp.bump(Stamp.Kind.CATALOG, network.op_a.pk)
    with pytest.raises(ValueError, match=r"publishing to cds\.test\.example is off"):
        cds.publish_now(network.op_a, source=source)
    assert cds.publish_due(at, source=source) == 1  # off: what the CDS holds is withdrawn
    assert CatalogPublish.objects.latest("pk").reason == "withdrawn"
    assert cds.publish_due(at, source=source) == 0  # then nothing is sent


@pytest.mark.django_db
def test_a_cds_no_longer_published_to_has_its_catalogs_withdrawn(
    bpp, our_key, search_world, cds_keys, no_queue
):
    """A CDS keeps a catalog until told otherwise: turned off, the catalogs it holds are
    withdrawn at the next beat (then nothing is sent); on again, every catalog goes; and
    when the operator chooses another CDS, the old one has them withdrawn and the new one
    gets them all."""
    network = search_world
    second = StationFactory(operator=network.op_a, code="a-second")
    ConnectorFactory(charger__station=second, charger__code="a-second-01")
    register_cds("https://cds.test.example/v2", cds_keys[1])
    other = Subscriber.objects.create(
        subscriber_id="cds-2.test.example", type=SubscriberType.CDS,
        url="https://cds-2.test.example/v2", key_id="cds-2.k1", signing_public_key=cds_keys[1],
    )  # fmt: skip
    service = CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    at = timezone.now()
    assert cds.publish_due(at) == 1
    held = sorted(CatalogService.objects.get(pk=service.pk).published_digests)
    assert len(held) == 2

    def last_publish():
        row = CatalogPublish.objects.latest("pk")
        catalogs = published([row])
        return row.cds_id, row.reason, sorted((c["id"], c.get("isActive", True)) for c in catalogs)

    service.active = False
    service.save()
    assert cds.publish_due(at) == 1
    assert last_publish() == (CDS_ID, "withdrawn", [(cid, False) for cid in held])
    service.refresh_from_db()
    assert (service.published_digests, service.published_to) == ({}, CDS_ID)
    Stamp.bump(Stamp.Kind.PRICING, network.op_a.pk)
    assert cds.publish_due(at) == 0  # off: nothing more is sent
    service.active = True
    service.save()
    assert cds.publish_due(at) == 1
    assert last_publish() == (CDS_ID, "first", [(cid, True) for cid in held])
    service.cds_id = other.subscriber_id
    service.save()
    assert cds.publish_due(at) == 2  # one withdrawal, one publish
    withdrawal, first = CatalogPublish.objects.order_by("-pk")[:2][::-1]
    assert (withdrawal.cds_id, withdrawal.reason, first.cds_id, first.reason) == (
        CDS_ID, "withdrawn", other.subscriber_id, "first",
    )  # fmt: skip
    assert [c.get("isActive", True) for c in published([withdrawal])] == [False, False]
    assert sorted(c["id"] for c in published([first])) == held
    service.refresh_from_db()
    assert service.published_to == other.subscriber_id
    assert sorted(service.published_digests) == held
    assert cds.publish_due(at) == 0


@pytest.mark.django_db
def test_a_cds_deleted_has_its_catalogs_withdrawn_with_or_without_its_operator(
    client, bpp, our_key, network, cds_keys, no_queue, monkeypatch, caplog
):
    monkeypatch.setattr(cds, "catalogs_of", lambda op, now: [mini_catalog(op)])
    register_cds("https://cds.test.example", cds_keys[1])
    for operator in (network.op_a, network.op_b):
        CatalogService.objects.create(operator=operator, cds_id=CDS_ID)
        cds.publish_now(operator)
    service = CatalogService.objects.get(operator=network.op_a)
    client.force_login(network.admin_a)
    delete = reverse("admin:beckn_catalogservice_delete", args=[service.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    withdrawal = CatalogPublish.objects.latest("pk")
    assert (withdrawal.operator, withdrawal.cds_id, withdrawal.reason) == (
        network.op_a, CDS_ID, "withdrawn",
    )  # fmt: skip
    assert [(c["id"], c["isActive"]) for c in published([withdrawal])] == [
        (f"catalog-{network.op_a.code}", False)
    ]
    caplog.set_level("INFO", logger="beckn.services.cds")
    before = Outbox.objects.count()
    op_b = network.op_b.pk
    network.op_b.delete()  # its records go with it; its catalogs are withdrawn all the same
    assert not CatalogPublish.objects.filter(operator_id=op_b).exists()
    (unrecorded,) = Outbox.objects.order_by("pk")[before:]
    assert unrecorded.target_url == "https://cds.test.example/catalog/publish"
    body = json.loads(unrecorded.payload)
    assert schema_issues(body) == []
    assert [(c["id"], c["isActive"]) for c in body["message"]["catalogs"]] == [
        (f"catalog-{network.op_b.code}", False)
    ]
    assert f"{network.op_b.code} deleted: its catalogs withdrawn from {CDS_ID}" in caplog.text


@pytest.mark.django_db
def test_a_lost_withdrawal_from_a_cds_turned_off_is_withdrawn_again(
    bpp, our_key, search_world, cds_keys, no_queue
):
    register_cds("https://cds.test.example/v2", cds_keys[1])
    service = CatalogService.objects.create(operator=search_world.op_a, cds_id=CDS_ID)
    at = timezone.now()
    assert cds.publish_due(at) == 1
    CatalogService.objects.filter(pk=service.pk).update(active=False)
    assert cds.publish_due(at) == 1
    withdrawal = CatalogPublish.objects.latest("pk")
    Outbox.objects.filter(pk=withdrawal.outbox_id).update(state=OutboxState.EXPIRED)
    assert cds.publish_due(at) == 1  # the CDS was down: withdrawn again, once
    again = CatalogPublish.objects.latest("pk")
    assert again.reason == "withdrawn" and again.catalog_ids == withdrawal.catalog_ids
    withdrawal.refresh_from_db()
    assert withdrawal.resent
    assert cds.publish_due(at) == 0
