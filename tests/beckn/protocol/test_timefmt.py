from datetime import UTC, datetime, timedelta, timezone

import pytest

from beckn.protocol.context import (
    format_duration,
    format_timestamp,
    parse_duration,
    parse_timestamp,
)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025:09:24:10:00:00", utc(2025, 9, 24, 10, 0, 0)),
        ("2025:09:24:10:00:00Z", utc(2025, 9, 24, 10, 0, 0)),
        ("2025:09:24:10:10:00z", utc(2025, 9, 24, 10, 10, 0)),
        ("2025:09:24:15:30:00+05:30", utc(2025, 9, 24, 10, 0, 0)),
        ("2025:09:24:15:30:00+0530", utc(2025, 9, 24, 10, 0, 0)),
        ("2025:09:24:10:00:00.250", utc(2025, 9, 24, 10, 0, 0, 250000)),
        ("2024-08-05T09:21:12.618Z", utc(2024, 8, 5, 9, 21, 12, 618000)),
        ("2024-08-05T09:21:12Z", utc(2024, 8, 5, 9, 21, 12)),
        ("2024-08-05t09:21:12z", utc(2024, 8, 5, 9, 21, 12)),
        ("2024-08-05 09:21:12-04:00", utc(2024, 8, 5, 13, 21, 12)),
        ("2023-06-01T10:00:00", utc(2023, 6, 1, 10, 0, 0)),
        ("2024-08-05T09:21:12.123456789Z", utc(2024, 8, 5, 9, 21, 12, 123456)),
        ("2024-08-05T09:21:12,5Z", utc(2024, 8, 5, 9, 21, 12, 500000)),
    ],
)
def test_parse_timestamp(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025-09-24",
        "2025:09:24",
        "2025:09-24T10:00:00",  # mixed separators
        "2025-09-24:10:00:00",
        "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "2025-09-24T24:00:00Z",
        "2025-09-24T10:00:00+25:00",
        "2025-09-24T10:00:00+05:61",
        "2025-09-24T10:00Z",
        " 2025-09-24T10:00:00Z",
        "1727172000",
    ],
)
def test_parse_timestamp_refuses(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_parse_timestamp_refuses_non_strings():
    with pytest.raises(ValueError):
        parse_timestamp(1727172000)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2025, 9, 24, 10, 0, 0), "2025-09-24T10:00:00.000Z"),
        (utc(2025, 9, 24, 10, 0, 0, 999999), "2025-09-24T10:00:00.999Z"),
        (
            datetime(2025, 9, 24, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2025-09-24T10:00:00.000Z",
        ),
        (utc(1, 1, 1, 0, 6, 32), "0001-01-01T00:06:32.000Z"),  # four digits, as RFC 3339 says
    ],
)
def test_format_timestamp(moment, expected):
    assert format_timestamp(moment) == expected
    assert parse_timestamp(expected) == moment.replace(
        microsecond=moment.microsecond // 1000 * 1000
    )


def test_format_timestamp_refuses_naive():
    for _ in range(2):  # every time: a refusal is not remembered as an answer
        with pytest.raises(ValueError):
            format_timestamp(datetime(2025, 9, 24, 10, 0))


def test_one_moment_in_any_zone_is_one_text_and_moments_apart_are_not():
    """Texts are remembered by moment: the same moment given in another zone is the same
    text, and a moment a millisecond later is its own."""
    ist = timezone(timedelta(hours=5, minutes=30))
    first = datetime(2031, 2, 3, 15, 30, tzinfo=ist)
    assert format_timestamp(first) == "2031-02-03T10:00:00.000Z"
    assert format_timestamp(first.astimezone(UTC)) == "2031-02-03T10:00:00.000Z"
    later = first + timedelta(milliseconds=1)
    assert format_timestamp(later.astimezone(timezone(-timedelta(hours=4)))) == (
        "2031-02-03T10:00:00.001Z"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15S", timedelta(seconds=15)),
        ("15s", timedelta(seconds=15)),
        ("10M", timedelta(minutes=10)),
        ("2H", timedelta(hours=2)),
        ("1D", timedelta(days=1)),
        ("30", timedelta(seconds=30)),
        ("PT15S", timedelta(seconds=15)),
        ("PT10M", timedelta(minutes=10)),
        ("PT30S", timedelta(seconds=30)),
        ("P1D", timedelta(days=1)),
        ("P1W", timedelta(weeks=1)),
        ("P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        ("PT1H0M5S", timedelta(hours=1, seconds=5)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT1,5M", timedelta(seconds=90)),
        ("pt10m", timedelta(minutes=10)),
        (" PT10M ", timedelta(minutes=10)),
        ("PT0S", timedelta(0)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "P", "PT", "P1DT", "P1M", "P1Y", "P1Y2M3D", "-PT1S", "PT-1S", "15 S", "S", "1X", "PT1D"],
)
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(seconds=15), "PT15S"),
        (timedelta(minutes=10), "PT10M"),
        (timedelta(hours=1, seconds=5), "PT1H5S"),
        (timedelta(days=1), "P1D"),
        (timedelta(days=1, hours=2, minutes=30), "P1DT2H30M"),
        (timedelta(milliseconds=500), "PT0.5S"),
        (timedelta(seconds=10, microseconds=250), "PT10.00025S"),
    ],
)
def test_format_duration_round_trips(span, expected):
    assert format_duration(span) == expected
    assert parse_duration(expected) == span


def test_format_duration_refuses_negative():
    with pytest.raises(ValueError):
        format_duration(timedelta(seconds=-1))
