"""tools/type_ignores.py: every `# type: ignore` in the type-checked code names its error
code and gives its reason."""

from __future__ import annotations

from tools.type_ignores import ROOT, checked_files, problems_in

SAMPLE = """\
a = f()  # type: ignore
b = f()  # type: ignore[arg-type]
c = f()  # type: ignore[arg-type]  # the stubs type it as str
# django-stubs types a nullable id as not nullable
d = g(
    x=1,  # type: ignore[misc]
)
e = 1
f = 2  # type:ignore[attr-defined]
"""


def test_bare_and_unexplained_ignores_are_named():
    assert problems_in(SAMPLE, "x.py") == [
        "x.py:1: `# type: ignore` without an error code",
        "x.py:2: `# type: ignore[arg-type]` gives no reason "
        "(`# type: ignore[code]  # why`, or a comment on the line above)",
        "x.py:9: `# type: ignore[attr-defined]` gives no reason "
        "(`# type: ignore[code]  # why`, or a comment on the line above)",
    ]


def test_the_project_explains_every_ignore():
    files = checked_files()
    assert ROOT / "pricing" / "engine" / "__init__.py" in files
    assert not any("tests/" in str(f.relative_to(ROOT)) for f in files)
    problems = [p for f in files for p in problems_in(f.read_text(), str(f.relative_to(ROOT)))]
    assert problems == []
