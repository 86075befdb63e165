"""Catalog publishing to a Catalog Discovery Service: a publish goes through the callbacks'
delivery to the stand-in CDS, which ACKs, judges each catalog and calls back
`/catalog/on_publish`, signed; the results are recorded, rejections with their reasons.
Change detection, the receiver's refusals, the admin and the command."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
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
from beckn.protocol.signing import generate_keypair, sign_request
from beckn.services import cds, cds_results
from beckn.simulator.cds import StandInCds
from beckn.tasks import deliver_now
from cpo_portal.models import Charger, Stamp
from cpo_portal.models.network import StationStatus
from pricing.models import Tariff
from tests.beckn.bap import BPP_ID
from tests.factories import ConnectorFactory, StationFactory

CDS_ID = "cds.test.example"


def mini_catalog(operator, *, resources: bool = True) -> dict:
    """A small 2.0 catalog standing in for the renderer's (beckn.wire.v2.catalog)."""
    out = {
        "id": f"catalog-{operator.code}",
        "bppId": BPP_ID,
        "descriptor": {"name": operator.name},
        "provider": {"id": operator.code, "descriptor": {"name": operator.name}},
    }
    if resources:
        out["resources"] = [{"id": "a-charger-01", "descriptor": {"name": "Charger 1"}}]
    return out


@pytest.fixture
def cds_keys():
    private, public = generate_keypair()
    return private, public


def register_cds(url: str, public: str, kind: str = SubscriberType.CDS) -> Subscriber:
    return Subscriber.objects.create(
        subscriber_id=CDS_ID, type=kind, url=url, key_id=f"{CDS_ID}.k1",
        signing_public_key=public,
    )  # fmt: skip


@pytest.fixture
def standin(settings, live_server, our_key, network, cds_keys):
    """The stand-in CDS on loopback, registered, as operator A's CDS; our BPP served live."""
    settings.BECKN_SUBSCRIBER_URI = live_server.url + "/beckn"
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = True
    private, public = cds_keys
    ours = {(BPP_ID, our_key.key_id): our_key.public_key}
    server = StandInCds(
        subscriber_id=CDS_ID, key_id=f"{CDS_ID}.k1", private_key=private,
        lookup=lambda sid, kid: ours.get((sid, kid)), validate=schema_issues,
    ).start()  # fmt: skip
    register_cds(server.url, public)
    CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    yield server
    server.stop()


def send(publish_row: CatalogPublish) -> str:
    """Deliver the publish as the worker would (the same delivery as callbacks)."""
    results = deliver_now([publish_row.outbox_id])
    return results[publish_row.outbox_id].state


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
    (answer,) = standin.wait_for_answers(1)
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
    (answer,) = standin.wait_for_answers(1)
    assert answer["bpp_status"] == 200, answer
    sent.refresh_from_db()
    assert sent.status == PublishStatus.REJECTED
    assert sent.rejections.startswith(
        f"catalog-{network.op_a.code} rejected: 40001 $.message.catalogs[0]: "
    ), sent.rejections  # the 2.0.0 Catalog needs resources or offers (its anyOf)


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
        catalogs = _published([row])
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
    assert [c.get("isActive", True) for c in _published([withdrawal])] == [False, False]
    assert sorted(c["id"] for c in _published([first])) == held
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
    assert [(c["id"], c["isActive"]) for c in _published([withdrawal])] == [
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


@pytest.mark.django_db
def test_what_is_published_is_the_published_catalog_rendered_in_2_0(bpp, search_world):
    """The real payload: operator A's catalog from the published catalog (what a discover
    reads), valid against the 2.0.0 schema and its attribute packs."""
    operator = search_world.op_a
    catalogs = cds.catalogs_of(operator)
    assert [c["provider"]["id"] for c in catalogs] == [operator.code]
    assert [c["id"] for c in catalogs] == [
        f"{operator.code}:{search_world.station_a.code}:ev-charging"
    ]
    assert {r["id"] for r in catalogs[0]["resources"]} >= {search_world.charger_a.code}
    body = cds.publish_body(catalogs, timezone.now())
    assert schema_issues(body) == []


@pytest.mark.django_db
def test_a_cds_gets_every_charger_of_the_catalog_however_many(bpp, search_world, settings):
    """A discover's answer stops at BECKN_MAX_CATALOG_ITEMS; the CDS's copy of the catalog
    replaces the whole of it, so a publish is never cut."""
    operator = search_world.op_a
    for n in range(2, 5):
        ConnectorFactory(charger__station=search_world.station_a, charger__code=f"a-{n}")
    settings.BECKN_MAX_CATALOG_ITEMS = 2
    (catalog,) = cds.catalogs_of(operator)
    codes = Charger.objects.filter(station__operator=operator).values_list("code", flat=True)
    assert {r["id"] for r in catalog["resources"]} == set(codes) and len(codes) == 4
    # an offer's offered rate is given once per list rate, not once per charger
    listed = {o["id"] for o in catalog["offers"] if o["id"].startswith("list-price:")}
    rates = {
        o["considerations"][0]["considerationAttributes"]["value"]
        for o in catalog["offers"]
        if o["id"] in listed
    }
    promotions = [o for o in catalog["offers"] if o.get("considerations") and o["id"] not in listed]
    assert len(listed) == 4 and rates == {18.0} and promotions
    for offer in promotions:
        (offered,) = offer["considerations"]
        assert offered["id"] == "offered-rate:18" and offered["status"] == {"code": "OFFERED"}
        assert offered["considerationAttributes"]["components"][0]["value"] == 18.0


def _published(rows) -> list[dict]:
    """The catalogs of these publishes, each checked against the 2.0.0 schema."""
    out = []
    for row in rows:
        body = json.loads(Outbox.objects.get(pk=row.outbox_id).payload)
        assert schema_issues(body) == []
        assert [c["id"] for c in body["message"]["catalogs"]] == row.catalog_ids
        out += body["message"]["catalogs"]
    return out


@pytest.mark.django_db
def test_a_change_at_one_station_publishes_that_station_s_catalog_alone(
    bpp, our_key, search_world, cds_keys, no_queue
):
    """One catalog per station: a change at one sends that one, not the operator's whole
    network; a station closed is withdrawn (`isActive` false)."""
    network = search_world
    other = StationFactory(operator=network.op_a, code="a-second", name="Second")
    ConnectorFactory(charger__station=other, charger__code="a-second-01")
    register_cds("https://cds.test.example/v2", cds_keys[1])
    at = timezone.now()  # one refresh period: only edits make the catalogs due
    CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    assert cds.publish_due(at) == 1
    first = CatalogPublish.objects.get()
    ids = {f"{network.op_a.code}:{code}:ev-charging" for code in ("a-station", "a-second")}
    assert set(first.catalog_ids) == ids and first.reason == PublishReason.FIRST

    network.charger_a.name = "Renamed"
    network.charger_a.save()
    assert cds.publish_due(at) == 1
    changed = CatalogPublish.objects.latest("pk")
    assert changed.catalog_ids == [f"{network.op_a.code}:a-station:ev-charging"]
    (catalog,) = _published([changed])
    (resource,) = catalog["resources"]
    assert resource["descriptor"]["name"] == "Renamed"
    assert cds.publish_due(at) == 0

    other.status = StationStatus.CLOSED
    other.save()
    assert cds.publish_due(at) == 1
    (withdrawn,) = _published([CatalogPublish.objects.latest("pk")])
    assert withdrawn["id"] == f"{network.op_a.code}:a-second:ev-charging"
    assert withdrawn["isActive"] is False and withdrawn["resources"] == []
    held = CatalogService.objects.get(operator=network.op_a).published_digests
    assert set(held) == {f"{network.op_a.code}:a-station:ev-charging"}


@pytest.mark.django_db
def test_a_whole_publish_is_cut_into_messages_under_the_part_bound(
    bpp, our_key, search_world, cds_keys, no_queue, settings
):
    network = search_world
    for n in range(6):
        station = StationFactory(operator=network.op_a, code=f"a-more-{n}")
        for m in range(3):
            ConnectorFactory(charger__station=station, charger__code=f"a-more-{n}-{m}")
    register_cds("https://cds.test.example/v2", cds_keys[1])
    CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    sizes = [len(json.dumps(c).encode()) for c in cds.catalogs_of(network.op_a)]
    settings.BECKN_CATALOG_PART_BYTES = max(sizes) * 2 + 2048
    rows = cds.publish_now(network.op_a)
    assert 3 <= len(rows) <= 7
    for row in rows:
        payload = Outbox.objects.get(pk=row.outbox_id).payload
        assert len(payload.encode()) <= settings.BECKN_CATALOG_PART_BYTES
    ids = [c["id"] for c in _published(rows)]
    assert len(ids) == len(set(ids)) == 7


@pytest.mark.django_db
def test_a_cds_holding_an_operator_s_whole_catalog_gets_it_withdrawn(
    bpp, our_key, network, cds_keys, no_queue
):
    """Before catalogs by station, a CDS held one catalog per operator: the migration
    marks it held, so the next beat withdraws it and sends the stations' catalogs."""
    from django.apps import apps

    migration = importlib.import_module("beckn.migrations.0016_catalogs_by_station")
    register_cds("https://cds.test.example/v2", cds_keys[1])
    at = timezone.now()  # one refresh period: only edits make the catalogs due
    CatalogService.objects.create(
        operator=network.op_a, cds_id=CDS_ID, last_published_at=timezone.now(),
        published_stamp=cds.catalog_stamp(network.op_a.pk, timezone.now()),
    )  # fmt: skip
    migration.retire_whole_catalogs(apps, None)
    assert cds.publish_due(at) == 1
    sent = CatalogPublish.objects.get()
    assert sent.reason == PublishReason.CHANGED
    catalogs = {c["id"]: c for c in _published([sent])}
    assert catalogs[f"{network.op_a.code}:ev-charging"]["isActive"] is False
    assert f"{network.op_a.code}:a-station:ev-charging" in catalogs


@pytest.mark.django_db
def test_a_surge_notice_reaches_the_cds_when_its_window_nears_with_no_edit(
    bpp, our_key, search_world, cds_keys, no_queue
):
    """What a catalog shows depends on the time: a surge's notice shows from an hour before
    its window (18:00-21:00 at operator A's station). With nothing edited, the catalogs are
    rendered again each BECKN_CATALOG_TIME_STEP and the one that changed is sent."""
    register_cds("https://cds.test.example/v2", cds_keys[1])
    CatalogService.objects.create(operator=search_world.op_a, cds_id=CDS_ID)
    day = dt.datetime(2030, 9, 23, tzinfo=ZoneInfo("Asia/Kolkata"))
    listed = f"list-price:{search_world.charger_a.code}"

    def notice(rows) -> str | None:
        (catalog,) = _published(rows)
        offer = next(o for o in catalog["offers"] if o["id"] == listed)
        return offer["descriptor"].get("shortDesc")

    assert cds.publish_due(day.replace(hour=16)) == 1
    assert notice([CatalogPublish.objects.latest("pk")]) is None
    assert cds.publish_due(day.replace(hour=16, minute=1)) == 0  # the same period
    assert cds.publish_due(day.replace(hour=16, minute=30)) == 0  # looked at: nothing changed
    assert cds.publish_due(day.replace(hour=17, minute=10)) == 1
    assert notice([CatalogPublish.objects.latest("pk")]) == "Congestion Fee"
    assert cds.publish_due(day.replace(hour=21, minute=30)) == 1  # the window is over
    assert notice([CatalogPublish.objects.latest("pk")]) is None


@pytest.mark.django_db
def test_catalogs_of_a_publish_never_delivered_are_sent_again(
    client, bpp, our_key, search_world, cds_keys, no_queue
):
    """Only what changed is sent, so a publish that never reached the CDS (expired while
    it was down) would leave its catalogs stale there: the next beat sends them again, as
    they now are, once; a withdrawal lost is sent again too."""
    network = search_world
    other = StationFactory(operator=network.op_a, code="a-second", name="Second")
    ConnectorFactory(charger__station=other, charger__code="a-second-01")
    register_cds("https://cds.test.example/v2", cds_keys[1])
    CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    at = timezone.now()  # one refresh period: only edits and losses make a publish
    assert cds.publish_due(at) == 1
    first = CatalogPublish.objects.get()
    Outbox.objects.filter(pk=first.outbox_id).update(state=OutboxState.EXPIRED)
    other.status = StationStatus.CLOSED
    other.save()
    assert cds.publish_due(at) == 1
    again = CatalogPublish.objects.latest("pk")
    catalogs = {c["id"]: c for c in _published([again])}
    station, second = (
        f"{network.op_a.code}:{code}:ev-charging" for code in ("a-station", "a-second")
    )
    assert catalogs[station]["resources"] and catalogs[second]["isActive"] is False
    first.refresh_from_db()
    assert first.resent
    client.force_login(network.admin_a)
    listing = client.get(reverse("admin:beckn_catalogpublish_changelist")).content.decode()
    assert "Expired (ttl ran out); its catalogs sent again" in listing
    assert cds.publish_due(at) == 0  # sent again once
    Outbox.objects.filter(pk=again.outbox_id).update(state=OutboxState.REJECTED)
    assert cds.publish_due(at) == 0  # refused by the CDS: a fault to mend, not to repeat
    Outbox.objects.filter(pk=again.outbox_id).update(state=OutboxState.EXPIRED)
    assert cds.publish_due(at) == 1
    resent = _published([CatalogPublish.objects.latest("pk")])
    assert [(c["id"], c.get("isActive", True)) for c in resent] == [
        (station, True), (second, False),
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_network_edit_renders_only_its_station_s_catalog_again(
    bpp, our_key, search_world, cds_keys, no_queue, monkeypatch
):
    """A catalog whose inputs (its station's rows, the operator's row, its pricing and
    offer stamps, the time step) are as when it was sent is not rendered again; the CDS
    keeps holding it."""
    from beckn.wire.v2 import catalogs as v2_catalogs

    network = search_world
    for code in ("a-second", "a-third"):
        station = StationFactory(operator=network.op_a, code=code)
        ConnectorFactory(charger__station=station, charger__code=f"{code}-01")
    register_cds("https://cds.test.example/v2", cds_keys[1])
    CatalogService.objects.create(operator=network.op_a, cds_id=CDS_ID)
    # 09:30 at the station: the steps below are hours from a surge's notice (17:00-21:00)
    at = dt.datetime.combine(timezone.localdate(), dt.time(9, 30), ZoneInfo("Asia/Kolkata"))
    assert cds.publish_due(at) == 1
    rendered = []
    render = v2_catalogs.catalog

    def counted(offering, **kwargs):
        rendered.append([c.code for c in offering.chargers])
        return render(offering, **kwargs)

    monkeypatch.setattr(v2_catalogs, "catalog", counted)
    network.charger_a.name = "Renamed"
    network.charger_a.save()
    assert cds.publish_due(at) == 1
    assert rendered == [[network.charger_a.code]]
    service = CatalogService.objects.get(operator=network.op_a)
    assert len(service.published_digests) == 3  # the other two still held, as they were
    rendered.clear()
    Tariff.objects.filter(operator=network.op_a).update(energy_rate_per_kwh=Decimal("19"))
    Stamp.bump(Stamp.Kind.PRICING, network.op_a.pk)  # a price: every catalog may change
    assert cds.publish_due(at) == 1
    assert len(rendered) == 3 and len(CatalogPublish.objects.latest("pk").catalog_ids) == 3
    rendered.clear()
    assert cds.publish_due(at + dt.timedelta(seconds=300)) == 0  # a new time step
    assert len(rendered) == 3
    rendered.clear()
    network.op_a.name = "Operator A, renamed"  # every catalog names its provider
    network.op_a.save()
    assert cds.publish_due(at + dt.timedelta(seconds=300)) == 1
    assert len(rendered) == 3 and len(CatalogPublish.objects.latest("pk").catalog_ids) == 3
