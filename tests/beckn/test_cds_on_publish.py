"""A CDS's `/catalog/on_publish`: refused unless a registered CDS signed it, or when a
result holds what no column can; the admin's CDS page and the publishing commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from beckn.models import (
    CatalogPublish,
    CatalogService,
    PublishReason,
    PublishStatus,
    Subscriber,
    SubscriberType,
)
from beckn.protocol.signing import sign_request
from beckn.services import cds, cds_results
from beckn.simulator.cds import StandInCds
from tests.beckn.cds_support import CDS_ID, mini_catalog, register_cds


def on_publish(message_id: str, results: list) -> bytes:
    body = {
        "context": {"action": "catalog/on_publish", "version": "2.0.0", "messageId": message_id},
        "message": {"results": results},
    }
    return json.dumps(body).encode()


def post(client, raw: bytes, private: str | None, key_id: str = f"{CDS_ID}.k1"):
    headers = {}
    if private:
        auth = sign_request(raw, subscriber_id=CDS_ID, key_id=key_id, private_key_b64=private)
        headers["HTTP_AUTHORIZATION"] = auth
    url = reverse("beckn:catalog-on-publish")
    return client.post(url, raw, content_type="application/json", **headers)


@pytest.mark.django_db
def test_on_publish_is_refused_unless_a_registered_cds_signed_it(
    client, bpp, our_key, network, cds_keys, no_queue
):
    private, public = cds_keys
    CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    (sent,) = cds.publish_now(network.op_a, source=lambda op, now: [mini_catalog(op)])
    good = on_publish(sent.message_id, [{"catalogId": "c", "status": "ACCEPTED"}])
    assert post(client, good, private).status_code == 401  # not registered
    subscriber = register_cds("https://cds.test.example", public, kind=SubscriberType.BAP)
    answer = post(client, good, private)
    assert (
        answer.status_code == 401
        and "is not a registered CDS" in answer.json()["error"]["errorMessage"]
    )
    Subscriber.objects.filter(pk=subscriber.pk).update(type=SubscriberType.CDS)
    assert post(client, good, None).status_code == 401  # unsigned
    assert post(client, b"{not json", private).status_code == 400  # signed, not JSON
    unknown = on_publish("no-such-message", [])
    refused = post(client, unknown, private)
    assert refused.status_code == 404
    assert (
        refused.json()["error"]["errorMessage"] == "no catalog publish of ours has this messageId"
    )
    assert post(client, on_publish(sent.message_id, "x"), private).status_code == 400
    sent.refresh_from_db()
    assert sent.status == PublishStatus.WAITING
    mixed = on_publish(sent.message_id, [
        {"catalogId": "c1", "status": "ACCEPTED"},
        {"catalogId": "c2", "status": "PARTIAL",
         "errors": [{"errorCode": "40002", "errorMessage": "resource r9 has no descriptor"}]},
    ])  # fmt: skip
    assert post(client, mixed, private).json()["status"] == "ACK"  # 2.0's Ack, counter-signed
    sent.refresh_from_db()
    assert sent.status == PublishStatus.PARTIAL
    assert sent.rejections == "c2 partly accepted: 40002 resource r9 has no descriptor"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value, says",
    [
        ("NaN", "the body is written with NaN, which is not a JSON number"),
        ('"a\\u0000b"', "the body is not storable text: a string holds NUL"),
        ("1e999", "the body is written with the number 1e999, which is out of range"),
    ],
)
def test_an_on_publish_no_column_can_hold_is_refused_with_its_reason(
    client, bpp, our_key, network, cds_keys, no_queue, value, says
):
    """A CDS's answer is read as every Beckn body is (intake.parsed): what PostgreSQL cannot
    store is a NACK that says why, never an error after the answer was recorded."""
    private, public = cds_keys
    CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    (sent,) = cds.publish_now(network.op_a, source=lambda op, now: [mini_catalog(op)])
    register_cds("https://cds.test.example", public)
    raw = on_publish(sent.message_id, [{"catalogId": "c", "status": "ACCEPTED", "n": "X"}])
    answer = post(client, raw.replace(b'"X"', value.encode()), private)
    assert answer.status_code == 400
    assert answer.json()["error"]["errorMessage"].startswith(says)
    sent.refresh_from_db()
    assert sent.status == PublishStatus.WAITING and sent.results in (None, [], {})


@pytest.mark.django_db
def test_admin_configures_a_cds_publishes_on_demand_and_shows_rejections(
    client, bpp, our_key, network, cds_keys, no_queue, monkeypatch
):
    client.force_login(network.admin_a)
    add = reverse("admin:beckn_catalogservice_add")
    form = {"operator": network.op_a.pk, "cds_id": CDS_ID, "active": "on"}
    page = client.post(add, form).content.decode()
    assert "No CDS &#x27;cds.test.example&#x27; is subscribed in the subscriber registry" in page
    register_cds("https://cds.test.example", cds_keys[1])
    assert client.post(add, form).status_code == 302
    service = CatalogService.objects.get(operator=network.op_a)
    monkeypatch.setattr(cds, "catalogs_of", lambda op, now: [mini_catalog(op)])
    changelist = reverse("admin:beckn_catalogservice_changelist")
    action = {"action": "publish_now", "_selected_action": [service.pk]}
    assert client.post(changelist, action).status_code == 302
    sent = CatalogPublish.objects.get()
    assert sent.reason == PublishReason.FIRST
    cds_results.record_results(sent, [{"catalogId": "c", "status": "REJECTED",
                               "errors": [{"errorCode": "40001", "errorMessage": "no offers"}]}],
                       sent.created_at)  # fmt: skip
    listing = client.get(reverse("admin:beckn_catalogpublish_changelist")).content.decode()
    assert "c rejected: 40001 no offers" in listing
    change = reverse("admin:beckn_catalogservice_change", args=[service.pk])
    off = {"operator": network.op_a.pk, "cds_id": CDS_ID}  # "active" unticked
    assert "Catalogs held by" in client.get(change).content.decode()
    assert client.post(change, off).status_code == 302
    service.refresh_from_db()
    assert not service.active and list(service.published_digests) == [
        f"catalog-{network.op_a.code}"
    ]  # held until the beat withdraws them
    page = client.post(changelist, action, follow=True).content.decode()
    assert "not published: publishing to cds.test.example is off" in page
    client.force_login(network.admin_b)  # another operator's staff see none of it
    listing = client.get(reverse("admin:beckn_catalogpublish_changelist")).content.decode()
    assert "no offers" not in listing


@pytest.mark.django_db
def test_the_command_publishes_whole_on_demand(
    bpp, our_key, network, cds_keys, no_queue, monkeypatch
):
    monkeypatch.setattr(cds, "catalogs_of", lambda op, now: [mini_catalog(op)])
    with pytest.raises(CommandError, match="has no active CDS"):
        call_command("cds_publish", operator=network.op_a.code)
    register_cds("https://cds.test.example", cds_keys[1])
    CatalogService.objects.create(
        operator=network.op_a, cds_id=CDS_ID, published_stamp="x", last_published_at=timezone.now()
    )
    out = StringIO()
    call_command("cds_publish", stdout=out)
    assert "1 catalog(s) queued for cds.test.example in 1 publish(es)" in out.getvalue()
    assert CatalogPublish.objects.get().reason == PublishReason.ON_DEMAND


@pytest.mark.django_db
def test_the_stand_in_command_registers_itself_as_every_operators_cds(
    bpp, our_key, network, monkeypatch
):
    served = []

    def serve_once(self):
        served.append(self.url)
        self.stop()

    monkeypatch.setattr(StandInCds, "serve_forever", serve_once)
    out = StringIO()
    call_command("cds_standin", port=0, for_all_operators=True, stdout=out)
    (url,) = served
    entry = Subscriber.objects.get(subscriber_id="cds.local")
    assert (entry.type, entry.url) == (SubscriberType.CDS, url)
    assert set(CatalogService.objects.values_list("operator__code", "cds_id")) == {
        (network.op_a.code, "cds.local"), (network.op_b.code, "cds.local"),
    }  # fmt: skip
    assert f"Stand-in CDS cds.local at {url}/catalog/publish" in out.getvalue()
    with pytest.raises(CommandError, match="is not a TCP port"):
        call_command("cds_standin", port=70000)
