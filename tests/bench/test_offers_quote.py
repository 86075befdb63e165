"""The offers quote benchmark runs, and its indexed path prices exactly like the naive scan."""

from __future__ import annotations

from bench import offers_quote


def test_indexed_quotes_equal_the_naive_scan(capsys):
    figures = offers_quote.main(count=40, offers=200, surges=50)
    assert figures["differ"] == 0
    assert figures["median_us"] > 0 and figures["naive_median_us"] > 0
    assert "200 active offers, 50 surge rules" in capsys.readouterr().out
