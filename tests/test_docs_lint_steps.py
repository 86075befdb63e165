"""The README names every step `make lint` runs, and no step it does not run: a check added
to the Makefile and not to the prose (or the other way round) fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the words the README uses for the steps that are commands, not the project's own tools
NAMED = {"ruff": "ruff", "lint-imports": "import-linter", "mypy": "mypy"}


def recipe(target: str) -> list[str]:
    """The command lines of a Makefile target."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        commands.append(line.strip())
    return commands


def lint_steps() -> set[str]:
    """What each command of `make lint` (lint-quick and typecheck) runs, as the README
    would name it: a tool of ours by its path, a command by its name."""
    prereqs = next(
        line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("lint:")
    )
    steps = set()
    for target in prereqs.split(":", 1)[1].split():
        for command in recipe(target):
            tool = re.search(r"(tools/\w+\.py)", command)
            if tool:
                steps.add(tool.group(1))
                continue
            binary = re.search(r"/bin/([\w-]+)", command)
            assert binary, command
            steps.add(NAMED[binary.group(1)])
    return steps


def readme_sentence() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("`make lint` (")
    return text[start : text.index(")", text.index("mypy", start))]


def test_the_readme_names_every_lint_step():
    sentence = readme_sentence()
    steps = lint_steps()
    assert steps >= {"ruff", "import-linter", "mypy"}
    assert [step for step in sorted(steps) if step not in sentence] == []


def test_the_readme_names_no_tool_that_make_lint_does_not_run():
    named = set(re.findall(r"tools/\w+\.py", readme_sentence()))
    assert named and named <= lint_steps()
