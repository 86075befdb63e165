"""Fixtures for the BPP's tests: our identity and key, a registered BAP, the fake commerce
layer, and a helper that runs an accepted message through processing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from beckn.management.commands.cds_standin import schema_issues
from beckn.models import CatalogService, InboundMessage, Outbox, Subscriber
from beckn.protocol.schema import validate_message
from beckn.protocol.signing import generate_keypair
from beckn.protocol.timefmt import parse_timestamp
from beckn.services import admission, keys, publication, redisclient, slow_baps
from beckn.simulator.cds import StandInCds
from offers.models import AddOn, AddOnAvailability
from pricing.models import Tariff
from tests.beckn import fake_commerce
from tests.beckn.bap import BPP_ID, Bap
from tests.beckn.cds_support import CDS_ID, register_cds
from tests.beckn.deg_pricing import price_as_deg
from tests.offers.factories import OfferFactory
from tests.support.beckn import ScriptedReceiver, answer

IST = ZoneInfo("Asia/Kolkata")
REDIS_CACHE = "redis://127.0.0.1:6379/6"


@pytest.fixture(autouse=True)
def fresh_memos():
    """Each test starts and ends with this process's memos of the network, of slow BAPs
    and of admission empty: what one test's rows or slow callbacks left must not steer
    the next."""
    publication.forget()
    slow_baps.forget()
    admission.forget()
    keys.forget()
    yield
    publication.forget()
    slow_baps.forget()
    admission.forget()
    keys.forget()


@pytest.fixture
def bpp(settings):
    settings.BECKN_SUBSCRIBER_ID = BPP_ID
    settings.BECKN_SUBSCRIBER_URI = "https://bpp.test.example/beckn"
    settings.BECKN_VERIFY_SIGNATURES = True
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = False
    settings.BECKN_REGISTRY_URL = ""
    settings.BECKN_REGISTRY_LOCAL_CACHE_SECONDS = 0  # tests change rows with update()
    settings.BECKN_DISPATCH_WINDOW_MS = 0  # queue at once (no_queue collects it)
    clear_cache()  # rate-limit counters and registry lookups from other tests
    return settings


@pytest.fixture
def our_key(db, bpp):
    return keys.generate("bpp-key-1")


@pytest.fixture
def bap(db, bpp):
    client = Bap()
    client.register()
    return client


@pytest.fixture
def one_minute(monkeypatch):
    """Rate-limit windows pinned to the middle of one minute: a test's few requests never
    straddle a window boundary, however slowly a loaded machine sends them."""
    from types import SimpleNamespace

    from beckn.services import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock on (django.utils.timezone.now: the BPP's, the ledger's, the test
    BAPs' contexts and signatures): `clock(moment)`, a datetime or RFC 3339 text, and it
    is `moment`, going on from there. An end of charging is sent once charging ended (one
    still to come is refused), so a test settles a session booked ahead at its end."""
    real = timezone.now

    def move_to(moment: dt.datetime | str) -> None:
        at = parse_timestamp(moment) if isinstance(moment, str) else moment
        shift = at - real()
        monkeypatch.setattr(timezone, "now", lambda: real() + shift)

    return move_to


@pytest.fixture
def fake(monkeypatch):
    return fake_commerce.install(monkeypatch)


@pytest.fixture
def no_queue(monkeypatch):
    """Collect what would be queued instead of talking to a broker."""
    queued: dict[str, list[int]] = {"process": [], "deliver": []}
    from beckn import tasks

    monkeypatch.setattr(
        tasks.process_inbound, "delay", lambda pk=None: queued["process"].append(pk)
    )
    monkeypatch.setattr(tasks.deliver, "delay", lambda pk: queued["deliver"].append(pk))
    monkeypatch.setattr(tasks.deliver_batch, "delay", lambda pks: queued["deliver"].extend(pks))
    return queued


def callback(row: Outbox) -> dict[str, Any]:
    body = json.loads(row.payload)
    issues = validate_message(body["context"]["action"], body)
    assert issues == [], issues
    return body


@pytest.fixture
def run(django_capture_on_commit_callbacks, no_queue, client):
    """POST a signed message, then answer it as a worker does (tests.support.beckn.answer);
    returns (callback row, callback body)."""

    def go(bap: Bap, action: str, message: dict[str, Any], **ctx: Any):
        body = bap.body(action, message, **ctx)
        with django_capture_on_commit_callbacks(execute=True):
            response = bap.post(client, action, body)
        assert response.status_code == 200, response.content
        inbound = InboundMessage.objects.get(
            bap_id=bap.subscriber_id, message_id=body["context"]["message_id"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            row = answer(inbound.pk)
        return row, callback(row)

    return go


@pytest.fixture
def redis_cache(settings):
    """The default cache in Redis (the backlog counted there), a limit of 2 answers."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_CACHE, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at " + REDIS_CACHE)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE,
            "KEY_PREFIX": f"test-backlog-{uuid.uuid4().hex[:8]}",
        }
    }
    settings.BECKN_MAX_PENDING_PER_BAP = 2
    yield settings
    clear_cache()


def clear_cache() -> None:
    """cache.clear(), except that a Redis cache loses only this test's keys (its KEY_PREFIX):
    its clear() is a FLUSHDB, which would empty the keys of the tests other pytest-xdist
    workers are running against the same Redis database at that moment."""
    backend = caches["default"]
    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if not (isinstance(backend, RedisCache) and prefix):
        backend.clear()
        return
    client = redisclient.client()
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def search_world(network):
    """Both operators priced (a standard tariff, a surge rule each), an offer everywhere for A;
    caches emptied (tests/beckn/search_world.py)."""
    from tests.beckn.search_world import build_search_world

    return build_search_world(network)


@pytest.fixture
def select_body(bap, network):
    """A signed-ready select from `bap` for operator A's charger."""
    from tests.beckn import bap as msgs

    return bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))


@pytest.fixture
def receiver(bpp, our_key):
    """A BAP's callback endpoint on loopback that checks our signatures."""
    ours = {(BPP_ID, our_key.key_id): our_key.public_key}  # no DB from the server thread

    def lookup(subscriber_id, key_id):
        return ours.get((subscriber_id, key_id))

    server = ScriptedReceiver(lookup=lookup).start()
    yield server
    server.stop()


@pytest.fixture
def local(settings, bap, receiver):
    """The test BAP registered at `receiver`, private callback addresses allowed."""
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = True
    Subscriber.objects.update(url=receiver.url + "/beckn")
    return receiver


def callback_v2(row: Outbox) -> dict[str, Any]:
    """A 2.0 callback's body, checked against the 2.0.0 schema and the attribute packs."""
    from beckn.protocol.v2 import schema as v2_schema

    body = json.loads(row.payload)
    issues = v2_schema.issues(body["context"]["action"], body)
    assert issues == [], issues
    return body


@pytest.fixture
def bap_v2(db, bpp):
    from tests.beckn.bap_v2 import BapV2

    client = BapV2(subscriber_id="bap-v2.test.example", url="https://bap-v2.test.example/beckn")
    client.register()
    return client


@pytest.fixture
def run_v2(django_capture_on_commit_callbacks, no_queue, client):
    """POST a signed 2.0 message to /beckn/v2/<action>, then answer it as a worker does;
    returns (callback row, callback body)."""

    def go(bap: Bap, action: str, message: dict[str, Any], **ctx: Any):
        body = bap.body(action, message, **ctx)
        with django_capture_on_commit_callbacks(execute=True):
            response = bap.post(client, action, body)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "ACK", response.content
        inbound = InboundMessage.objects.get(
            bap_id=bap.subscriber_id, message_id=body["context"]["messageId"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            row = answer(inbound.pk)
        return row, callback_v2(row)

    return go


@pytest.fixture
def cds_keys():
    private, public = generate_keypair()
    return private, public


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


@pytest.fixture
def shop(network):
    """Operator A at ₹18/kWh with a ₹10 fee, two add-ons at station A (valet charging, 3 in
    stock; a cafe voucher) and a valet combo offer of 10 % (at most ₹100)."""
    from offers.services.catalog import forget_catalog
    from pricing.services import clear_cache

    clear_cache()
    forget_catalog()
    Tariff.objects.create(
        operator=network.op_a, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
        service_fee=Decimal("10"), tax_rate=Decimal("0.18"), active=True,
    )  # fmt: skip
    for code, name, price, rate, stock in (
        ("valet-charging", "Valet charging", "149", "0.18", 3),
        ("cafe-voucher", "Cafe voucher", "120", "0.05", None),
    ):
        item = AddOn.objects.create(
            operator=network.op_a,
            code=code,
            name=name,
            price=Decimal(price),
            tax_rate=Decimal(rate),
        )
        AddOnAvailability.objects.create(add_on=item, station=network.station_a, stock=stock)
    combo = OfferFactory.build(
        operator=network.op_a, code="valet-combo", title="Valet combo - 10% off",
        ondc_type="combo", percent=Decimal("10"), base="", max_discount=Decimal("100"),
        min_session_value=None, secondary_ids=["valet-charging"],
    )  # fmt: skip
    combo.full_clean()
    combo.save()
    yield network
    forget_catalog()


@pytest.fixture
def server(live_server, settings):
    """Our BPP served live, verifying signatures, its callbacks allowed to loopback."""
    settings.BECKN_SUBSCRIBER_URI = live_server.url + "/beckn"
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = True
    settings.BECKN_VERIFY_SIGNATURES = True
    live_server.bpp_id = settings.BECKN_SUBSCRIBER_ID
    return live_server


@pytest.fixture
def deg(network):
    """Operator A priced as the DEG offers page: ₹18/kWh, ₹10 fee, 18% GST, 25% off."""
    price_as_deg(
        network.op_a,
        short_desc="Get 25% off on all charging sessions this weekend",
        type_label="WEEKEND_SPECIAL",
        valid_until=dt.datetime(2099, 1, 1, tzinfo=IST),
    )
    OfferFactory(
        operator=network.op_a,
        code="holiday-30",
        title="Holiday Special - 30% off",
        percent=Decimal("30"),
        valid_from=dt.datetime(2098, 12, 25, tzinfo=IST),
        valid_until=dt.datetime(2098, 12, 31, 23, 59, tzinfo=IST),
    )
    return network


@pytest.fixture
def confirmed_v2(deg, bap_v2, run_v2, our_key):
    """A Beckn 2.0 order at charger A under the weekend offer, initialised and confirmed."""
    from beckn.models import Order
    from tests.beckn import bap_v2 as v2

    charger = deg.charger_a.code
    run_v2(bap_v2, "init", v2.contract(charger, offer="weekend-discount-25", buyer=True))
    run_v2(
        bap_v2,
        "confirm",
        v2.contract(charger, offer="weekend-discount-25", buyer=True, total=91.45),
    )
    return Order.objects.get()


@pytest.fixture
def second_charger(shop):
    """A second EVSE at station A (a-charger-02), published beside the first."""
    from tests.factories import ChargerFactory, ConnectorFactory

    charger = ChargerFactory(station=shop.station_a, code="a-charger-02")
    ConnectorFactory(charger=charger)
    publication.forget()
    return charger
