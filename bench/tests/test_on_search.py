"""The on_search benchmark at a tiny size: it runs, and its figures block reads back."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from beckn import conf
from beckn.services import outbox
from bench.on_search import Searcher, measure
from bench.on_search_compare import record_times
from bench.on_search_report import print_figures
from bench.on_search_world import Scenario, seed

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
ROW = re.compile(
    r"^\| (\d+) chargers, (\d+) offers \| (\d+) / (\d+) \((\d+)\) \| [\d.]+ / [\d.]+ "
    r"\| [\d.]+ / [\d.]+ \([\d.]+\) \| \d+ KiB \| (\d+) \| \d+ KiB \| (\d+) \| (\d+) "
    r"\| (\d+) \| (valid|INVALID) \|$"
)


def test_figures_block_parses_and_queries_do_not_grow(monkeypatch, capsys, settings):
    monkeypatch.setattr(outbox, "_queue", lambda pks: None)
    # The registry memo's version check (one SELECT per process at most every
    # BECKN_REGISTRY_CHECK_MS) must not land inside one of the counted searches.
    settings.BECKN_REGISTRY_CHECK_MS = 60_000
    scenarios = [Scenario(0, 20, 5), Scenario(1, 60, 15)]  # both operators in each
    for scenario in scenarios:
        seed(scenario)
    searcher = Searcher()
    results = [measure(searcher, scenario, runs=1) for scenario in scenarios]
    capsys.readouterr()
    print_figures(results, SimpleNamespace(runs=1), conf.get("BECKN_MAX_CATALOG_ITEMS"))
    out = capsys.readouterr().out
    block = out.split("=== on_search figures ===", 1)[1]
    rows = [m.groups() for m in map(ROW.match, block.splitlines()) if m]
    assert [(r[0], r[1], r[5], r[6], r[9]) for r in rows] == [
        ("20", "5", "1", "20", "valid"),
        ("60", "15", "1", "60", "valid"),
    ]
    # Warm, the queries are the same at both sizes, and the handler sends none: the
    # published catalog's stamps read last are trusted (BECKN_REGISTRY_CHECK_MS). (Cold,
    # each operator's provider is built first, with a fixed number of queries per
    # operator the search reaches.)
    assert rows[0][3:5] == rows[1][3:5]
    assert rows[0][3:5] == ("2", "0")  # the take and the answer, no transaction around them
    assert "load average:" in block


def test_record_times_reads_back():
    scenario = Scenario(0, 20, 5)
    seed(scenario)
    line = record_times(scenario)
    edit = r"edit [\d.]+ ms CPU \(\d+ changes\)"
    assert re.fullmatch(
        rf"change record, 20 chargers, 5 offers: offer {edit}; tariff {edit}; charger {edit}; "
        r"nothing moved [\d.]+ ms CPU",
        line,
    ), line
