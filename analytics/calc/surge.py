"""Surge impact from hourly demand profiles: plain arithmetic over grouped rollups.

The unit is a *slot*: one station, one kind of day (weekday or weekend) and one local start
hour, summed over the period. Definitions (also on the dashboard and in docs/analytics.md):

- A slot is a *surge slot* when a time-of-day surge rule applies in that hour (one that
  does not apply at every hour of that kind of day: services.surge_windows reads them
  from the operator's rules). Its *surge windows* are that hour on every day of that
  kind in the period. Surges that apply all day (a fast-charging or location premium)
  shift no demand between hours and are not windows; their revenue still counts.
- A station's *profile* is the share of its sessions (or kWh) that start in each hour.
  The *comparable* profile is that of the stations with no surge at any hour on that kind
  of day (the control), weighted by their volume. Expected sessions in a surge slot =
  comparable share of that hour x the station's sessions on that kind of day.
- *Change* = actual / expected - 1 over the surge slots that have a comparison (sessions,
  and kWh alike). Windows, and the sessions in them, count at every station with a
  window, compared or not.
- *Shifted to other hours* = what the other (calm) hours of stations with surge got above
  the comparable profile: positive means demand moved out of the surge, not away.
- Kinds of day with no control station (every station has a window) are left out of the
  comparison; their surge revenue still counts.
- Filtered to a region or a station, the figures are those of the chosen stations, while
  the comparable profile still comes from every control station of the operator: a region
  where every station surges is compared with the calm stations elsewhere, and the
  regions' figures add up to the operator's.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from analytics.calc.roi import ratio
from pricing.engine import ZERO, money

TENTH = Decimal("0.1")
STATION_KEYS = (
    "windows",
    "sessions",
    "kwh",
    "compared_windows",
    "compared_sessions",
    "compared_kwh",
    "expected",
    "expected_kwh",
    "shifted",
    "surge_revenue",
)
KWH = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class Slot:
    station: int
    weekend: bool
    hour: int
    sessions: int
    surged: int  # sessions that paid any surge
    kwh: Decimal
    surge_revenue: Decimal = ZERO
    window: bool = False  # a time-of-day surge applies in this hour (services.surge_windows)


@dataclass
class Impact:
    surge_windows: int = 0
    sessions: int = 0
    kwh: Decimal = ZERO
    # the part of the windows (and their sessions) with a comparable profile
    compared_windows: int = 0
    compared_sessions: int = 0
    compared_kwh: Decimal = ZERO
    expected_sessions: Decimal = ZERO
    expected_kwh: Decimal = ZERO
    shifted_sessions: Decimal = ZERO
    surge_revenue: Decimal = ZERO
    compared_stations: int = 0
    profile: list[dict[str, object]] = field(default_factory=list)
    stations: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    # (station, weekend) compared, and the control ones (no surge that kind of day)
    surging: set[tuple[int, bool]] = field(default_factory=set)
    control: set[tuple[int, bool]] = field(default_factory=set)

    @property
    def sessions_per_window(self) -> Decimal | None:
        return ratio(Decimal(self.sessions), Decimal(self.surge_windows))

    @property
    def expected_per_window(self) -> Decimal | None:
        return ratio(self.expected_sessions, Decimal(self.compared_windows))

    @property
    def session_change(self) -> Decimal | None:
        return ratio(self.compared_sessions - self.expected_sessions, self.expected_sessions)

    @property
    def kwh_change(self) -> Decimal | None:
        return ratio(self.compared_kwh - self.expected_kwh, self.expected_kwh)


def _totals(slots: Iterable[Slot]) -> tuple[dict, dict]:
    sessions: dict[tuple[int, bool], int] = defaultdict(int)
    kwh: dict[tuple[int, bool], Decimal] = defaultdict(lambda: ZERO)
    for s in slots:
        sessions[s.station, s.weekend] += s.sessions
        kwh[s.station, s.weekend] += s.kwh
    return sessions, kwh


def comparable_shares(slots: list[Slot], control: set[tuple[int, bool]]) -> dict:
    """(weekend, hour) -> (share of sessions, share of kWh) that start in that hour at the
    control stations (no surge at any hour on that kind of day), weighted by volume."""
    sessions, kwh = _totals(slots)
    num: dict[tuple[bool, int], list] = defaultdict(lambda: [0, ZERO])
    den: dict[bool, list] = defaultdict(lambda: [0, ZERO])
    for s in slots:
        if (s.station, s.weekend) in control:
            num[s.weekend, s.hour][0] += s.sessions
            num[s.weekend, s.hour][1] += s.kwh
    for station, weekend in control:
        den[weekend][0] += sessions[station, weekend]
        den[weekend][1] += kwh[station, weekend]
    out = {}
    for weekend, (d_n, d_k) in den.items():
        if d_n <= 0:
            continue
        for hour in range(24):
            n, k = num.get((weekend, hour), (0, ZERO))
            out[weekend, hour] = (Decimal(n) / d_n, k / d_k if d_k > 0 else ZERO)
    return out


def _marked(slot: Slot, window: bool) -> Slot:
    """The slot with its window flag set (a copy only when the flag changes)."""
    return slot if slot.window == window else dataclasses.replace(slot, window=window)


def surge_impact(
    slots: Iterable[Slot],
    days: Mapping[bool, int],
    windows: set[tuple[int, bool, int]],
    chosen: Callable[[int], bool] | None = None,
) -> Impact:
    """`days`: how many weekdays (False) and weekend days (True) the period has;
    `windows`: (station, weekend, hour) of the time-of-day surges; `slots`: every station
    of the operator, so that the comparable profile is the same whatever the filter;
    `chosen`: which stations the figures are about (None: all of them)."""
    rows = [_marked(s, (s.station, s.weekend, s.hour) in windows) for s in slots if s.sessions > 0]
    out = _compare(rows, days, windows)
    if chosen is None:
        return out
    return _restricted(out, rows, windows, chosen)


def _restricted(
    whole: Impact,
    rows: list[Slot],
    windows: set[tuple[int, bool, int]],
    chosen: Callable[[int], bool],
) -> Impact:
    """The operator-wide comparison, cut to the chosen stations' own figures."""
    out = Impact(
        surge_revenue=money(sum((s.surge_revenue for s in rows if chosen(s.station)), ZERO)),
        stations={k: v for k, v in whole.stations.items() if chosen(k)},
    )
    _sum_stations(out)
    out.surging = {key for key in whole.surging if chosen(key[0])}
    out.control = whole.control
    out.compared_stations = len({station for station, _ in out.surging})
    out.profile = profile(rows, out.surging, out.control, windows)
    return out


def _sum_stations(out: Impact) -> None:
    for mine in out.stations.values():
        out.surge_windows += int(mine["windows"])
        out.sessions += int(mine["sessions"])
        out.kwh += mine["kwh"]
        out.compared_windows += int(mine["compared_windows"])
        out.compared_sessions += int(mine["compared_sessions"])
        out.compared_kwh += mine["compared_kwh"]
        out.expected_sessions += mine["expected"]
        out.expected_kwh += mine["expected_kwh"]
        out.shifted_sessions += mine["shifted"]
    out.expected_sessions = out.expected_sessions.quantize(TENTH)
    out.expected_kwh = out.expected_kwh.quantize(KWH)
    out.shifted_sessions = out.shifted_sessions.quantize(TENTH)


def _compare(
    rows: list[Slot], days: Mapping[bool, int], windows: set[tuple[int, bool, int]]
) -> Impact:
    out = Impact(surge_revenue=money(sum((s.surge_revenue for s in rows), ZERO)))
    groups: dict[tuple[int, bool], list[Slot]] = defaultdict(list)
    for s in rows:
        groups[s.station, s.weekend].append(s)
    with_windows = {(station, weekend) for station, weekend, _ in windows}
    control = {key for key in groups if key not in with_windows}
    # Surging stations need a calm hour (a profile) and a control on that kind of day.
    kinds = {weekend for _, weekend in control}
    surging = {
        key
        for key, group in groups.items()
        if key in with_windows and key[1] in kinds and not all(s.window for s in group)
    }
    shares = comparable_shares(rows, control)
    sessions, kwh = _totals(rows)
    out.compared_stations = len({station for station, _ in surging})
    per = out.stations
    for s in rows:
        mine = per.setdefault(s.station, dict.fromkeys(STATION_KEYS, ZERO))
        mine["surge_revenue"] += s.surge_revenue
        key = (s.station, s.weekend)
        if s.window:
            mine["sessions"] += s.sessions
            mine["kwh"] += s.kwh
        if key not in surging:
            continue
        share_n, share_k = shares[s.weekend, s.hour]
        expected_n = share_n * sessions[key]
        if s.window:
            mine["compared_sessions"] += s.sessions
            mine["compared_kwh"] += s.kwh
            mine["expected"] += expected_n
            mine["expected_kwh"] += share_k * kwh[key]
        else:
            mine["shifted"] += s.sessions - expected_n
    # Windows count at every station with sessions that kind of day, compared or not.
    for station, weekend, _hour in windows:
        if (station, weekend) in groups:
            per[station]["windows"] += days.get(weekend, 0)
            if (station, weekend) in surging:
                per[station]["compared_windows"] += days.get(weekend, 0)
    # Hours without any session still had an expectation.
    present = {(s.station, s.weekend, s.hour) for s in rows}
    for station, weekend in surging:
        mine = per[station]
        for hour in range(24):
            window = (station, weekend, hour) in windows
            if (station, weekend, hour) in present:
                continue
            expected = shares[weekend, hour][0] * sessions[station, weekend]
            if window:
                mine["expected"] += expected
                mine["expected_kwh"] += shares[weekend, hour][1] * kwh[station, weekend]
            else:
                mine["shifted"] -= expected
    _sum_stations(out)
    out.surging, out.control = surging, control
    out.profile = profile(rows, surging, control, windows)
    return out


def profile(
    slots: list[Slot],
    surging: set[tuple[int, bool]],
    control: set[tuple[int, bool]],
    windows: set[tuple[int, bool, int]],
) -> list[dict[str, object]]:
    """Share of sessions starting in each local hour: stations with surge against the
    control stations, and how many surging station-day kinds have a surge window there
    (from the windows themselves: a window in which no session started is one too)."""
    with_surge, without = [0] * 24, [0] * 24
    for s in slots:
        if (s.station, s.weekend) in surging:
            with_surge[s.hour] += s.sessions
        elif (s.station, s.weekend) in control:
            without[s.hour] += s.sessions
    slots_at = [0] * 24
    for station, weekend, hour in windows:
        if (station, weekend) in surging:
            slots_at[hour] += 1
    total_with, total_without = sum(with_surge), sum(without)
    return [
        {
            "hour": hour,
            "with_surge": ratio(Decimal(with_surge[hour]), Decimal(total_with)),
            "without_surge": ratio(Decimal(without[hour]), Decimal(total_without)),
            "surge_slots": slots_at[hour],
        }
        for hour in range(24)
    ]
