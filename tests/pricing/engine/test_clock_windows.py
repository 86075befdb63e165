"""ClockWindows: a rule's clock windows worked out once over a span answer clock_spans'
question (does the rule's clock hold anywhere in [start, end)?) for every session inside,
at DST changes, window edges, validity bounds and holidays included."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.engine.surges import clock_spans, clock_windows
from tests.pricing.engine.build import IST, at, rule, window
from tests.pricing.engine.strategies import PLACES, windows

UTC = dt.UTC


@st.composite
def cases(draw: st.DrawFn):
    zone, day = draw(st.sampled_from(PLACES))
    base = dt.date.fromisoformat(day)
    first = dt.datetime.combine(base, dt.time(0), tzinfo=UTC) - dt.timedelta(days=1)
    last = first + dt.timedelta(days=3)
    quarters = st.integers(0, 3 * 24 * 4).map(lambda q: first + dt.timedelta(minutes=15 * q))
    bounds = sorted(draw(st.lists(quarters, min_size=2, max_size=2, unique=True)))
    surge = rule(
        "R",
        "2",
        window=draw(st.one_of(st.none(), windows)),
        holidays_only=draw(st.booleans()),
        valid_from=draw(st.sampled_from([None, bounds[0]])),
        valid_until=draw(st.sampled_from([None, bounds[1]])),
    )
    start, end = sorted(draw(st.lists(quarters, min_size=2, max_size=2, unique=True)))
    written_in = draw(st.sampled_from([UTC, ZoneInfo(zone), ZoneInfo("Asia/Kolkata")]))
    near = [base + dt.timedelta(days=d) for d in (-2, -1, 0, 1, 2)]
    holidays = draw(st.frozensets(st.sampled_from(near)))
    return ZoneInfo(zone), surge, first, last, start, end, written_in, holidays


@settings(max_examples=400)
@given(cases())
def test_windows_answer_as_clock_spans(case):
    zone, surge, first, last, start, end, written_in, holidays = case
    windows = clock_windows(surge, zone, first, last)
    start, end = start.astimezone(written_in), end.astimezone(written_in)
    assert windows.covers(start, end)
    assert windows.meets(start, end, holidays) == bool(
        clock_spans(surge, zone, start, end, holidays)
    )


def test_edges_are_exact():
    """An evening window 18:00-21:00: a session ending at 18:00 misses it, one from 21:00
    too; a minute inside either edge meets it."""
    evening = rule("EVE", "2", window=window("18:00", "21:00"))
    windows = clock_windows(evening, IST, at("2025-09-24 00:00"), at("2025-09-26 00:00"))
    one = dt.timedelta(minutes=1)
    six, nine = at("2025-09-24 18:00"), at("2025-09-24 21:00")
    assert not windows.meets(six - dt.timedelta(hours=1), six, frozenset())
    assert windows.meets(six - dt.timedelta(hours=1), six + one, frozenset())
    assert windows.meets(nine - one, nine + dt.timedelta(hours=1), frozenset())
    assert not windows.meets(nine, nine + dt.timedelta(hours=1), frozenset())


def test_a_holiday_rule_meets_only_on_the_holidays_given():
    holiday = rule("HOL", "2", holidays_only=True)
    windows = clock_windows(holiday, IST, at("2025-09-23 00:00"), at("2025-09-27 00:00"))
    noon = at("2025-09-25 12:00")
    hour = dt.timedelta(hours=1)
    assert not windows.meets(noon, noon + hour, frozenset({dt.date(2025, 9, 24)}))
    assert windows.meets(noon, noon + hour, frozenset({dt.date(2025, 9, 25)}))
    assert not windows.covers(noon, at("2025-09-28 00:00"))  # past the span: not read here
