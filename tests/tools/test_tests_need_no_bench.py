"""The suite depends on nothing in bench/: scenario generators, fuzzers and fault rigs that
tests use live in tests/support/, which the benchmarks import (never the other way)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def bench_imports(folder: Path) -> list[str]:
    """Every `import bench...` / `from bench... import` in the Python files under `folder`,
    as "path:line: module"."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name == "bench" or name.startswith("bench."):
                    found.append(f"{path.relative_to(folder.parent)}:{node.lineno}: {name}")
    return found


def test_no_test_module_imports_bench():
    assert bench_imports(TESTS) == []


def test_the_check_sees_every_form_of_import(tmp_path):
    folder = tmp_path / "tests"
    folder.mkdir()
    (folder / "a.py").write_text(
        "import bench.soak\nfrom bench import flood\nfrom bench.fuzz import x\n"
        "def f():\n    import bench\n"
        "import benchmarks\nfrom tests.support import procs\nfrom . import bench\n"
    )
    assert bench_imports(folder) == [
        "tests/a.py:1: bench.soak",
        "tests/a.py:2: bench",
        "tests/a.py:3: bench.fuzz",
        "tests/a.py:5: bench",
    ]
