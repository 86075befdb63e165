"""Surge impact, from hourly cells (station x local date x local hour).

Definitions (also on the dashboard page and in docs/analytics.md):

- A *surge window* is a cell in which sessions paid a surge charge. A *surge day* is a
  station's local date with at least one surge window.
- Its *comparable windows* are the same station's same hour on the same kind of day
  (weekday or weekend) on days without any surge at that station. Days without sessions
  count as windows with zero sessions, so quiet days are not forgotten.
- *Demand change* is what the surge windows saw against what their comparable windows
  saw on average (sessions, kWh).
- *Demand shifted* is what the other hours of surge days saw against the same hours on
  days without surge: positive means sessions moved out of the surge into other hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from offers.analytics.calc.roi import ratio
from pricing.engine.money import ZERO, money

KWH = Decimal("0.001")
TENTH = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Cells:
    """Cells sharing a key, summed: how many cells, their sessions, kWh and surge revenue."""

    station: int
    hour: int
    weekend: bool
    surge_day: bool
    surge_window: bool
    cells: int
    sessions: int
    kwh: Decimal
    surge_revenue: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class DayCount:
    """Days of one kind at one station: all days in the period and its surge days."""

    station: int
    weekend: bool
    days: int
    surge_days: int

    @property
    def calm_days(self) -> int:
        return self.days - self.surge_days


@dataclass
class Impact:
    surge_windows: int = 0
    covered_windows: int = 0  # surge windows that have comparable windows
    sessions: int = 0
    kwh: Decimal = ZERO
    expected_sessions: Decimal = ZERO
    expected_kwh: Decimal = ZERO
    surge_revenue: Decimal = ZERO
    other_hours_sessions: int = 0
    other_hours_expected: Decimal = ZERO
    covered_sessions: int = 0
    covered_kwh: Decimal = ZERO
    profile: list[dict[str, object]] = field(default_factory=list)

    @property
    def sessions_per_window(self) -> Decimal | None:
        return ratio(Decimal(self.sessions), Decimal(self.surge_windows))

    @property
    def expected_per_window(self) -> Decimal | None:
        return ratio(self.expected_sessions, Decimal(self.covered_windows))

    @property
    def session_change(self) -> Decimal | None:
        """Relative change of sessions in covered surge windows (-0.25 = a quarter fewer)."""
        return ratio(self.covered_sessions - self.expected_sessions, self.expected_sessions)

    @property
    def kwh_change(self) -> Decimal | None:
        return ratio(self.covered_kwh - self.expected_kwh, self.expected_kwh)

    @property
    def shifted_sessions(self) -> Decimal:
        return (Decimal(self.other_hours_sessions) - self.other_hours_expected).quantize(TENTH)


def surge_impact(cells: Iterable[Cells], days: Iterable[DayCount]) -> Impact:
    """Combine grouped hourly cells into the surge-impact figures and a 24-hour profile."""
    day_index: Mapping[tuple[int, bool], DayCount] = {(d.station, d.weekend): d for d in days}
    calm: dict[tuple[int, int, bool], list] = defaultdict(lambda: [0, ZERO])
    surge_cells: dict[tuple[int, int, bool], int] = defaultdict(int)
    rows = list(cells)
    for c in rows:
        key = (c.station, c.hour, c.weekend)
        if not c.surge_day:
            calm[key][0] += c.sessions
            calm[key][1] += c.kwh
        elif c.surge_window:
            surge_cells[key] += c.cells

    def average(key: tuple[int, int, bool]) -> tuple[Decimal, Decimal] | None:
        count = day_index.get((key[0], key[2]))
        if count is None or count.calm_days <= 0:
            return None
        sessions, kwh = calm[key]
        return Decimal(sessions) / count.calm_days, kwh / count.calm_days

    out = Impact()
    for c in rows:
        if not c.surge_day:
            continue
        key = (c.station, c.hour, c.weekend)
        mean = average(key)
        if c.surge_window:
            out.surge_windows += c.cells
            out.sessions += c.sessions
            out.kwh += c.kwh
            out.surge_revenue += c.surge_revenue
            if mean is not None:
                out.covered_windows += c.cells
                out.covered_sessions += c.sessions
                out.covered_kwh += c.kwh
                out.expected_sessions += mean[0] * c.cells
                out.expected_kwh += mean[1] * c.cells
        elif mean is not None:
            out.other_hours_sessions += c.sessions
    # Expected sessions in the other hours of surge days: every (surge day, hour) slot that
    # was not a surge window, including slots with no sessions (and so no cell).
    stations = {d.station for d in day_index.values() if d.surge_days > 0}
    for (station, weekend), count in day_index.items():
        if station not in stations or count.surge_days <= 0:
            continue
        for hour in range(24):
            key = (station, hour, weekend)
            mean = average(key)
            if mean is not None:
                slots = count.surge_days - surge_cells.get(key, 0)
                out.other_hours_expected += mean[0] * slots
    out.expected_sessions = out.expected_sessions.quantize(TENTH)
    out.other_hours_expected = out.other_hours_expected.quantize(TENTH)
    out.expected_kwh = out.expected_kwh.quantize(KWH)
    out.surge_revenue = money(out.surge_revenue)
    out.profile = hourly_profile(rows, day_index.values(), stations)
    return out


def hourly_profile(
    rows: list[Cells], days: Iterable[DayCount], stations: set[int]
) -> list[dict[str, object]]:
    """Average sessions per station-day for each local hour, surge days against calm days,
    and the share of surge days on which that hour was a surge window."""
    surge_days = sum(d.surge_days for d in days if d.station in stations)
    calm_days = sum(d.calm_days for d in days if d.station in stations)
    on_surge, on_calm, windows = [0] * 24, [0] * 24, [0] * 24
    for c in rows:
        if c.station not in stations:
            continue
        if c.surge_day:
            on_surge[c.hour] += c.sessions
            windows[c.hour] += c.cells if c.surge_window else 0
        else:
            on_calm[c.hour] += c.sessions
    return [
        {
            "hour": hour,
            "surge_days": ratio(Decimal(on_surge[hour]), Decimal(surge_days)),
            "calm_days": ratio(Decimal(on_calm[hour]), Decimal(calm_days)),
            "surge_share": ratio(Decimal(windows[hour]), Decimal(surge_days)),
        }
        for hour in range(24)
    ]
