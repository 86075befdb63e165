"""The published catalog: each operator's priced catalog as BAPs see it, kept per process
and read by every search, which then computes nothing but the search's own choices.

One `Provider` per operator holds what an on_search shows of it, built once from pricing
and offers: its stations and chargers (connectors in order), each charger's list rate and
the add-ons on sale at each station, every active offer placed at each station and charger
with the end of its validity, and the surge notices of any search starting in the coming
days (commerce.NoticesDuring: the rules that match each station, the holidays, load and
grid signals of the span). The parts that depend on the moment are kept as such windows:
a search keeps the offers not ended at its start and the notices of its span, and reads
the rest as published. Rendered items are kept with the provider (keyed by the offers
that apply and the connectors shown), so a search renders only what it has not seen.

Versions: a provider is built under its operator's stamps, read in one statement for
every operator before the rows they guard (NetworkVersion, PricingVersion, CatalogVersion:
renewed in the writer's transaction by every change that affects the catalog, through
their signal modules); a search reads them first, so every process and host sees a change
from its commit. The network rows of every operator are kept (read again, and compared
station by station, when the network stamp moves); a search picks the operators it needs
from them and updates only those of their providers whose stamps moved, reusing what did
not change. A provider whose stamps moved while it was being built is built again, so no
search mixes two versions of one provider (a provider is replaced whole, and a search
holds the one it started with).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from beckn import conf
from beckn.commerce_types import AddOnLine, CommerceError, Offering, PublishedOffer
from beckn.services import commerce, commerce_addons
from beckn.wire.catalog_layout import Layout
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Charger, Connector, NetworkVersion, Operator, Station
from cpo_portal.models.network import ConnectorType, StationStatus
from cpo_portal.stamps import read_all
from offers.models import CatalogVersion
from pricing.models import PricingVersion

EARTH_RADIUS_KM = 6371.0088
NOTICES_BEFORE = dt.timedelta(days=1)  # notices are kept for searches from a day ago
NOTICES_AHEAD = dt.timedelta(days=14)  # to two weeks ahead; rebuilt after one week
MAX_RENDERED = 20_000  # rendered items kept per provider

Placed = list[tuple[PublishedOffer, dt.datetime | None]]
Version = tuple[Any, Any, Any]  # network, pricing and catalog stamps as read


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def box(
    lat: float, lon: float, km: float
) -> tuple[Decimal, Decimal, Decimal | None, Decimal | None]:
    """The search's bounding box as the database compares it (no longitude bounds when it
    crosses the antimeridian)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM) * 1.01
    dlon = min(180.0, dlat / max(math.cos(math.radians(lat)), 1e-6))
    west, east = lon - dlon, lon + dlon

    def dec(x: float) -> Decimal:
        return Decimal(str(round(x, 6)))

    if west > -180 and east < 180:
        return dec(lat - dlat), dec(lat + dlat), dec(west), dec(east)
    return dec(lat - dlat), dec(lat + dlat), None, None


@dataclass(frozen=True)
class Rows:
    """One operator's network rows, as read under one network stamp."""

    operator: Operator
    stations: dict[int, Station]  # by pk, in pk order
    chargers: dict[int, list[Charger]]  # by station pk, in code order as the database sorts
    connectors: dict[int, list[Connector]]  # by charger pk, in connector id order
    keys: dict[int, tuple]  # by station pk: its row, its chargers' and connectors'
    key: tuple  # the operator's row
    codes: dict[str, list[Charger]]  # chargers by code, in station and code order

    def unchanged(self, before: Rows | None) -> set[int]:
        """The stations whose rows (with their chargers and connectors) are as `before`."""
        if before is None or before.key != self.key:
            return set()
        return {pk for pk, key in self.keys.items() if before.keys.get(pk) == key}

    def same(self, before: Rows | None) -> bool:
        return before is not None and before.key == self.key and before.keys == self.keys


def _row(instance: Any) -> tuple:
    return tuple(f.value_from_object(instance) for f in instance._meta.concrete_fields)


def read_network(before: dict[int, Rows]) -> dict[int, Rows]:
    """Every operator's network rows, in four queries; a station whose rows did not
    change keeps the objects read before (so what was rendered of them still applies)."""
    operators = {o.pk: o for o in Operator.objects.order_by("pk")}
    stations = list(Station.objects.order_by("pk"))
    chargers: dict[int, list[Charger]] = {s.pk: [] for s in stations}
    for charger in Charger.objects.order_by("station_id", "code").prefetch_related(
        Prefetch("connectors", queryset=Connector.objects.order_by("connector_id"))
    ):
        chargers[charger.station_id].append(charger)
    out = {}
    for pk, operator in operators.items():
        old = before.get(pk)
        if old is not None and old.key == _row(operator):
            operator = old.operator
        rows = Rows(operator, {}, {}, {}, {}, _row(operator), {})
        out[pk] = rows
    for station in stations:
        rows = out[station.operator_id]
        here = chargers[station.pk]
        key = (
            _row(station),
            *((_row(c), *(_row(x) for x in c.connectors.all())) for c in here),
        )
        old = before.get(station.operator_id)
        if old is not None and old.key == rows.key and old.keys.get(station.pk) == key:
            station, here = old.stations[station.pk], old.chargers[station.pk]
        else:
            for charger in here:
                charger.station, charger.operator = station, rows.operator
        rows.stations[station.pk] = station
        rows.chargers[station.pk] = here
        rows.keys[station.pk] = key
        for charger in here:
            rows.connectors[charger.pk] = list(charger.connectors.all())
            rows.codes.setdefault(charger.code, []).append(charger)
    return out


@dataclass
class Provider:
    """One operator's publication, built under one version of its stamps."""

    version: Version
    built: dt.datetime
    rows: Rows
    rates: dict[int, tuple[Decimal, str] | None]  # list energy rate by charger pk
    add_ons: dict[int, list[AddOnLine]]  # on sale, by station pk
    placed: commerce.PlacedOffers  # active offers placed at each station, with their ends
    applying: dict[int, Placed]  # those that apply to each charger, by charger pk
    notices: commerce.NoticesDuring
    rendered: dict[Hashable, tuple[dict[str, Any], int]]  # items rendered (and their sizes)
    alive: dict[int, Any]  # the objects whose ids key `rendered`

    @property
    def operator(self) -> Operator:
        return self.rows.operator

    @classmethod
    def build(
        cls, rows: Rows, version: Version, now: dt.datetime, before: Provider | None
    ) -> Provider:
        """The provider from scratch or, with `before`, updated from it: what the stamps
        that moved and the rows that changed touch is built again, the rest kept."""
        operator, stations = rows.operator, rows.stations
        everyone = [c for here in rows.chargers.values() for c in here]
        same_rows = before is not None and rows.same(before.rows)
        pricing = before is not None and before.version[1] == version[1]
        catalog = before is not None and before.version[2] == version[2]
        unchanged = rows.unchanged(before.rows if before is not None else None)
        if before is not None and catalog and len(unchanged) == len(stations):
            placed = before.placed
        else:
            placed = commerce.placed_offers(
                operator, stations.values(), before.placed if before else None, unchanged
            )
        applying = {}
        for pk, here in rows.chargers.items():
            offers = placed.at[pk]
            if pk in unchanged and before is not None and _same(before.placed.at[pk], offers):
                applying.update({c.pk: before.applying[c.pk] for c in here})
                continue
            station = stations[pk].code
            for c in here:
                applying[c.pk] = [
                    (o, end) for o, end in offers if o.applies_at(station, c.code, c.categories)
                ]
        if before is None or len(before.rendered) > MAX_RENDERED:
            rendered: dict[Hashable, tuple[dict[str, Any], int]] = {}
            alive: dict[int, Any] = {}
        else:
            rendered, alive = before.rendered, before.alive
        alive.update({id(c): c for c in everyone})
        alive.update({id(o): o for o in placed.shown.values()})
        # The pricing parts of `before` still hold when its rows and pricing stamp are the same.
        priced = before if before is not None and same_rows and pricing else None
        return cls(
            version=version,
            built=now if priced is None else priced.built,
            rows=rows,
            rates=commerce.list_rates(everyone) if priced is None else priced.rates,
            add_ons=(
                before.add_ons
                if before is not None and catalog
                else commerce_addons.add_ons_at(operator, stations.values())
            ),
            placed=placed,
            applying=applying,
            notices=(
                priced.notices
                if priced is not None
                else commerce.NoticesDuring(
                    stations.values(), now - NOTICES_BEFORE, now + NOTICES_AHEAD
                )
            ),
            rendered=rendered,
            alive=alive,
        )

    def offering(
        self,
        chargers: list[Charger],
        query: SearchQuery,
        start: dt.datetime,
        connectors: dict[int, list[Connector]] | None = None,
    ) -> tuple[Offering, dict[int, list[PublishedOffer]]]:
        """The provider at the `chargers` a search found (showing `connectors`, by charger
        pk), for a session from `start`, and the offers that apply to each of them."""
        stations: dict[int, Station] = {}
        for charger in chargers:
            stations.setdefault(charger.station_id, charger.station)
        try:
            notices = self.notices.at(stations, start, query.end)
            if notices is None:  # a search outside the span kept: read for it
                notices = commerce.surge_notices_at(stations.values(), start, query.end)
        except CommerceError:
            notices = {}
        offering = Offering(
            operator=self.operator,
            chargers=chargers,
            stations=stations,
            notices=notices,
            offers={pk: _current(self.placed.at[pk], start) for pk in stations},
            rates={c.pk: self.rates.get(c.pk) for c in chargers},
            add_ons={pk: self.add_ons.get(pk) or [] for pk in stations},
            connectors=connectors,
        )
        return offering, {c.pk: _current(self.applying[c.pk], start) for c in chargers}


def _current(placed: Placed, at: dt.datetime) -> list[PublishedOffer]:
    return [offer for offer, end in placed if end is None or end >= at]


def _same(a: Placed, b: Placed) -> bool:
    """The same offer objects with the same ends."""
    if len(a) != len(b):
        return False
    return all(x[0] is y[0] and x[1] == y[1] for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class State:
    """What this process has published: the network rows read under `network`, and the
    providers built of them (each under its own stamps); replaced whole, never changed."""

    network: Any = None
    rows: dict[int, Rows] = field(default_factory=dict)  # by operator pk
    providers: dict[int, Provider] = field(default_factory=dict)  # by operator pk


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = State()


_store = _Store()


Stamps = tuple[Any, dict[int, Any], dict[int, Any]]


def _stamps() -> Stamps:
    """The network stamp and every operator's pricing and catalog stamps, in one
    statement."""
    network, pricing, catalog = read_all(
        (NetworkVersion, "stamp", "id"),
        (PricingVersion, "stamp", "operator"),
        (CatalogVersion, "stamp", "operator"),
    )
    return (network[0][1] if network else None), dict(pricing), dict(catalog)


def _published(
    wanted: Callable[[dict[int, Rows]], Collection[int]] | None = None,
    now: dt.datetime | None = None,
) -> tuple[dict[int, Rows], dict[int, Provider], Stamps]:
    """The network rows as published now, and the providers of the operators `wanted`
    picks from them (default: every operator), each current: one statement when nothing
    changed. When stamps moved, the providers they touch are updated (a changed network
    is read again and compared, operator by operator and station by station); a provider
    whose stamps moved again while it was updated is updated again before it is kept.
    Third: the stamps they are current under."""
    now = now or timezone.now()
    stamps = _stamps()
    for _ in range(4):
        state = _store.state
        if stamps[0] == state.network:
            needed = set(state.rows) if wanted is None else set(wanted(state.rows))
            if not _stale(state, needed, stamps, now):
                return state.rows, {pk: state.providers[pk] for pk in needed}, stamps
        with _store.lock:
            stamps = _update(stamps, wanted, now)
    state = _store.state  # stamps kept moving: those of the rows kept, built if need be
    needed = set(state.rows) if wanted is None else set(wanted(state.rows))
    found = {}
    for pk in needed:
        provider = state.providers.get(pk)
        if provider is None or provider.rows is not state.rows[pk]:
            provider = Provider.build(state.rows[pk], _version(pk, stamps), now, provider)
        found[pk] = provider
    return state.rows, found, stamps


def published(
    wanted: Callable[[dict[int, Rows]], Collection[int]] | None = None,
    now: dt.datetime | None = None,
) -> tuple[dict[int, Rows], dict[int, Provider]]:
    """The network rows as published now, and the providers of the operators `wanted`
    picks from them (default: every operator), each current (_published)."""
    rows, providers, _ = _published(wanted, now)
    return rows, providers


def _update(stamps: Stamps, wanted: Any, now: dt.datetime) -> Stamps:
    """Bring the providers `wanted` up to date under `stamps`; the stamps read after."""
    state = _store.state
    rows = state.rows
    if stamps[0] != state.network:
        rows = read_network(state.rows)
    missing = [pk for pk in rows if pk not in stamps[1] or pk not in stamps[2]]
    if stamps[0] is None or missing:  # rows to renew from now on
        NetworkVersion.current()
        for pk in missing:
            PricingVersion.current(pk)
            CatalogVersion.current(pk)
        return _stamps()
    needed = set(rows) if wanted is None else set(wanted(rows))
    built = {}
    for pk in needed:
        version = _version(pk, stamps)
        before = state.providers.get(pk)
        if before is not None and before.version == version and before.rows is rows[pk]:
            if before.built + NOTICES_AHEAD / 2 >= now:
                continue
            before = None  # the notices kept run out: built afresh
        built[pk] = Provider.build(rows[pk], version, now, before)
    after = _stamps()  # those that moved meanwhile are left out, and built again
    if after[0] != stamps[0]:
        return after
    providers = {pk: p for pk, p in state.providers.items() if pk in rows}
    providers.update({pk: p for pk, p in built.items() if _version(pk, after) == p.version})
    _store.state = State(stamps[0], rows, providers)
    return after


def providers(now: dt.datetime | None = None) -> list[Provider]:
    """Every operator's provider as published now."""
    rows, found = published(None, now)
    return [found[pk] for pk in rows if pk in found]


def _version(operator_id: int, stamps: Stamps) -> Version:
    return (stamps[0], stamps[1].get(operator_id), stamps[2].get(operator_id))


def _stale(state: State, needed: set[int], stamps: Stamps, now: dt.datetime) -> bool:
    return any(
        (p := state.providers.get(pk)) is None
        or p.version != _version(pk, stamps)
        or p.built + NOTICES_AHEAD / 2 < now
        for pk in needed
    )


@dataclass(frozen=True, slots=True)
class Offered:
    """What one operator offers at the chargers a search found (`offering`), with the
    offers that apply to each charger and the connectors it shows, by charger pk."""

    offering: Offering
    applying: dict[int, list[PublishedOffer]]
    connectors: dict[int, list[Connector]]
    rendered: dict[Hashable, tuple[dict[str, Any], int]]  # the provider's items rendered


@dataclass(frozen=True, slots=True)
class Found:
    offered: list[Offered]  # operator by operator, in the order of their nearest charger
    matched: int  # how many chargers matched before the cap


def offerings(query: SearchQuery, now: dt.datetime, cap: int | None = None) -> Found:
    """The chargers the search asks for, nearest first, capped at `cap` (default
    BECKN_MAX_CATALOG_ITEMS), and what each operator offers at them, for a session from the
    search's start (default `now`): each operator's Offering, as published."""
    matching: list[tuple[Rows, Charger, list[Connector]]] = []

    def wanted(rows: dict[int, Rows]) -> set[int]:
        matching[:] = _matching(rows.values(), query)
        return {r.operator.pk for r, _, _ in matching[:cap]}

    cap = conf.get("BECKN_MAX_CATALOG_ITEMS") if cap is None else cap
    _, found = published(wanted)
    groups: dict[int, tuple[Provider, list[Charger], dict[int, list[Connector]]]] = {}
    for rows, charger, shown in matching[:cap]:
        group = groups.setdefault(rows.operator.pk, (found[rows.operator.pk], [], {}))
        group[1].append(charger)
        group[2][charger.pk] = shown
    start = query.start or now
    offered = []
    for provider, chargers, connectors in groups.values():
        offering, applying = provider.offering(chargers, query, start, connectors)
        offered.append(Offered(offering, applying, connectors, provider.rendered))
    return Found(offered, len(matching))


def search(
    query: SearchQuery, now: dt.datetime, vocabularies: str, cap: int | None = None
) -> tuple[list[Layout], Found]:
    """The providers of an on_search, laid out, and what they were laid out from (for the
    2.0 catalogs of a discover and the count of chargers matched), `cap` as offerings'."""
    found = offerings(query, now, cap)
    asked = (query.connector_types, query.min_power_kw, query.charging_speeds)
    layouts = [
        Layout.of(
            o.offering,
            vocabularies,
            query.start,
            query.end,
            applying=o.applying,
            connectors=o.connectors,
            rendered=(o.rendered, asked) if len(o.rendered) < 2 * MAX_RENDERED else None,
        )
        for o in found.offered
    ]
    return layouts, found


def _matching(
    published: Iterable[Rows], query: SearchQuery
) -> list[tuple[Rows, Charger, list[Connector]]]:
    """Every charger the search matches, with the connectors it shows, nearest first (by
    its station; stations at the same distance in id order, a station's chargers by code)."""
    circle = query.lat is not None and query.lon is not None
    if query.lat is not None and query.lon is not None:
        here = (float(query.lat), float(query.lon))
        radius = float(query.radius_km)
        south, north, west, east = box(*here, radius)
    wanted = _connector_filter(query)
    places: list[tuple[float, int, Rows, Station]] = []
    for rows in published:
        if query.provider_id and rows.operator.code != query.provider_id:
            continue
        for pk, station in rows.stations.items():
            if station.status != StationStatus.ACTIVE:
                continue
            if query.city_code and station.city_code != query.city_code:
                continue
            distance = 0.0
            if circle:
                lat, lon = station.latitude, station.longitude
                if not south <= lat <= north:
                    continue
                if west is not None and east is not None and not west <= lon <= east:
                    continue
                distance = distance_km(*here, float(lat), float(lon))
                if distance > radius:
                    continue
            places.append((distance, pk, rows, station))
    places.sort(key=lambda p: (p[0], p[1]))
    out = []
    for _, pk, rows, _station in places:
        for charger in rows.chargers[pk]:
            if query.item_ids and charger.code not in query.item_ids:
                continue
            connectors = rows.connectors[charger.pk]
            if wanted is not None:
                connectors = [c for c in connectors if wanted(c)]
                if not connectors:
                    continue
            out.append((rows, charger, connectors))
    return out


def _connector_filter(query: SearchQuery) -> Any:
    """Whether a connector is one the search asks for; None when it asks for none."""
    if not (query.connector_types or query.min_power_kw is not None or query.charging_speeds):
        return None
    wanted = {t.upper() for t in query.connector_types}
    types = {t for t in ConnectorType.values if t.upper() in wanted}
    speeds = {s.upper() for s in query.charging_speeds}
    power = query.min_power_kw

    def matches(c: Connector) -> bool:
        return (
            (not query.connector_types or c.connector_type in types)
            and (power is None or c.power_kw >= power)
            and (not speeds or c.charging_speed in speeds)
        )

    return matches


def chargers(provider_id: str, item_id: str) -> list[Charger]:
    """Up to two chargers coded `item_id` of the operator coded `provider_id`, as
    published (whatever their status), each with its station, operator and connectors.
    Shared with every search and lookup of this process: read them, never change them."""
    return chargers_and_stamps(provider_id, item_id)[0]


def chargers_and_stamps(provider_id: str, item_id: str) -> tuple[list[Charger], Version | None]:
    """chargers(), and the stamps they were published under (the network's, the operator's
    pricing and catalog; None when the operator is not published): select, init and
    confirm find their charger here, and their quote checks its memos against these
    stamps instead of reading them again."""
    rows, _, stamps = _published(lambda rows: ())  # the rows only: no provider is needed
    for pk, operator in rows.items():
        if operator.operator.code == provider_id:
            return operator.codes.get(item_id, [])[:2], _version(pk, stamps)
    return [], None


def forget() -> None:
    """Empty this process's publication (tests)."""
    with _store.lock:
        _store.state = State()
