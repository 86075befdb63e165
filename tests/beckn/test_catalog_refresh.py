"""ONDC 1.x catalog refresh: `catalog_full` answers the whole catalog; `catalog_inc` with a
window answers what changed in it, removals included; `catalog_inc` mode start/stop
subscribes a BAP to unsolicited on_search pushes through the outbox; malformed tags are
refused at intake with a NACK saying why."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn.models import CatalogChange, CatalogSubscription, Outbox, OutboxState, Subscriber
from beckn.protocol import json_text
from beckn.protocol.refresh_tags import Refresh
from beckn.protocol.schema import validate_message
from beckn.protocol.timefmt import format_timestamp
from beckn.services import catalog_refresh, publication
from beckn.wire import catalog_parts
from cpo_portal.models import Stamp
from pricing.models import Tariff
from tests.beckn import bap as msgs
from tests.beckn import sending
from tests.beckn.deg_pricing import price_as_deg
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_publication():
    publication.forget()
    yield
    publication.forget()


@pytest.fixture
def priced(network):
    """Operator A priced (a real tariff and offer) with a second charger, and a station
    in Mumbai, far from every search's circle."""
    price_as_deg(network.op_a)
    ConnectorFactory(charger=ChargerFactory(station=network.station_a, code="a-charger-02"))
    mumbai = StationFactory(
        operator=network.op_a, code="mumbai", latitude=Decimal("19.076"),
        longitude=Decimal("72.8777"),
    )  # fmt: skip
    ConnectorFactory(charger=ChargerFactory(station=mumbai, code="mumbai-01"))
    return network


def tagged(*groups, message=None):
    out = message or msgs.search()
    out["intent"]["tags"] = list(groups)
    return out


def group(code, **values):
    return {
        "descriptor": {"code": code},
        "list": [{"descriptor": {"code": k}, "value": v} for k, v in values.items()],
    }


def items(body, provider="cpo-a.example"):
    for p in body["message"]["catalog"]["providers"]:
        if p["id"] == provider:
            return {i["id"]: i for i in p.get("items", [])}
    return {}


BEFORE = "2020-01-02T00:00:00Z"


def stamp(moment: dt.datetime) -> str:
    return format_timestamp(moment)


def test_catalog_full_answers_every_charger_whatever_the_circle(priced, bap, run, our_key):
    _, plain = run(bap, "search", msgs.search(connector=None))
    assert "mumbai-01" not in items(plain)
    _, full = run(bap, "search", tagged(group("catalog_full", payload_type="inline")))
    assert set(items(full)) == {"a-charger-01", "a-charger-02", "mumbai-01"}
    assert set(items(full, "cpo-b.example")) == {"b-charger-01"}


def test_catalog_inc_window_answers_only_its_changes_with_removals(priced, bap, run, our_key):
    catalog_refresh.record(timezone.now() - dt.timedelta(minutes=5))  # the catalog as it was
    since = timezone.now() - dt.timedelta(seconds=1)
    priced.charger_a.connectors.update(power_kw=Decimal("60"))
    priced.charger_a.save()  # a change to item a-charger-01 (saved: the network stamp moves)
    priced.station_a.chargers.get(code="a-charger-02").delete()

    _, body = run(
        bap, "search", tagged(group("catalog_inc", start_time=stamp(since),
                                    end_time=stamp(timezone.now() + dt.timedelta(minutes=1))))
    )  # fmt: skip

    changed = items(body)
    assert changed["a-charger-02"]["time"]["label"] == "disable"
    assert set(changed["a-charger-02"]) == {"id", "time"}
    assert changed["a-charger-01"]["time"]["label"] == "enable"
    assert "60kW" in json.dumps(changed["a-charger-01"]["tags"])
    assert "mumbai-01" not in changed  # not changed in the window
    assert items(body, "cpo-b.example") == {}


def test_catalog_inc_window_without_changes_is_an_empty_catalog(priced, bap, run, our_key):
    catalog_refresh.record(timezone.now() - dt.timedelta(minutes=5))
    start = timezone.now() - dt.timedelta(minutes=2)
    _, body = run(
        bap, "search",
        tagged(group("catalog_inc", start_time=stamp(start),
                     end_time=stamp(start + dt.timedelta(minutes=1)))),
    )  # fmt: skip
    assert body["message"]["catalog"]["providers"] == []


def test_push_sends_each_change_to_the_subscriber_until_stopped(
    priced, bap, run, local, django_capture_on_commit_callbacks
):
    start = tagged(group("catalog_inc", mode="start"))
    row, answer = run(bap, "search", start)
    assert answer["message"]["catalog"]["providers"] == []
    sub = CatalogSubscription.objects.get(bap_id=bap.subscriber_id)
    assert sub.active and sub.provider_id == ""
    assert catalog_refresh.push_due(timezone.now()) == 0  # nothing changed: nothing sent

    tariff = Tariff.objects.get(operator=priced.op_a, code="std")
    tariff.energy_rate_per_kwh = Decimal("21")
    tariff.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert catalog_refresh.push_due(timezone.now()) == 1
    pushed = Outbox.objects.filter(subscriber_id=bap.subscriber_id).exclude(pk=row.pk).get()
    assert pushed.target_url == local.url + "/beckn/on_search"  # its registered URL
    assert pushed.action == "on_search"
    assert sending.deliver(pushed.pk).state == OutboxState.DELIVERED
    assert local.wait_for("on_search", pushed.message_id).signer == f"{msgs.BPP_ID}|bpp-key-1"
    body = json.loads(pushed.payload)
    assert validate_message("on_search", body) == []
    assert body["context"]["transaction_id"] == answer["context"]["transaction_id"]
    assert body["context"]["message_id"] != answer["context"]["message_id"]
    prices = {code: i["price"]["value"] for code, i in items(body).items()}
    assert prices == {"a-charger-01": "21.00", "a-charger-02": "21.00", "mumbai-01": "21.00"}
    assert catalog_refresh.push_due(timezone.now()) == 0  # sent once

    run(bap, "search", tagged(group("catalog_inc", mode="stop")))
    assert not CatalogSubscription.objects.get(bap_id=bap.subscriber_id).active
    tariff.energy_rate_per_kwh = Decimal("22")
    tariff.save()
    assert catalog_refresh.push_due(timezone.now()) == 0
    assert Outbox.objects.filter(subscriber_id=bap.subscriber_id, action="on_search").count() == 3


def test_push_for_one_provider_sends_only_its_changes(priced, bap, run, our_key):
    start = tagged(group("catalog_inc", mode="start"))
    start["intent"]["provider"] = {"id": "cpo-b.example"}
    run(bap, "search", start)
    tariff = Tariff.objects.get(operator=priced.op_a, code="std")
    tariff.energy_rate_per_kwh = Decimal("21")
    tariff.save()
    assert catalog_refresh.push_due(timezone.now()) == 0
    priced.charger_b.connectors.update(power_kw=Decimal("7"))
    priced.charger_b.save()
    assert catalog_refresh.push_due(timezone.now()) == 1


@pytest.mark.parametrize(
    ("tags", "said"),
    [
        ([group("catalog_inc", start_time="yesterday")], "not an RFC 3339 timestamp"),
        (
            [group("catalog_inc", start_time=BEFORE, end_time="2020-01-01T00:00:00Z")],
            "end_time is not after its start_time",
        ),
        ([group("catalog_inc", mode="pause")], "neither 'start' nor 'stop'"),
        ([group("catalog_inc", end_time="2024-01-01T00:00:00Z")], "needs a start_time"),
        ([group("catalog_inc", start_time="2099-01-01T00:00:00Z")], "after the search's time"),
        ([group("catalog_full", payload_type="link")], "only 'inline' is offered"),
        ([group("catalog_full"), group("catalog_inc", mode="start")], "not both"),
        ([{"code": "catalog_inc", "list": [{"code": "mode", "value": "go"}]}], "neither"),
        (  # older than the change record kept (BECKN_KEEP_MESSAGES_DAYS, 30)
            [group("catalog_inc", start_time="2020-01-01T00:00:00Z")],
            "before the change record kept (30 days); ask for catalog_full",
        ),
    ],
)
def test_malformed_refresh_tags_are_refused_with_the_reason(network, bap, client, tags, said):
    response = bap.post(client, "search", bap.body("search", tagged(*tags)))
    assert response.status_code == 400
    answer = response.json()
    assert answer["message"]["ack"]["status"] == "NACK"
    assert said in answer["error"]["message"]
    assert answer["error"]["paths"] == "$.message.intent.tags"


def test_a_change_is_dated_by_its_commit_not_by_its_recording(priced):
    catalog_refresh.record(timezone.now() - dt.timedelta(minutes=5))
    since = timezone.now() - dt.timedelta(seconds=1)
    priced.charger_a.connectors.update(power_kw=Decimal("60"))
    priced.charger_a.save()
    committed = timezone.now()
    later = committed + dt.timedelta(minutes=10)  # a beat that ran late
    (answer,) = catalog_refresh.window(Refresh(start=since, end=committed), "bap", None, later)
    assert set(items({"message": answer})) == {"a-charger-01"}
    change = CatalogChange.objects.filter(piece_id="a-charger-01").latest("pk")
    assert since <= change.at <= committed


def offers_and_tags(body, provider="cpo-a.example"):
    """A provider's offer definitions (without their refresh times) and its tags."""
    for p in body["message"]["catalog"]["providers"]:
        if p["id"] == provider:
            offers = {o["id"]: {k: v for k, v in o.items() if k != "time" or "range" in v}
                      for o in p.get("offers", [])}  # fmt: skip
            return offers, p.get("tags")
    return {}, None


@pytest.mark.parametrize("vocabulary", ["deg", "ondc"])
def test_incremental_answers_speak_the_bap_vocabulary_as_full_answers_do(
    priced, bap, run, our_key, vocabulary
):
    Subscriber.objects.update(vocabularies=vocabulary)
    catalog_refresh.record(timezone.now() - dt.timedelta(minutes=5))  # every piece, recorded
    since = stamp(timezone.now() - dt.timedelta(minutes=10))
    _, full = run(bap, "search", tagged(group("catalog_full", payload_type="inline")))
    _, inc = run(bap, "search", tagged(group("catalog_inc", start_time=since)))
    full_offers, full_tags = offers_and_tags(full)
    inc_offers, inc_tags = offers_and_tags(inc)
    assert full_offers and inc_offers == full_offers
    assert inc_tags == full_tags
    groups = json.dumps(inc_offers)
    assert ('"offer-details"' in groups) == (vocabulary == "deg")
    assert ('"benefit"' in groups or '"meta"' in groups) == (vocabulary == "ondc")


def test_a_push_too_big_for_one_callback_goes_in_parts_the_bap_assembles(
    priced, bap, run, local, settings, django_capture_on_commit_callbacks
):
    answer, _ = run(bap, "search", tagged(group("catalog_inc", mode="start")))
    Subscriber.objects.update(vocabularies="ondc")
    tariff = Tariff.objects.get(operator=priced.op_a, code="std")
    tariff.energy_rate_per_kwh = Decimal("21")
    tariff.save()
    settings.BECKN_CATALOG_PART_BYTES = 4096
    cursor = CatalogSubscription.objects.get(bap_id=bap.subscriber_id).cursor
    with django_capture_on_commit_callbacks(execute=True):
        assert catalog_refresh.push_due(timezone.now()) == 1
    rows = list(Outbox.objects.exclude(pk=answer.pk).order_by("pk"))
    bodies = [json.loads(r.payload) for r in rows]
    assert len(bodies) > 1
    assert {b["context"]["message_id"] for b in bodies} == {rows[0].message_id}
    assert [catalog_parts.part_of(b["message"]) for b in bodies] == [
        (n, len(bodies)) for n in range(1, len(bodies) + 1)
    ]
    for row, body in zip(rows, bodies, strict=True):
        assert validate_message("on_search", body) == []
        assert len(row.payload.encode()) <= 4096
    recorded = CatalogChange.objects.filter(pk__gt=cursor).order_by("pk")
    whole = catalog_refresh.catalog(recorded, "ondc")
    assert catalog_parts.assemble([b["message"] for b in reversed(bodies)]) == whole
    assert '"offer-details"' not in json.dumps(whole)


def test_a_recording_encodes_only_the_pieces_its_change_rendered_anew(priced, monkeypatch):
    encoded = []

    def sha256(data):
        encoded.append(json.loads(data))
        return hashlib.sha256(data)

    monkeypatch.setattr(json_text, "hashlib", SimpleNamespace(sha256=sha256))
    catalog_refresh.record(timezone.now() - dt.timedelta(minutes=5))
    whole = len(encoded)
    encoded.clear()
    priced.charger_a.connectors.update(power_kw=Decimal("60"))
    priced.charger_a.save()
    assert catalog_refresh.record(timezone.now()) == 1  # the item changed, nothing else
    ids = {piece.get("id") for piece in encoded}
    assert "a-charger-01" in ids
    assert "mumbai-01" not in ids and "b-charger-01" not in ids  # other stations: kept
    assert len(encoded) < whole


def test_digests_are_read_only_where_stamps_moved_and_written_only_where_a_piece_changed(
    priced,
):
    def digests_sent(sql_of) -> list[str]:
        return [q["sql"] for q in sql_of.captured_queries if '"digests"' in q["sql"]]

    catalog_refresh.record(timezone.now())
    with CaptureQueriesContext(connection) as nothing_moved:
        assert catalog_refresh.record(timezone.now()) == 0
    assert digests_sent(nothing_moved) == []
    Stamp.bump(Stamp.Kind.PRICING, priced.op_a.pk)  # moved, and nothing shown changed
    with CaptureQueriesContext(connection) as moved:
        assert catalog_refresh.record(timezone.now()) == 0
    (read,) = digests_sent(moved)  # its provider's, read: none written
    assert read.startswith("SELECT")


@pytest.mark.django_db
def test_a_surge_notice_that_starts_to_show_is_recorded_with_no_edit(bpp, search_world):
    """What a search shows depends on the moment: a surge's notice (18:00-21:00 at operator
    A's station) shows from an hour before its window. The record lays the provider out
    again each BECKN_CATALOG_TIME_STEP, so a catalog_inc window holds the notice's coming
    and going, dated when they were found."""
    day = dt.datetime(2030, 9, 23, tzinfo=ZoneInfo("Asia/Kolkata"))
    catalog_refresh.record(day.replace(hour=16))
    first = CatalogChange.objects.order_by("pk").last().pk
    assert catalog_refresh.record(day.replace(hour=16, minute=1)) == 0  # the same step
    assert catalog_refresh.record(day.replace(hour=16, minute=30)) == 0  # nothing to show yet
    evening = day.replace(hour=17, minute=10)
    assert catalog_refresh.record(evening) > 0
    came = list(CatalogChange.objects.filter(pk__gt=first).order_by("pk"))
    assert {c.at for c in came} == {evening}
    assert "Congestion Fee" in json.dumps([c.body for c in came])
    assert catalog_refresh.record(day.replace(hour=21, minute=30)) > 0  # the window is over


def locations(body, provider="cpo-a.example"):
    for p in body["message"]["catalog"]["providers"]:
        if p["id"] == provider:
            return {loc["id"]: loc for loc in p.get("locations", [])}
    return {}


def test_a_renamed_station_is_its_old_location_removed_and_a_new_one(priced, bap, run, our_key):
    """A station's code names its location: a new code removes the old location in the
    incremental answer and adds the new one, with its chargers."""
    catalog_refresh.record(timezone.now() - dt.timedelta(minutes=5))
    _, before = run(bap, "search", tagged(group("catalog_full", payload_type="inline")))
    old = priced.station_a.code
    assert old in locations(before)
    since = timezone.now() - dt.timedelta(seconds=1)
    priced.station_a.code = "a-renamed"
    priced.station_a.save()
    _, body = run(
        bap, "search", tagged(group("catalog_inc", start_time=stamp(since),
                                    end_time=stamp(timezone.now() + dt.timedelta(minutes=1))))
    )  # fmt: skip
    changed = locations(body)
    assert changed[old]["time"]["label"] == "disable"
    assert "a-renamed" in changed
