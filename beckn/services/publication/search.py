"""A search answered from the publication: the chargers it asks for, nearest first (the
stations in the band of latitudes its circle spans, then by distance), and what each
operator offers at them, laid out."""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beckn import conf
from beckn.commerce_types import Offering, PublishedOffer
from beckn.services.publication.network_rows import Rows
from beckn.services.publication.providers import MAX_RENDERED, Provider
from beckn.services.publication.published import published
from beckn.wire.catalog_layout import Layout
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Charger, Connector, Station
from cpo_portal.models.network import ConnectorType, StationStatus
from offers.rules import EARTH_RADIUS_KM, haversine_km


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


@dataclass(frozen=True, slots=True)
class Offered:
    """What one operator offers at the chargers a search found (`offering`), with the
    offers that apply to each charger and the connectors it shows, by charger pk."""

    offering: Offering
    applying: dict[int, list[PublishedOffer]]
    connectors: dict[int, list[Connector]]
    rendered: dict[Hashable, tuple[dict[str, Any], int]]  # the provider's items rendered


WHOLE = sys.maxsize  # a cap that cuts nothing: a catalog published whole (services.cds)


def time_step(now: dt.datetime) -> int:
    """The step of BECKN_CATALOG_TIME_STEP seconds that `now` is in. What a catalog laid
    out at a moment shows depends on the moment too (a surge's notice shows from an hour
    before its window to its end; an offer that ended is gone), so what keeps a laid-out
    copy (a CDS's catalogs, the change record) lays it out again in each step, and keeps
    what changed."""
    return int(now.timestamp() // conf.get("BECKN_CATALOG_TIME_STEP"))


@dataclass(frozen=True, slots=True)
class Found:
    offered: list[Offered]  # operator by operator, in the order of their nearest charger
    matched: int  # how many chargers matched before the cap


def offerings(query: SearchQuery, now: dt.datetime, cap: int | None = None) -> Found:
    """The chargers the search asks for, nearest first, capped at `cap` (default
    BECKN_MAX_CATALOG_ITEMS; WHOLE: none), and what each operator offers at them, for a
    session from the search's start (default `now`): each operator's Offering, as
    published."""
    matching: list[tuple[Rows, Charger, list[Connector]]] = []

    def wanted(rows: dict[int, Rows]) -> set[int]:
        matching[:] = _matching(rows.values(), query)
        return {r.operator.id for r, _, _ in matching[:cap]}

    cap = conf.get("BECKN_MAX_CATALOG_ITEMS") if cap is None else cap
    _, found = published(wanted)
    groups: dict[int, tuple[Provider, list[Charger], dict[int, list[Connector]]]] = {}
    for rows, charger, shown in matching[:cap]:
        group = groups.setdefault(rows.operator.id, (found[rows.operator.id], [], {}))
        group[1].append(charger)
        group[2][charger.id] = shown
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
            at=query.start or now,
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
        if circle:  # only the band of latitudes the circle spans
            candidates = [(pk, rows.stations[pk]) for pk in rows.near(south, north)]
        else:
            candidates = list(rows.stations.items())
        for pk, station in candidates:
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
                distance = haversine_km(*here, float(lat), float(lon))
                if distance > radius:
                    continue
            places.append((distance, pk, rows, station))
    places.sort(key=lambda p: (p[0], p[1]))
    out = []
    for _, pk, rows, _station in places:
        for charger in rows.chargers[pk]:
            if query.item_ids and charger.code not in query.item_ids:
                continue
            connectors = rows.connectors[charger.id]
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
