"""What a CDS is sent: the published catalog rendered in 2.0, every charger however many,
only the changed station's catalog, cut under the part bound, surge notices as their
window nears, and what was never delivered sent again."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

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
)
from beckn.services import cds
from cpo_portal.models import Charger, Stamp
from cpo_portal.models.network import StationStatus
from pricing.models import Tariff
from tests.beckn.cds_support import CDS_ID, published, register_cds
from tests.factories import ConnectorFactory, StationFactory


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
    (catalog,) = published([changed])
    (resource,) = catalog["resources"]
    assert resource["descriptor"]["name"] == "Renamed"
    assert cds.publish_due(at) == 0

    other.status = StationStatus.CLOSED
    other.save()
    assert cds.publish_due(at) == 1
    (withdrawn,) = published([CatalogPublish.objects.latest("pk")])
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
    ids = [c["id"] for c in published(rows)]
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
    catalogs = {c["id"]: c for c in published([sent])}
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
        (catalog,) = published(rows)
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
    catalogs = {c["id"]: c for c in published([again])}
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
    resent = published([CatalogPublish.objects.latest("pk")])
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
