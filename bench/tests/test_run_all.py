"""bench/run_all.py: every script runs; missing, failing and overrunning ones are reported."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "bench" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["run_all"]


MAIN = '\nif __name__ == "__main__":\n    main()\n'


@pytest.fixture
def bench(tmp_path):
    """A bench package like ours: scripts (with a __main__ guard) and a shared helper."""
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "__init__.py").write_text("")
    (bench / "scenario.py").write_text("FIGURE = 1234\n")  # a helper, never run
    (bench / "quote.py").write_text(
        "from bench.scenario import FIGURE\ndef main():\n    print(f'quotes/s: {FIGURE}')" + MAIN
    )
    (bench / "extra.py").write_text("def main():\n    print('found by discovery')" + MAIN)
    (bench / "broken.py").write_text(
        "def main():\n    print('half')\n    raise SystemExit(3)" + MAIN
    )
    (bench / "slow.py").write_text(
        "import time\ndef main():\n    print('started', flush=True)\n    time.sleep(60)" + MAIN
    )
    (bench / "tidy.py").write_text(
        "import signal, sys, time\n"
        "def main():\n"
        "    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))\n"
        "    try:\n        print('started', flush=True)\n        time.sleep(60)\n"
        "    finally:\n        print('workers stopped', flush=True)" + MAIN
    )
    (bench / "_private.py").write_text("def main():\n    raise SystemExit('never run')" + MAIN)
    (bench / "run_all.py").write_text("def main():\n    raise SystemExit('not itself')" + MAIN)
    return bench


def test_discovery_skips_itself_and_private_modules(runner, bench):
    assert runner.discover(bench) == ["broken.py", "extra.py", "quote.py", "slow.py", "tidy.py"]


def test_main_reports_every_outcome(runner, bench, capsys, monkeypatch):
    monkeypatch.setattr(runner, "EXPECTED", {"quote.py": "quotes", "dashboard.py": "rows"})
    out = bench / "results" / "summary.md"
    started = time.monotonic()
    code = runner.main(["--dir", str(bench), "--timeout", "3", "--out", str(out)])
    assert time.monotonic() - started < 30  # the slow one was cut off
    assert code == 1  # something failed
    text = out.read_text()
    assert text == capsys.readouterr().out.removesuffix("\n")
    rows = {line.split(" | ")[0][2:]: line for line in text.splitlines() if line.startswith("| ")}
    assert "| not present |" in rows["dashboard.py"]
    assert "| quotes | ok |" in rows["quote.py"]
    assert "| failed (exit 3) |" in rows["broken.py"]
    assert "| timed out after 3 s | 3.0 |" in rows["slow.py"]
    assert "| ok |" in rows["extra.py"]
    assert "## quote.py: ok\n\n```text\nquotes/s: 1234\n```" in text
    assert "## slow.py: timed out after 3 s\n\n```text\nstarted\n```" in text
    # a timed-out script is stopped with SIGTERM first, so it can stop its own children
    assert "## tidy.py: timed out after 3 s\n\n```text\nstarted\nworkers stopped\n```" in text
    assert "half" in text
    assert "never run" not in text and "not itself" not in text
    # each script's whole output beside the summary, named after the run's start
    (quote_output,) = (bench / "results").glob("*-quote.txt")
    assert quote_output.read_text() == "quotes/s: 1234\n"
    assert quote_output.name[:10] == text.split("\n")[2][:10]  # the date the summary gives
    assert not list((bench / "results").glob("*-dashboard.txt"))  # not present: no output


def test_summary_names_machine_and_load(runner):
    result = runner.Result("x.py", "ok", 1.0, "figure", load="0.5 to 1.2")
    text = runner.summary([result])
    assert f"{os.cpu_count()} CPUs" in text.splitlines()[2]
    assert "| x.py |  | ok | 1.0 | 0.5 to 1.2 |" in text


def test_all_ok_or_absent_is_success(runner, bench, capsys):
    out = bench / "summary.md"
    code = runner.main(["--dir", str(bench), "--only", "quote.py", "gone.py", "--out", str(out)])
    assert code == 0
    assert "| gone.py |  | not present |  |" in out.read_text()


def test_long_output_keeps_the_tail(runner):
    lines = "\n".join(f"line {number}" for number in range(100))
    result = runner.Result("x.py", "ok", 1.0, lines)
    text = runner.summary([result])
    assert "... (40 earlier lines left out)\nline 40\n" in text
    assert "line 99\n```" in text
    assert "line 39\n" not in text
