"""Wall-clock primitives: how many instants a wall time has, where days begin, who owns
a wrapping window's small hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pricing.engine.windows import day_span, instants_at, offset_changes, window_owner
from tests.pricing.engine.build import BERLIN, IST, window

UTC = dt.UTC
SANTIAGO = ZoneInfo("America/Santiago")


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        (BERLIN, "2025-03-30 02:30", []),  # spring-forward gap
        (BERLIN, "2025-10-26 02:30", ["2025-10-26 00:30", "2025-10-26 01:30"]),  # read twice
        (BERLIN, "2025-06-01 02:30", ["2025-06-01 00:30"]),
        (IST, "2025-03-30 02:30", ["2025-03-29 21:00"]),
    ],
)
def test_instants_at(zone, local, expected):
    found = instants_at(zone, dt.datetime.fromisoformat(local))
    assert list(found) == [utc(text) for text in expected]


def test_offset_changes_finds_the_exact_transition():
    changes = offset_changes(BERLIN, utc("2025-10-25 12:00"), utc("2025-10-27 12:00"))
    assert changes == [utc("2025-10-26 01:00")]
    assert offset_changes(IST, utc("2025-10-25 12:00"), utc("2025-10-27 12:00")) == []


def test_a_day_whose_midnight_falls_in_a_gap_starts_at_the_jump():
    start, end, steady = day_span(SANTIAGO, dt.date(2024, 9, 8))
    assert (start, end, steady) == (utc("2024-09-08 04:00"), utc("2024-09-09 03:00"), None)
    assert day_span(SANTIAGO, dt.date(2024, 9, 9))[2] == dt.timedelta(hours=-3)


def test_day_spans_around_berlin_changes():
    assert day_span(BERLIN, dt.date(2025, 3, 30)) == (
        utc("2025-03-29 23:00"),
        utc("2025-03-30 22:00"),
        None,
    )
    assert day_span(BERLIN, dt.date(2025, 3, 31))[2] == dt.timedelta(hours=2)


FRIDAY_NIGHTS = window("22:00", "06:00", frozenset({4}))


@pytest.mark.parametrize(
    ("local", "owner"),
    [
        ("2025-09-26 23:00", "2025-09-26"),  # Friday evening
        ("2025-09-27 03:00", "2025-09-26"),  # Saturday small hours: Friday's night
        ("2025-09-27 23:00", None),  # Saturday evening
        ("2025-09-28 03:00", None),  # Sunday small hours: Saturday's night
        ("2025-09-27 06:00", None),  # the end is exclusive
    ],
)
def test_wrapping_window_belongs_to_the_day_it_starts(local, owner):
    found = window_owner(FRIDAY_NIGHTS, dt.datetime.fromisoformat(local))
    assert found == (None if owner is None else dt.date.fromisoformat(owner))


def test_equal_start_and_end_is_the_whole_day():
    whole = window("07:00", "07:00", frozenset({0}))
    monday = dt.datetime(2025, 9, 22, 3, 0)
    assert window_owner(whole, monday) == monday.date()
    assert window_owner(whole, monday + dt.timedelta(days=1)) is None
