"""Geo radius offers for the candidate index: a bounding box per circle, and a coarse grid
of cells so a station's point only meets the few boxes near it.

Boxes are computed on the same sphere as the exact check (haversine_km, below) and
made 1 % larger, so floating point can never drop a point that is inside its circle. A box
is filed under every grid cell it touches plus a one-cell margin on each side (a point on
a cell edge may round into either neighbour); a box too large for the grid (near a pole,
or thousands of kilometres wide) is kept on a short list tried for every point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from offers.rules.construct import GeoCircle

EARTH_RADIUS_KM = 6371.0088

_MARGIN = 1.01  # bounding boxes 1 % larger than the circle: floats must never lose one
CELL_DEGREES = 0.25  # about 28 km of latitude: a city's offers share a handful of cells
_LON_CELLS = round(360 / CELL_DEGREES)
_MAX_CELLS = 400  # a box over more cells than this goes on the short list instead


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def in_circle(circle: GeoCircle, lat: float, lon: float) -> bool:
    """The exact check of a geo radius offer."""
    return haversine_km(circle.lat, circle.lon, lat, lon) <= circle.radius_km


@dataclass(frozen=True, slots=True)
class _Box:
    lat_lo: float
    lat_hi: float
    lon: float
    lon_half: float  # >= 180: every longitude

    @classmethod
    def around(cls, c: GeoCircle) -> _Box:
        arc = c.radius_km / EARTH_RADIUS_KM
        dlat = math.degrees(arc) * _MARGIN
        cos_lat = math.cos(math.radians(c.lat))
        if math.sin(arc) >= cos_lat or abs(c.lat) + dlat >= 90:
            return cls(c.lat - dlat, c.lat + dlat, c.lon, 360.0)
        dlon = math.degrees(math.asin(min(1.0, math.sin(arc) / cos_lat))) * _MARGIN
        return cls(c.lat - dlat, c.lat + dlat, c.lon, dlon)

    def holds(self, lat: float, lon: float) -> bool:
        if not self.lat_lo <= lat <= self.lat_hi:
            return False
        return abs((lon - self.lon + 180.0) % 360.0 - 180.0) <= self.lon_half


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(((lon + 180.0) % 360.0) / CELL_DEGREES)


def _cells(box: _Box) -> list[tuple[int, int]] | None:
    """The grid cells the box touches, with a one-cell margin; None if there are too many."""
    if box.lon_half >= 180:
        return None
    rows = range(
        math.floor(max(box.lat_lo, -90.0) / CELL_DEGREES) - 1,
        math.floor(min(box.lat_hi, 90.0) / CELL_DEGREES) + 2,
    )
    first = math.floor((box.lon - box.lon_half + 180.0) / CELL_DEGREES) - 1
    last = math.floor((box.lon + box.lon_half + 180.0) / CELL_DEGREES) + 1
    if len(rows) * (last - first + 1) > _MAX_CELLS:
        return None
    columns = {k % _LON_CELLS for k in range(first, last + 1)}
    return [(row, column) for row in rows for column in columns]


Entry = tuple[int, tuple[_Box, ...]]  # (the offer's bit, its circles' boxes)


class GeoGrid:
    """Bitmask of the geo offers whose circles' boxes hold a point."""

    __slots__ = ("_cells", "_wide")

    def __init__(self, circles_by_bit: list[tuple[int, tuple[GeoCircle, ...]]]) -> None:
        self._cells: dict[tuple[int, int], list[Entry]] = {}
        self._wide: list[Entry] = []
        for bit, circles in circles_by_bit:
            entry = (bit, tuple(_Box.around(c) for c in circles))
            filed: set[tuple[int, int]] = set()
            for box in entry[1]:
                cells = _cells(box)
                if cells is None:
                    filed.clear()
                    self._wide.append(entry)
                    break
                filed.update(cells)
            for cell in filed:
                self._cells.setdefault(cell, []).append(entry)

    def mask(self, lat: float | None, lon: float | None) -> int:
        if lat is None or lon is None:
            return 0
        out = 0
        for entries in (self._cells.get(cell_of(lat, lon), ()), self._wide):
            for bit, boxes in entries:
                if not out & bit and any(b.holds(lat, lon) for b in boxes):
                    out |= bit
        return out
