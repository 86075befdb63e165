"""The on_search catalog built from the database for one search, as the product built it
before the published catalog (beckn/services/publication.py): the reference the published
catalog is compared with, byte for byte (tests/beckn/test_publication.py), and the
"before" of bench/on_search.py --compare.

Find the chargers a search asks for (a bounding box in SQL, the exact circle in Python),
and fetch what each operator offers at them: surge notices, published offers, list rates,
add-ons on sale."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from beckn import conf
from beckn.commerce_types import CommerceError, Offering
from beckn.services import commerce, commerce_addons
from beckn.wire import catalog_parts
from beckn.wire.catalog_layout import Layout
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Charger, Connector, Station
from cpo_portal.models.network import ConnectorType, StationStatus
from offers.rules import EARTH_RADIUS_KM, haversine_km


def search_catalogs(
    offerings: list[Offering],
    vocabularies: str,
    query_start: dt.datetime | None,
    query_end: dt.datetime | None,
    matched: int | None,
    part_bytes: int,
    now: dt.datetime,
) -> list[dict]:
    """The on_search messages of these offerings, laid out as the published catalog lays
    out its providers."""
    at = query_start or now
    layouts = [Layout.of(o, vocabularies, query_start, query_end, at=at) for o in offerings]
    return catalog_parts.laid_out_catalogs(layouts, matched, part_bytes)


def _box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    dlat = math.degrees(km / EARTH_RADIUS_KM) * 1.01
    shrink = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, dlat / shrink)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True, slots=True)
class Found:
    chargers: list[Charger]  # nearest first, at most BECKN_MAX_CATALOG_ITEMS
    matched: int  # how many matched before the cap


def find(query: SearchQuery) -> Found:
    """Matching chargers, nearest first, capped at BECKN_MAX_CATALOG_ITEMS. Ranked on their
    stations' coordinates alone; only the chargers kept are loaded, with their station,
    operator and (as `shown_connectors`) the connectors the search asked for: three
    queries however many match."""
    qs = Charger.objects.filter(station__status=StationStatus.ACTIVE)
    if query.provider_id:
        qs = qs.filter(operator__code=query.provider_id)
    if query.city_code:
        qs = qs.filter(station__city_code=query.city_code)
    if query.item_ids:
        qs = qs.filter(code__in=query.item_ids)
    if query.lat is not None and query.lon is not None:
        south, north, west, east = _box(float(query.lat), float(query.lon), float(query.radius_km))
        qs = qs.filter(station__latitude__gte=Decimal(str(round(south, 6))))
        qs = qs.filter(station__latitude__lte=Decimal(str(round(north, 6))))
        if west > -180 and east < 180:
            qs = qs.filter(station__longitude__gte=Decimal(str(round(west, 6))))
            qs = qs.filter(station__longitude__lte=Decimal(str(round(east, 6))))
    connectors = Connector.objects.all()
    if query.connector_types:
        wanted = {t.upper() for t in query.connector_types}
        types = [t for t in ConnectorType.values if t.upper() in wanted]
        connectors = connectors.filter(connector_type__in=types)
    if query.min_power_kw is not None:
        connectors = connectors.filter(power_kw__gte=query.min_power_kw)
    if query.charging_speeds:
        connectors = connectors.filter(
            charging_speed__in={s.upper() for s in query.charging_speeds}
        )
    if connectors.query.where:
        qs = qs.filter(pk__in=connectors.values("charger_id"))
    rows = qs.order_by("station_id", "code").values_list(
        "pk", "station__latitude", "station__longitude"
    )
    if query.lat is not None and query.lon is not None:
        here = (float(query.lat), float(query.lon))
        radius = float(query.radius_km)
        ranked = [(haversine_km(*here, float(lat), float(lon)), pk) for pk, lat, lon in rows]
        ranked.sort(key=lambda p: p[0])  # stable: a station's chargers stay together
        matching = [pk for d, pk in ranked if d <= radius]
    else:
        matching = [pk for pk, _, _ in rows]
    kept = matching[: conf.get("BECKN_MAX_CATALOG_ITEMS")]
    loaded = (
        Charger.objects.filter(pk__in=kept)
        .select_related("station", "operator")
        .prefetch_related(
            Prefetch(
                "connectors",
                queryset=connectors.order_by("connector_id"),
                to_attr="shown_connectors",
            )
        )
        .in_bulk()
        if kept
        else {}
    )
    return Found([loaded[pk] for pk in kept], len(matching))


def fetch_offerings(
    chargers: list[Charger], query: SearchQuery, now: dt.datetime
) -> list[Offering]:
    """Each operator's offering at the chargers found, in the chargers' order: a fixed
    number of queries per operator however many chargers, stations and offers it holds
    (every lookup is done for all of them at once)."""
    by_operator: dict[int, list[Charger]] = defaultdict(list)
    for charger in chargers:
        by_operator[charger.operator_id].append(charger)
    start = query.start or now
    return [_offering(group, start, query.end) for group in by_operator.values()]


def _offering(chargers: list[Charger], start: dt.datetime, end: dt.datetime | None) -> Offering:
    operator = chargers[0].operator
    stations: dict[int, Station] = {}
    for charger in chargers:
        stations.setdefault(charger.station_id, charger.station)
    try:
        notices = commerce.surge_notices_at(stations.values(), start, end)
    except CommerceError:
        notices = {}
    return Offering(
        operator=operator,
        chargers=chargers,
        stations=stations,
        notices=notices,
        offers=_published(operator, list(stations.values()), start),
        rates=commerce.list_rates(chargers),
        add_ons=commerce_addons.add_ons_at(operator, stations.values()),
    )


def _published(operator, stations: list[Station], at: dt.datetime) -> dict[int, list]:
    """offers' published_offers_at, each offer shown once as a catalog shows it."""
    from offers.services import published_offers_at

    shown: dict[str, object] = {}
    return {
        pk: [shown.get(r.id) or shown.setdefault(r.id, commerce.publish(r)) for r in rules]
        for pk, rules in published_offers_at(operator, stations, at=at).items()
    }
