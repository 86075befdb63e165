"""The published catalog answers every search as a build from the database does: the same
on_search, byte for byte, for the same network, search and time, over a corpus of
searches (every kind of intent, surges starting and ending, offer windows at their
edges, codes, trades, add-ons, the parts split); and after each kind of change, what was
published updates to what a build from scratch gives."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from beckn.models import Vocabulary
from beckn.services import publication
from beckn.wire import catalog_parts
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Charger, Holiday, Station
from offers.models import AddOnAvailability, Offer
from offers.rules.conditions import validity_window
from offers.services.catalog import catalog_for
from pricing.models import GridSignal, SurgeRule, Tariff
from tests.beckn import built_catalog

DEG_POINT = (Decimal("28.345345"), Decimal("77.389754"))
NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)  # notices kept


@pytest.fixture
def demo(demo_config_world, db):
    publication.forget()
    yield
    publication.forget()


def built(query: SearchQuery, now: dt.datetime, vocab: str, part_bytes: int) -> str:
    """The on_search messages as a build from the database makes them."""
    found = built_catalog.find(query)
    offerings = built_catalog.fetch_offerings(found.chargers, query, now)
    messages = built_catalog.search_catalogs(
        offerings, vocab, query.start, query.end, found.matched, part_bytes, now
    )
    return json.dumps(messages, separators=(",", ":"), ensure_ascii=False)


def published(query: SearchQuery, now: dt.datetime, vocab: str, part_bytes: int) -> str:
    layouts, found = publication.search(query, now, vocab)
    messages = catalog_parts.laid_out_catalogs(layouts, found.matched, part_bytes)
    return json.dumps(messages, separators=(",", ":"), ensure_ascii=False)


def same(query: SearchQuery, now: dt.datetime = NOW, vocab=Vocabulary.BOTH, part=512 * 1024):
    old, new = built(query, now, vocab, part), published(query, now, vocab, part)
    assert new == old, (query, now)
    return json.loads(new)


def circle(km: str = "200", **more) -> SearchQuery:
    return SearchQuery(lat=DEG_POINT[0], lon=DEG_POINT[1], radius_km=Decimal(km), **more)


def test_every_kind_of_intent_is_answered_as_built(demo):
    chargers = list(Charger.objects.select_related("station", "operator").order_by("pk"))
    station = chargers[0].station
    queries = [
        SearchQuery(),
        circle(),
        circle("5"),
        circle("0.5"),
        circle("50"),
        SearchQuery(lat=station.latitude, lon=station.longitude, radius_km=Decimal("1")),
        SearchQuery(provider_id=chargers[0].operator.code),
        SearchQuery(provider_id="nobody.example"),
        SearchQuery(city_code=station.city_code),
        circle(city_code=station.city_code),
        SearchQuery(item_ids=frozenset({chargers[0].code, chargers[-1].code})),
        circle(connector_types=frozenset({"ccs2"})),
        circle(connector_types=frozenset({"TYPE2", "CHADEMO"})),
        circle(connector_types=frozenset({"no-such"})),
        circle(min_power_kw=Decimal("50")),
        circle(min_power_kw=Decimal("7.4")),
        circle(charging_speeds=frozenset({"fast"})),
        circle(charging_speeds=frozenset({"SLOW", "ULTRAFAST"}), min_power_kw=Decimal("3")),
    ]
    for query in queries:
        for vocab in Vocabulary.values:
            same(query, vocab=vocab)
    assert same(circle())[0]["catalog"]["providers"]  # the corpus shows something
    assert len(same(SearchQuery(), part=20_000)) > 1  # cut in parts, the same parts


def test_time_windows_at_their_edges_are_answered_as_built(demo):
    """Surges starting and ending (each rule's window edges, in its stations' local time),
    offers at the ends of their validity, searches with and without a time."""
    moments = [NOW, NOW + dt.timedelta(days=3, hours=7)]
    india = ZoneInfo("Asia/Kolkata")
    tomorrow = NOW.astimezone(india).date() + dt.timedelta(days=1)  # in the notices kept
    for rule in SurgeRule.objects.exclude(window_start=None):
        for edge in (rule.window_start, rule.window_end):
            local = dt.datetime.combine(tomorrow, edge, india)
            for delta in (-61, -60, -1, 0, 1):  # a search's hour reaching the edge, the edge
                moments.append(local.astimezone(dt.UTC) + dt.timedelta(minutes=delta))
    for operator in {c.operator for c in Charger.objects.select_related("operator")}:
        for info in catalog_for(operator).offers.values():
            end = validity_window(info.rule)[1]
            if end is not None and NOW - dt.timedelta(days=1) < end:
                moments += [end - dt.timedelta(microseconds=1), end, end + dt.timedelta(seconds=1)]
    for at in moments:
        same(circle(), now=at)
        same(circle(start=at), now=NOW)
        same(circle(start=at, end=at + dt.timedelta(hours=2)), now=NOW)
    same(circle(start=NOW + dt.timedelta(days=40)))  # beyond the notices kept: read for it
    timed = circle(start=NOW + dt.timedelta(hours=1), end=NOW + dt.timedelta(hours=3))
    assert len(same(timed, part=20_000)) > 1  # cut by the sizes of fulfillments with times


def test_each_change_is_published_as_a_build_from_scratch_gives(demo):
    """A change of each kind reaches the next search (on this process, from its commit),
    and the updated publication equals a build from scratch."""
    query = circle()
    same(query)
    station = Station.objects.order_by("pk").first()
    charger = Charger.objects.filter(station=station).order_by("pk").first()
    operator = station.operator
    changes = [  # (the change, whether this search shows it)
        (lambda: _edit_offer(operator), True),
        (lambda: _edit_tariff(operator), True),
        (lambda: _edit_surge(operator), True),
        (lambda: _rename(station), True),
        (lambda: _status(charger, "Occupied"), True),
        (lambda: _status(charger, "Available"), True),
        (lambda: Holiday.objects.create(operator=operator, date=NOW.date(), name="Today"), False),
        (lambda: GridSignal.objects.create(operator=operator, raised_at=NOW), False),
        (lambda: AddOnAvailability.objects.filter(station=station).first().delete(), True),
        (lambda: _closed(station), True),
    ]
    for change, shown in changes:
        before = published(query, NOW, Vocabulary.BOTH, 512 * 1024)
        change()
        after = same(query)
        if shown:
            assert json.dumps(after, separators=(",", ":"), ensure_ascii=False) != before
        publication.forget()
        same(query)  # from scratch: the same again


def test_a_charger_save_keeps_the_other_stations_placements_as_they_were(demo):
    """After a save that moves only the network, the offers placed at the stations it did
    not touch are the objects of the version before (nothing placed or compared again
    there), and the search still answers as a build from scratch."""
    same(circle())
    charger = Charger.objects.order_by("pk").first()
    was = publication.published(None, NOW)[1][charger.operator_id]
    _status(charger, "Occupied")
    now = publication.published(None, NOW)[1][charger.operator_id]
    assert now is not was
    others = [pk for pk in now.placed.at if pk != charger.station_id]
    assert others and all(now.placed.at[pk] is was.placed.at[pk] for pk in others)
    same(circle())


def _edit_offer(operator) -> None:
    offer = Offer.objects.filter(operator=operator).order_by("pk").first()
    offer.title = "Edited title"
    offer.save()


def _edit_tariff(operator) -> None:
    tariff = Tariff.objects.filter(operator=operator).order_by("pk").first()
    tariff.energy_rate_per_kwh += Decimal("1.5")
    tariff.save()


def _edit_surge(operator) -> None:
    rule = SurgeRule.objects.filter(operator=operator).order_by("pk").first()
    rule.name = "Renamed surge"
    rule.window_start, rule.window_end = None, None
    rule.save()


def _rename(station) -> None:
    station.name = "Renamed station"
    station.save()


def _status(charger, status) -> None:
    charger.status = status
    charger.save()


def _closed(station) -> None:
    station.status = "closed"
    station.save()


def test_a_search_works_out_the_offers_current_only_where_it_shows(demo):
    """After a change, the first search near one station pays for the offers current
    there, not at every station and charger of its operator (and answers as a build)."""
    station = Station.objects.filter(chargers__isnull=False).order_by("pk").first()
    near = SearchQuery(lat=station.latitude, lon=station.longitude, radius_km=Decimal("0.1"))
    catalog = same(near)
    provider = publication.published(None, NOW)[1][station.operator_id]
    now = provider.current(NOW)
    shown = [i for p in catalog[0]["catalog"]["providers"] for i in p["items"]]
    assert 0 < len(now.applying.found) < len(provider.applying)
    assert 0 < len(now.offers.found) < len(provider.placed.at)
    assert len(shown) >= len(now.applying.found)


def test_searches_between_two_offer_ends_share_the_offers_current(demo):
    """The offers current at a moment are worked out once for every moment up to the next
    offer's end, equal lists as one object; an offer ended is gone after its end."""
    end = NOW + dt.timedelta(days=2)
    offer = Offer.objects.filter(valid_until=None).order_by("pk").first()
    offer.valid_until = end
    offer.save()
    provider = publication.published(None, NOW)[1][offer.operator_id]
    assert end in provider.ends
    end = provider.ends[0]
    before = provider.current(end - dt.timedelta(minutes=1))
    assert provider.current(end - dt.timedelta(minutes=2)) is before
    after = provider.current(end + dt.timedelta(seconds=1))
    assert after is not before
    ended = {o.offer_id for at in provider.placed.at.values() for o, e in at if e == end}
    assert ended
    assert ended <= {o.offer_id for offers in before.applying.values() for o in offers} | {
        o.offer_id for offers in before.offers.values() for o in offers
    }
    assert not ended & {o.offer_id for offers in after.offers.values() for o in offers}
    assert len({id(offers) for offers in before.applying.values()}) < len(before.applying)


def test_a_circle_reads_only_the_stations_of_its_band_of_latitudes(demo):
    """What a search walks does not grow with the stations (and their offers) elsewhere."""
    rows, _ = publication.published(lambda rows: ())
    everyone = [s for r in rows.values() for s in r.stations.values()]
    south, north = DEG_POINT[0] - Decimal("0.05"), DEG_POINT[0] + Decimal("0.05")
    near = {pk for r in rows.values() for pk in r.near(south, north)}
    assert near == {s.pk for s in everyone if south <= s.latitude <= north}
    assert 0 < len(near) < len(everyone)
