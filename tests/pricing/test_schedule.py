"""Weekly windows as spans: overlap checks, the week grid, and the customer-facing text."""

from __future__ import annotations

import datetime as dt

import pytest

from pricing.engine.schedule import (
    DAY,
    WEEK,
    LabelledWindow,
    clock,
    days_text,
    first_overlap,
    hour_cover,
    week_spans,
    window_text,
)

T = dt.time
ALL = tuple(range(7))


def test_spans_plain_wrapping_whole_day_and_sunday_seam():
    assert week_spans(T(18), T(21), [0]) == [(18 * 3600, 21 * 3600)]
    assert week_spans(T(22), T(6), [0]) == [(22 * 3600, DAY + 6 * 3600)]
    assert week_spans(T(0), T(0), [2]) == [(2 * DAY, 3 * DAY)]
    assert week_spans(T(22), T(6), [6]) == [(6 * DAY + 22 * 3600, WEEK), (0, 6 * 3600)]


def test_no_overlap_for_adjacent_bands():
    bands = [LabelledWindow("day", T(6), T(22), ALL), LabelledWindow("night", T(22), T(6), ALL)]
    assert first_overlap(bands) is None


def test_overlap_is_named_with_its_first_moment():
    bands = [LabelledWindow("night", T(22), T(6), ALL), LabelledWindow("early", T(5), T(7), ALL)]
    assert first_overlap(bands) == (
        "Bands 'night' and 'early' overlap (both apply on Monday 05:00): "
        "a time can have only one rate."
    )


def test_wrapping_sunday_night_overlaps_monday_morning():
    bands = [
        LabelledWindow("sun-night", T(23), T(2), (6,)),
        LabelledWindow("mon", T(1), T(3), (0,)),
    ]
    assert "Monday 01:00" in first_overlap(bands)


def test_same_hours_on_different_days_do_not_overlap():
    bands = [
        LabelledWindow("wd", T(18), T(21), (0, 1, 2, 3, 4)),
        LabelledWindow("we", T(18), T(21), (5, 6)),
    ]
    assert first_overlap(bands) is None


def test_hour_cover_full_and_partial_cells():
    grid = hour_cover(week_spans(T(18, 30), T(21), [0]))
    assert grid[0][17:22] == [0.0, 0.5, 1.0, 1.0, 0.0]
    grid = hour_cover(week_spans(T(22), T(6), [6]))
    assert grid[6][22:] == [1.0, 1.0] and grid[0][:7] == [1, 1, 1, 1, 1, 1, 0]


@pytest.mark.parametrize(
    ("t", "text"),
    [(T(18), "6 PM"), (T(0), "12 AM"), (T(12), "12 PM"), (T(6, 30), "6:30 AM")],
)
def test_clock(t, text):
    assert clock(t) == text


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (ALL, "every day"),
        ((5, 6), "weekends"),
        ((0, 1, 2, 3, 4), "weekdays"),
        ((0, 2), "Mon, Wed"),
        ((0, 1, 2, 5), "Mon-Wed, Sat"),
        ((3, 4), "Thu, Fri"),
    ],
)
def test_days_text(days, text):
    assert days_text(days) == text


def test_window_text_reads_like_the_deg_badge():
    assert window_text(T(18), T(21), ALL) == "between 6 PM - 9 PM every day"
    assert window_text(None, None, (5, 6)) == "all day weekends"
    assert window_text(None, None, ALL) == "all day, every day"
    assert window_text(T(22), T(6), (0, 1, 2, 3, 4)) == "between 10 PM - 6 AM weekdays"
