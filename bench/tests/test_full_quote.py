"""The whole-quote benchmark runs, and its fast path quotes exactly like the naive path."""

from __future__ import annotations

from bench import full_quote


def test_fast_quotes_equal_the_naive_path(capsys):
    figures = full_quote.main(count=40, offers_count=200, surge_count=50)
    assert figures["identical"] == 40  # the script stops at the first quote that differs
    assert 0 < figures["median_us"] < figures["naive_median_us"]
    out = capsys.readouterr().out
    assert "40 sessions; 50 surge rules" in out and "200 live offers" in out
    assert "quotes identical on the fast, explain, scan and naive paths: 40 of 40" in out
