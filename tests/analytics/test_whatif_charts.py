"""The what-if result's charts as data (analytics.services.whatif.report.charts): every
axis says what it measures and its unit, and the per-station chart lists only stations
where the run changed something, the rest of many summed as one bar."""

from __future__ import annotations

import pytest

from analytics.services.whatif.report import STATIONS_SHOWN, charts


def station(code: str, discount: str = "0", net: str = "0") -> dict[str, str]:
    return {"station": code, "discount_cost": discount, "net_change": net}


def day(date: str) -> dict[str, str]:
    return {"date": date, "discount_cost": "10", "surge_change": "0", "net_change": "-4"}


def result(stations: list[dict[str, str]]) -> dict:
    return {"days": [day("2025-03-03"), day("2025-03-04")], "stations": stations}


def by_id(specs: list[dict]) -> dict[str, dict]:
    return {spec["id"]: spec for spec in specs}


def test_every_axis_says_what_it_measures_and_its_unit():
    specs = by_id(charts(result([station("st-1", "5", "-2")])))
    days, stations = specs["whatif-days"], specs["whatif-stations"]
    assert days["axes"]["x"] == "Day"
    money = {"y": "Discount, surge change", "y1": "Net revenue change"}
    for axis, words in money.items():
        title = " ".join(days["axes"][axis])
        assert words in title and "₹" in title
    # both value axes are in rupees: their titles must tell them apart
    assert days["axes"]["y"] != days["axes"]["y1"]
    assert stations["axes"]["y"] == "Station"
    assert "₹" in stations["axes"]["x"] and "net revenue change" in stations["axes"]["x"]
    # each dataset sits on an axis that has a title
    for spec in specs.values():
        for ds in spec["datasets"]:
            assert ds.get("axis", "y") in spec["axes"] or spec.get("horizontal")


def test_only_stations_with_a_value_are_listed():
    rows = [station(f"st-{n:02d}") for n in range(36)]
    rows[3] = station("st-03", "120.50", "-80")
    rows[20] = station("st-20", "0", "15")
    stations = by_id(charts(result(rows)))["whatif-stations"]
    assert stations["labels"] == ["st-03", "st-20"]  # largest change first
    discount, net = (ds["data"] for ds in stations["datasets"])
    assert discount == [120.5, 0] and net == [-80, 15]


def test_many_stations_keep_the_largest_and_sum_the_rest_as_others():
    rows = [station(f"st-{n:02d}", str(n + 1), "-1") for n in range(30)]
    stations = by_id(charts(result(rows)))["whatif-stations"]
    labels = stations["labels"]
    assert len(labels) == STATIONS_SHOWN
    kept = STATIONS_SHOWN - 1
    assert labels[:kept] == [f"st-{n:02d}" for n in range(29, 29 - kept, -1)]
    assert labels[-1] == f"{30 - kept} other stations"
    discount, net = (ds["data"] for ds in stations["datasets"])
    assert sum(discount) == sum(range(1, 31))  # nothing lost in the grouping
    assert net[-1] == -(30 - kept)


def test_a_run_that_changed_no_station_draws_no_station_chart():
    stations = by_id(charts(result([station("st-1"), station("st-2")])))["whatif-stations"]
    assert stations["labels"] == []


def test_a_chart_without_a_title_for_an_axis_it_draws_is_refused():
    from analytics.services.tables import chart

    line = {"label": "Sessions", "data": [1, 2]}
    money = {"label": "Revenue", "data": [3, 4], "axis": "y1"}
    with pytest.raises(ValueError, match="no title for its axis y1"):
        chart("c", "bar", ["a", "b"], [line, money], axes={"x": "Day", "y": "Sessions"})
    with pytest.raises(ValueError, match="no title for its axis x, y"):
        chart("c", "bar", ["a", "b"], [line], horizontal=True)
    drawn = chart("c", "bar", ["a", "b"], [line, money], axes={"x": "Day", "y": "n", "y1": "₹"})
    assert drawn["axes"]["y1"] == "₹"
