"""search -> on_search: filters, the catalog's shape, offers defined once and referenced,
surge notices on the station's fulfillment, vocabularies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beckn.models import Subscriber
from beckn.protocol.tags import find_group, tag_values
from tests.beckn import bap as msgs
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory
from tests.support.beckn import surge_notices

pytestmark = pytest.mark.django_db


def providers(body) -> dict:
    return {p["id"]: p for p in body["message"]["catalog"]["providers"]}


def item_ids(body) -> set[str]:
    return {i["id"] for p in body["message"]["catalog"]["providers"] for i in p["items"]}


@pytest.fixture
def far_and_slow(network):
    """A Mumbai station (far away) and a slow Type2 charger next to station A."""
    mumbai = StationFactory(
        operator=network.op_a, code="mumbai", latitude=Decimal("19.076"),
        longitude=Decimal("72.8777"),
    )  # fmt: skip
    ConnectorFactory(charger=ChargerFactory(station=mumbai, code="mumbai-01"))
    slow = ChargerFactory(station=network.station_a, code="a-slow-01", power_kw=Decimal("7.4"))
    ConnectorFactory(charger=slow, connector_type="Type2", power_kw=Decimal("7.4"))
    return network


def test_catalog_shape_as_deg_publishes_it(network, bap, fake, run, our_key):
    _, body = run(bap, "search", msgs.search())
    catalog = providers(body)
    assert set(catalog) == {"cpo-a.example", "cpo-b.example"}  # same GPS in the factories
    provider = catalog["cpo-a.example"]
    assert provider["descriptor"]["name"] == "Operator A"
    assert provider["locations"] == [
        {
            "id": "a-station",
            "descriptor": {"name": "Station of A"},
            "gps": "28.345345,77.389754",
            "address": "Connaught Place, New Delhi",
            "city": {"name": "New Delhi", "code": "std:011"},
            "state": {"code": "DL"},
        }
    ]
    item = provider["items"][0]
    assert item["id"] == "a-charger-01"
    assert item["price"] == {"value": "18.00", "currency": "INR/kWh"}
    assert item["location_ids"] == ["a-station"] and item["fulfillment_ids"] == ["a-station"]
    assert item["category_ids"] == ["ev-charger"]
    assert tag_values(item["tags"], "connector-specifications") == {
        "connector-id": "1",
        "power-type": "AC_3_PHASE",
        "connector-type": "CCS2",
        "connector-format": "SOCKET",
        "charging-speed": "FAST",
        "power-rating": "30kW",
        "status": "Available",
    }
    # the display names once per provider, not under every connector of every item
    assert "name" not in find_group(item["tags"], "connector-specifications")["descriptor"]
    names = [
        t["descriptor"]["name"]
        for t in find_group(provider["tags"], "connector-specifications")["list"]
    ]
    assert names[:3] == ["connector Id", "Power Type", "Connector Type"]
    fulfillment = provider["fulfillments"][0]
    assert fulfillment["type"] == "CHARGING"
    assert fulfillment["stops"][0]["location"]["gps"] == "28.345345,77.389754"
    assert fulfillment["stops"][0]["time"]["range"] == {
        "start": f"{msgs.SATURDAY}T04:30:00.000Z",
        "end": f"{msgs.SATURDAY}T05:30:00.000Z",
    }


def test_offers_defined_once_and_referenced_under_items(network, bap, fake, run, our_key):
    _, body = run(bap, "search", msgs.search())
    provider = providers(body)["cpo-a.example"]
    core = {o["id"]: o for o in provider["offers"]}
    weekend = core["weekend-discount-25"]
    assert "item_ids" not in weekend  # not scoped to chargers: every item at its locations
    assert "location_ids" not in weekend  # ... which are all the provider's (one station)
    assert weekend["descriptor"]["short_desc"].startswith("Get 25%")
    assert weekend["time"] == {
        "label": "valid",
        "range": {"start": "2025-01-01T00:00:00.000Z", "end": "2099-12-31T23:59:59.000Z"},
    }
    assert tag_values(weekend["tags"], "offer-details") == {
        "discount-type": "PERCENTAGE",
        "discount-value": "25",
        "valid-from": "2025-01-01T00:00:00.000Z",
        "valid-until": "2099-12-31T23:59:59.000Z",
        "min-session-value": "50",
        "max-discount": "100",
        "offer-type": "WEEKEND_SPECIAL",
        "auto-applied": "true",
        "stackable": "false",
    }
    # the DEG placement: a compact reference with the offered rate, at a glance: the lowest
    # of the offers a session from the search's start can get. The holiday offer starts
    # later: defined with its window, it is not what this session gets (a select gets 25 %)
    assert core["holiday-30"]["time"]["range"]["start"] == "2098-12-25T00:00:00.000Z"
    assert provider["items"][0]["offers"] == [
        {"id": "weekend-discount-25", "price": {"value": "13.50", "currency": "INR/kWh"}}
    ]
    # a session in the holiday's window is shown the holiday's rate, the lowest then
    during = msgs.search()
    stop = during["intent"]["fulfillment"]["stops"][0]
    stop["time"]["range"] = {
        "start": "2098-12-26T10:00:00+05:30",
        "end": "2098-12-26T11:00:00+05:30",
    }
    _, body = run(bap, "search", during)
    assert providers(body)["cpo-a.example"]["items"][0]["offers"] == [
        {"id": "holiday-30", "price": {"value": "12.60", "currency": "INR/kWh"}}
    ]
    # the DEG example's own case, the weekend offer alone: ₹18 at 25% off is ₹13.50/kWh
    fake.offers = [o for o in fake.offers if o.id == "weekend-discount-25"]
    _, body = run(bap, "search", msgs.search())
    assert providers(body)["cpo-a.example"]["items"][0]["offers"] == [
        {"id": "weekend-discount-25", "price": {"value": "13.50", "currency": "INR/kWh"}}
    ]


def test_surge_notices_give_badge_and_know_more(network, bap, fake, run, our_key):
    _, body = run(bap, "search", msgs.search())
    provider = providers(body)["cpo-a.example"]
    item = provider["items"][0]
    assert find_group(item["tags"], "surge-notice") is None  # once per station, not per item
    (fulfillment,) = [f for f in provider["fulfillments"] if f["id"] in item["fulfillment_ids"]]
    group = find_group(fulfillment["tags"], "surge-notice")
    assert group["display"] is True
    assert tag_values(fulfillment["tags"], "surge-notice") == {"code": "congestion"}
    assert surge_notices(provider) == {  # defined once per provider
        "congestion": {
            "badge": "Congestion Fee",
            "explanation": "Congestion Fee: ₹1/kWh between 6 PM - 9 PM",
            "code": "congestion",
        }
    }


def test_vocabularies_per_subscriber(network, bap, fake, run, our_key):
    Subscriber.objects.update(vocabularies="deg")
    _, body = run(bap, "search", msgs.search())
    tags = providers(body)["cpo-a.example"]["offers"][0]["tags"]
    assert [t.get("descriptor", {}).get("code") or t.get("code") for t in tags] == ["offer-details"]
    Subscriber.objects.update(vocabularies="ondc")
    _, body = run(bap, "search", msgs.search())
    weekend = next(
        o for o in providers(body)["cpo-a.example"]["offers"] if o["id"] == "weekend-discount-25"
    )
    assert weekend["tags"] == [
        {"code": "qualifier", "list": [{"code": "min_value", "value": "50.00"}]},
        {
            "code": "benefit",
            "list": [
                {"code": "value_type", "value": "percent"},
                {"code": "value", "value": "-25.00"},
                {"code": "value_cap", "value": "-100.00"},
            ],
        },
        {
            "code": "meta",
            "list": [{"code": "additive", "value": "no"}, {"code": "auto", "value": "yes"}],
        },
    ]


def test_radius_connector_and_power_filters(far_and_slow, bap, fake, run, our_key):
    _, body = run(bap, "search", msgs.search(connector=None))
    assert item_ids(body) == {"a-charger-01", "a-slow-01", "b-charger-01"}
    _, body = run(bap, "search", msgs.search(connector="Type2"))
    assert item_ids(body) == {"a-slow-01"}
    message = msgs.search(connector=None)
    message["intent"]["fulfillment"]["tags"] = [
        {"list": [{"descriptor": {"code": "power-rating"}, "value": "greater than 20kW"}]}
    ]
    _, body = run(bap, "search", message)
    assert item_ids(body) == {"a-charger-01", "b-charger-01"}
    _, body = run(bap, "search", msgs.search(gps="19.07,72.87", radius="3", connector=None))
    assert item_ids(body) == {"mumbai-01"}
    _, body = run(bap, "search", msgs.search(gps="12.9,77.5", radius="5", connector=None))
    assert body["message"]["catalog"]["providers"] == []


def test_a_radius_of_zero_is_that_point_not_the_default(
    network, bap, bap_v2, fake, run, run_v2, our_key
):
    """0 km (2.0: 0 m) finds the chargers at that very point, not those within the 10 km
    a search that gives no radius gets; both versions alike."""
    from tests.beckn import bap_v2 as v2

    a_kilometre_north = "28.354345,77.389754"  # stations A and B are at 28.345345,77.389754
    _, body = run(bap, "search", msgs.search(gps=a_kilometre_north, radius="0"))
    assert body["message"]["catalog"]["providers"] == []
    _, body = run(bap, "search", msgs.search(gps="28.345345,77.389754", radius="0"))
    assert item_ids(body) == {"a-charger-01", "b-charger-01"}
    _, found = run_v2(bap_v2, "discover", v2.discover(lat=28.354345, metres=0))
    assert found["message"]["catalogs"] == []
    _, body = run(bap, "search", msgs.search(gps=a_kilometre_north, radius="5"))
    assert item_ids(body) == {"a-charger-01", "b-charger-01"}


def test_provider_filter(network, bap, fake, run, our_key):
    message = msgs.search()
    message["intent"]["provider"] = {"id": "cpo-b.example"}
    _, body = run(bap, "search", message)
    assert set(providers(body)) == {"cpo-b.example"}


def test_time_range_the_wrong_way_round(network, bap, fake, run, our_key):
    message = msgs.search()
    message["intent"]["fulfillment"]["stops"][0]["time"]["range"] = {
        "start": msgs.SESSION_END,
        "end": msgs.SESSION_START,
    }
    _, body = run(bap, "search", message)
    assert body["error"]["code"] == "30000"


@pytest.mark.parametrize(
    "power, says",
    [("abc", "\"abc\" names no number"), ("NaN", "\"NaN\" names no number"),
     ("1e999", "\"1e999\" is out of range"), ("-5kW", "\"-5\" is out of range")],
)  # fmt: skip
def test_a_power_filter_that_names_no_power_is_refused(
    network, bap, fake, run, our_key, power, says
):
    """Read as no filter, 'abc' answered the whole catalog, and '1e999' a minimum of 1 kW."""
    message = msgs.search(connector=None)
    message["intent"]["fulfillment"]["tags"] = [
        {"list": [{"descriptor": {"code": "power-rating"}, "value": power}]}
    ]
    _, body = run(bap, "search", message)
    assert body["error"]["code"] == "30000"
    assert says in body["error"]["message"]
    assert "catalog" not in body.get("message", {})


def test_a_catalog_cut_at_the_cap_says_so(far_and_slow, bap, fake, run, our_key, settings):
    _, whole = run(bap, "search", msgs.search())
    shown = len(item_ids(whole))
    assert whole["message"]["catalog"]["descriptor"] == {"name": "EV charging"}
    settings.BECKN_MAX_CATALOG_ITEMS = shown - 1
    _, cut = run(bap, "search", msgs.search())
    assert len(item_ids(cut)) == shown - 1 and item_ids(cut) < item_ids(whole)
    descriptor = cut["message"]["catalog"]["descriptor"]
    assert descriptor["code"] == "partial"
    assert descriptor["short_desc"].startswith(f"The {shown - 1} nearest of {shown} matching")
