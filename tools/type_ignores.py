"""Every `# type: ignore` names its error code and says why (`make lint`).

Accepted: `x = f()  # type: ignore[arg-type]  # the stubs type it as str`, or the reason in
a comment on the line just above the statement's first line. Refused: a bare
`# type: ignore`, and one with a code but no reason anywhere. Checked: every Python file
mypy checks (the project, bench/ and tools/; not tests/ nor migrations).

    python tools/type_ignores.py      # run from the checkout; `make lint` runs it
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(.*)$")
REASON = re.compile(r"^\s*#\s*\S")


def problems_in(text: str, name: str = "<text>") -> list[str]:
    lines = text.splitlines()
    statements = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.stmt)
    ]
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        match = IGNORE.search(token.string) if token.type == tokenize.COMMENT else None
        if not match:
            continue
        line = token.start[0]
        code, rest = match.group(1), match.group(2)
        if not code:
            found.append(f"{name}:{line}: `# type: ignore` without an error code")
            continue
        # the innermost statement around the comment; the reason may stand above it
        first = max((s for s, e in statements if s <= line <= e), default=line)
        above = lines[first - 2].strip() if first > 1 else ""
        if not REASON.match(rest) and not above.startswith("#"):
            found.append(
                f"{name}:{line}: `# type: ignore{code}` gives no reason "
                "(`# type: ignore[code]  # why`, or a comment on the line above)"
            )
    return found


def checked_files(root: Path = ROOT, tests: bool = False) -> list[Path]:
    """The project's Python files but migrations; tests/ and bench/tests/ only if `tests`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [
        root / name
        for name in listed
        if (tests or not name.startswith(("tests/", "bench/tests/")))
        and "/migrations/" not in name
        and (root / name).exists()
    ]


def main() -> int:
    found = [
        problem
        for path in checked_files()
        for problem in problems_in(path.read_text(), str(path.relative_to(ROOT)))
    ]
    for problem in found:
        print(problem)
    print(f"{len(found)} `# type: ignore` without a code or a reason")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
