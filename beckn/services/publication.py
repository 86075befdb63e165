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
from its commit, and it rebuilds only the providers whose stamps moved. A provider whose
stamps moved while it was being built is built again, so no search mixes two versions of
one provider (a provider is replaced whole, and a search holds the one it started with).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Prefetch, Value
from django.db.models.functions import Cast
from django.utils import timezone

from beckn import conf
from beckn.commerce_types import AddOnLine, CommerceError, Offering, PublishedOffer
from beckn.services import commerce, commerce_addons
from beckn.wire.catalog_layout import Layout
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Charger, Connector, NetworkVersion, Operator, Station
from cpo_portal.models.network import ConnectorType, StationStatus
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


@dataclass
class Provider:
    """One operator's publication, built under one version of its stamps."""

    version: Version
    built: dt.datetime
    operator: Operator
    stations: dict[int, Station]  # every station, by pk, in pk order
    chargers: dict[int, list[Charger]]  # by station pk, in code order as the database sorts
    connectors: dict[int, list[Connector]]  # by charger pk, in connector id order
    rates: dict[int, tuple[Decimal, str] | None]  # list energy rate by charger pk
    add_ons: dict[int, list[AddOnLine]]  # on sale, by station pk
    placed: dict[int, Placed]  # active offers placed at each station, with their ends
    applying: dict[int, Placed]  # those that apply to each charger, by charger pk
    notices: commerce.NoticesDuring
    rendered: dict[Hashable, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def build(cls, operator: Operator, version: Version, now: dt.datetime) -> Provider:
        stations = {s.pk: s for s in Station.objects.filter(operator=operator).order_by("pk")}
        chargers: dict[int, list[Charger]] = {pk: [] for pk in stations}
        everyone = list(
            Charger.objects.filter(station__in=list(stations))
            .order_by("station_id", "code")
            .prefetch_related(
                Prefetch("connectors", queryset=Connector.objects.order_by("connector_id"))
            )
        )
        for charger in everyone:
            charger.station = stations[charger.station_id]
            charger.operator = operator
            chargers[charger.station_id].append(charger)
        placed = commerce.placed_offers(operator, stations.values())
        applying = {
            c.pk: [
                (o, end)
                for o, end in placed[c.station_id]
                if o.applies_at(c.station.code, c.code, c.categories)
            ]
            for c in everyone
        }
        return cls(
            version=version,
            built=now,
            operator=operator,
            stations=stations,
            chargers=chargers,
            connectors={c.pk: list(c.connectors.all()) for c in everyone},
            rates=commerce.list_rates(everyone),
            add_ons=commerce_addons.add_ons_at(operator, stations.values()),
            placed=placed,
            applying=applying,
            notices=commerce.NoticesDuring(
                stations.values(), now - NOTICES_BEFORE, now + NOTICES_AHEAD
            ),
        )

    def offering(
        self, chargers: list[Charger], query: SearchQuery, start: dt.datetime
    ) -> tuple[Offering, dict[int, list[PublishedOffer]]]:
        """The provider at the `chargers` a search found, for a session from `start`, and
        the offers that apply to each of them."""
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
            offers={pk: _current(self.placed[pk], start) for pk in stations},
            rates={c.pk: self.rates.get(c.pk) for c in chargers},
            add_ons={pk: self.add_ons.get(pk) or [] for pk in stations},
        )
        return offering, {c.pk: _current(self.applying[c.pk], start) for c in chargers}


def _current(placed: Placed, at: dt.datetime) -> list[PublishedOffer]:
    return [offer for offer, end in placed if end is None or end >= at]


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.providers: dict[int, Provider] = {}
        self.network: Any = None
        self.operators: list[Operator] = []


_store = _Store()


def _stamps() -> tuple[Any, dict[int, Any], dict[int, Any]]:
    """The network stamp and every operator's pricing and catalog stamps, in one
    statement."""
    no_id = Cast(Value(None), BigIntegerField())
    rows = NetworkVersion.objects.values_list(Value("n"), no_id, "stamp").union(
        PricingVersion.objects.values_list(Value("p"), "operator_id", "stamp"),
        CatalogVersion.objects.values_list(Value("c"), "operator_id", "stamp"),
        all=True,
    )
    network, pricing, catalog = None, {}, {}
    for kind, operator_id, stamp in rows:
        if kind == "n":
            network = stamp
        elif kind == "p":
            pricing[operator_id] = stamp
        else:
            catalog[operator_id] = stamp
    return network, pricing, catalog


def providers(now: dt.datetime | None = None) -> list[Provider]:
    """Every operator's provider as published now: one statement when nothing changed;
    the providers whose stamps moved are built again (and again while their stamps move
    during the build)."""
    now = now or timezone.now()
    network, pricing, catalog = _stamps()
    if network is None:  # a row to renew from now on
        NetworkVersion.current()
        network, pricing, catalog = _stamps()
    for _ in range(3):
        stale = _stale(network, pricing, catalog, now)
        if not stale:
            break
        with _store.lock:
            if network is None or network != _store.network:
                _store.operators = list(Operator.objects.order_by("pk"))
                _store.network = network
            built = {}
            for operator in _store.operators:
                if operator.pk in stale:
                    if operator.pk not in pricing or operator.pk not in catalog:
                        PricingVersion.current(operator.pk)  # a row to renew from now on
                        CatalogVersion.current(operator.pk)
                    version = (network, pricing.get(operator.pk), catalog.get(operator.pk))
                    built[operator.pk] = Provider.build(operator, version, now)
            network, pricing, catalog = _stamps()  # stamps moved meanwhile: built again
            now_at = {pk: _version(pk, network, pricing, catalog) for pk in built}
            kept = {pk for pk, p in built.items() if now_at[pk] == p.version}
            known = {o.pk for o in _store.operators}
            fresh = {pk: p for pk, p in _store.providers.items() if pk in known}
            fresh.update({pk: built[pk] for pk in kept})
            _store.providers = fresh
    return [_store.providers[o.pk] for o in _store.operators if o.pk in _store.providers]


def _version(operator_id: int, network: Any, pricing: dict, catalog: dict) -> Version:
    return (network, pricing.get(operator_id), catalog.get(operator_id))


def _stale(network: Any, pricing: dict, catalog: dict, now: dt.datetime) -> set[int]:
    if network is None or network != _store.network:
        return {o.pk for o in Operator.objects.all()}
    return {
        o.pk
        for o in _store.operators
        if (p := _store.providers.get(o.pk)) is None
        or p.version != _version(o.pk, network, pricing, catalog)
        or p.built + NOTICES_AHEAD / 2 < now
    }


@dataclass(frozen=True, slots=True)
class Found:
    layouts: list[Layout]
    shown: int
    matched: int  # how many chargers matched before the cap


def search(query: SearchQuery, now: dt.datetime, vocabularies: str) -> Found:
    """The providers of an on_search, laid out: the chargers the search asks for, nearest
    first, capped at BECKN_MAX_CATALOG_ITEMS, each operator's in one provider."""
    published = providers()
    matching = _matching(published, query)
    kept = matching[: conf.get("BECKN_MAX_CATALOG_ITEMS")]
    groups: dict[int, tuple[Provider, list[Charger], dict[int, list[Connector]]]] = {}
    for provider, charger, shown in kept:
        group = groups.setdefault(provider.operator.pk, (provider, [], {}))
        group[1].append(charger)
        group[2][charger.pk] = shown
    start = query.start or now
    shown_key = (query.connector_types, query.min_power_kw, query.charging_speeds)
    layouts = []
    for provider, chargers, shown in groups.values():
        offering, applying = provider.offering(chargers, query, start)
        if len(provider.rendered) > MAX_RENDERED:
            provider.rendered.clear()
        layouts.append(
            Layout.of(
                offering,
                vocabularies,
                query.start,
                query.end,
                applying=applying,
                connectors=shown,
                rendered=(provider.rendered, shown_key),
            )
        )
    return Found(layouts, len(kept), len(matching))


def _matching(
    published: list[Provider], query: SearchQuery
) -> list[tuple[Provider, Charger, list[Connector]]]:
    """Every charger the search matches, with the connectors it shows, nearest first (by
    its station; stations at the same distance in id order, a station's chargers by code)."""
    circle = query.lat is not None and query.lon is not None
    if circle:
        here = (float(query.lat), float(query.lon))  # type: ignore[arg-type]
        radius = float(query.radius_km)
        south, north, west, east = box(*here, radius)
    wanted = _connector_filter(query)
    places: list[tuple[float, int, Provider, Station]] = []
    for provider in published:
        if query.provider_id and provider.operator.code != query.provider_id:
            continue
        for pk, station in provider.stations.items():
            if station.status != StationStatus.ACTIVE:
                continue
            if query.city_code and station.city_code != query.city_code:
                continue
            distance = 0.0
            if circle:
                lat, lon = station.latitude, station.longitude
                if not south <= lat <= north:
                    continue
                if west is not None and not west <= lon <= east:  # type: ignore[operator]
                    continue
                distance = distance_km(*here, float(lat), float(lon))
                if distance > radius:
                    continue
            places.append((distance, pk, provider, station))
    places.sort(key=lambda p: (p[0], p[1]))
    out = []
    for _, pk, provider, _station in places:
        for charger in provider.chargers[pk]:
            if query.item_ids and charger.code not in query.item_ids:
                continue
            connectors = provider.connectors[charger.pk]
            if wanted is not None:
                connectors = [c for c in connectors if wanted(c)]
                if not connectors:
                    continue
            out.append((provider, charger, connectors))
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


def forget() -> None:
    """Empty this process's publication (tests)."""
    with _store.lock:
        _store.providers, _store.network, _store.operators = {}, None, []
