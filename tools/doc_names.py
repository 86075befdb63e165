"""Every name the docs give in back-quotes still names something (tests/tools/test_doc_names.py).

A reader follows a doc's `offers/events.py`, `offers.rules.composition.compose`,
`compile_book(tariff, surges)` or `manage.py quote` into the code; when
the code moves and the doc does not, the reader is lost. This lists, for docs/*.md and
README.md, every back-quoted name that no longer resolves:

- a path under one of the project's folders (`beckn/services/intake.py`, `bench/results/`)
  exists; a shorter one (`services/redisclient.py`, `windows.py`) is the end of a file's path;
- a dotted name starting with a project package (`offers.rules.composition.compose`) imports and
  its attributes resolve; failing that it is a registered Celery task (`beckn.deliver`), a
  model (`offers.Redemption`) or a system check id (`beckn.W001`) the code raises;
- a shorter dotted name (`ledger.reverse`, `SessionAsk.explain`) resolves from some project
  module whose name ends with its first part, or from a project class of that name;
- a call (`name(a, b)`) names a function or class that exists, and the parameters it lists
  are the signature's, all of them unless the list says `...`;
- a CamelCase name (`OfferIndex`) is defined in the project;
- `manage.py <command>` (also in code blocks) is a management command, `make <target>` a
  target of the Makefile.

Plain words (`status`, `amount`, `kwh`) are not checked: they are fields, JSON keys and
values as often as code. Run it with Django set up: the test does.

    python -m pytest tests/tools/test_doc_names.py
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib
import inspect
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analytics", "beckn", "cpo_portal", "offers", "pricing", "roaming")
FOLDERS = (*PACKAGES, "bench", "tests", "tools", "docs", "templates", "static", ".ci")
IDENT = r"[A-Za-z_]\w*"
DOTTED = re.compile(rf"^{IDENT}(?:\.{IDENT})+$")
CALL = re.compile(rf"^({IDENT}(?:\.{IDENT})*)\((.*)\)$")
CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")
PATH = re.compile(r"^[\w.\-]+(?:/[\w.\-]+)*/?$")
COMMAND = re.compile(r"manage\.py\s+([a-z_]+)")
MAKE = re.compile(r"(?:^|\s)make\s+([a-z][\w-]*)")
CHECK_ID = re.compile(r"^[a-z_]+\.[CEIW]\d{3}$")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
TICKS = re.compile(r"`((?:[^`\n]|\n(?!\s*\n))+)`")  # may wrap, never over a blank line


@dataclass(frozen=True)
class Problem:
    doc: str
    line: int
    name: str
    why: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: `{self.name}` {self.why}"


def docs(root: Path = ROOT) -> list[Path]:
    return [*sorted((root / "docs").glob("*.md")), root / "README.md"]


def names_in(text: str) -> Iterator[tuple[int, str, bool]]:
    """(line, name, in a code block) for every back-quoted name outside code blocks and every
    `manage.py`/`make` command line inside them."""
    blocks = [(m.start(), m.end()) for m in FENCE.finditer(text)]

    def line_of(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    for start, end in blocks:
        for number, line in enumerate(text[start:end].splitlines()):
            if COMMAND.search(line) or MAKE.search(line):
                yield line_of(start) + number, line.strip(), True
    for match in TICKS.finditer(text):
        if not any(start <= match.start() < end for start, end in blocks):
            yield line_of(match.start()), " ".join(match.group(1).split()), False


class Project:
    """What the names are checked against: the files, modules, classes, commands, targets."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root

    @cached_property
    def files(self) -> list[str]:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [f for f in listed.splitlines() if (self.root / f).exists()]

    @cached_property
    def modules(self) -> list[str]:
        found = []
        for name in self.files:
            if (
                name.endswith(".py")
                and name.split("/")[0] in PACKAGES
                and "/migrations/" not in name
            ):
                dotted = name[: -len(".py")].replace("/", ".")
                found.append(dotted.removesuffix(".__init__"))
        return found

    @cached_property
    def definitions(self) -> dict[str, list[str]]:
        """Top-level and class-level names defined in the project's modules: name -> modules."""
        names: dict[str, list[str]] = {}
        for module in self.modules:
            path = self.root / (module.replace(".", "/") + ".py")
            if not path.exists():
                path = self.root / module.replace(".", "/") / "__init__.py"
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    names.setdefault(node.name, []).append(module)
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            names.setdefault(target.id, []).append(module)
        return names

    @cached_property
    def source(self) -> str:
        return "\n".join(
            (self.root / f).read_text(errors="replace")
            for f in self.files
            if f.endswith(".py") and f.split("/")[0] in PACKAGES
        )

    @cached_property
    def identifiers(self) -> set[str]:
        """Every word of the project's code, schemas and templates: what the project defines
        or uses (a library's `PeriodicTask`, the Beckn schema's `TagGroup`)."""
        kinds = (".py", ".yaml", ".json", ".html", ".js")
        text = "\n".join(
            (self.root / f).read_text(errors="replace")
            for f in self.files
            if f.endswith(kinds) and f.split("/")[0] in PACKAGES
        )
        return set(re.findall(r"[A-Za-z_]\w*", text))

    @cached_property
    def commands(self) -> set[str]:
        from django.core.management import get_commands

        return set(get_commands())

    @cached_property
    def tasks(self) -> set[str]:
        from celery import current_app

        current_app.loader.import_default_modules()
        return set(current_app.tasks)

    @cached_property
    def targets(self) -> set[str]:
        makefile = (self.root / "Makefile").read_text()
        return {
            target
            for line in re.findall(r"^([\w .-]+):(?!=)", makefile, re.M)
            for target in line.split()
        }


def _resolve(dotted: str) -> Any:
    """The object a fully qualified dotted name names; LookupError if none."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            found = _attribute(found, part)
        return found
    raise LookupError(dotted)


def _attribute(owner: Any, name: str) -> Any:
    if hasattr(owner, name):
        return getattr(owner, name)
    if inspect.isclass(owner):
        if dataclasses.is_dataclass(owner) and name in {f.name for f in dataclasses.fields(owner)}:
            return dataclasses.MISSING
        if name in getattr(owner, "__annotations__", {}):
            return dataclasses.MISSING
    raise LookupError(name)


class Checker:
    def __init__(self, project: Project | None = None) -> None:
        self.project = project or Project()

    def check(self, paths: Iterable[Path]) -> list[Problem]:
        problems = []
        for path in paths:
            doc = str(path.relative_to(self.project.root))
            for line, name, in_block in names_in(path.read_text()):
                why = self.why_wrong(name, in_block)
                if why:
                    problems.append(Problem(doc, line, name, why))
        return problems

    def why_wrong(self, name: str, in_block: bool = False) -> str | None:
        command, target = COMMAND.search(name), MAKE.search(name)
        if command or in_block:
            if command and command.group(1) not in self.project.commands:
                return f"names a management command `{command.group(1)}` that does not exist"
            if target and target.group(1) not in self.project.targets:
                return f"names a make target `{target.group(1)}` that the Makefile lacks"
            return None
        if target and name.startswith(("make ", "PORT=")):
            if target.group(1) not in self.project.targets:
                return f"names a make target `{target.group(1)}` that the Makefile lacks"
            return None
        call = CALL.match(name)
        if call:
            return self.call(call.group(1), call.group(2))
        if "/" in name and PATH.match(name) and not name.startswith("/"):
            return self.path(name)
        if name.endswith(".py") and PATH.match(name):
            return self.path(name)
        if DOTTED.match(name):
            return self.dotted(name)
        if CAMEL.match(name) and name not in self.project.identifiers:
            return "is defined and used nowhere in the project"
        return None

    def path(self, name: str) -> str | None:
        first = name.split("/")[0]
        if first in FOLDERS and (self.project.root / name).exists():
            return None
        if first not in FOLDERS and not name.endswith(".py"):
            return None  # a URL path or a runtime folder (var/), not a file of the project
        tail = name if name.startswith("/") else "/" + name
        if any(("/" + f).endswith(tail) for f in self.project.files):
            return None
        return "does not exist" if first in FOLDERS else "is the end of no file's path"

    def candidates(self, dotted: str) -> list[str]:
        """Fully qualified names a (maybe shortened) dotted name may stand for."""
        first, _, rest = dotted.partition(".")
        if first in PACKAGES or first in ("bench", "tests", "tools"):
            return [dotted]
        found = [
            f"{m}.{rest}" if rest else m for m in self.project.modules if m.endswith("." + first)
        ]
        found += [f"{m}.{dotted}" for m in self.project.definitions.get(first, [])]
        return found

    def lookup(self, dotted: str) -> Any:
        for candidate in self.candidates(dotted):
            try:
                return _resolve(candidate)
            except LookupError:
                continue
        raise LookupError(dotted)

    def dotted(self, name: str) -> str | None:
        first = name.split(".")[0]
        if first not in PACKAGES and first not in ("bench", "tests", "tools"):
            return None  # shortened, a JSON path or another library's (`context.bap_id`)
        try:
            self.lookup(name)
            return None
        except LookupError:
            pass
        task, _, method = name.rpartition(".")
        if name in self.project.tasks or (task in self.project.tasks and method == "delay"):
            return None
        if CHECK_ID.match(name):
            return None if f'"{name}"' in self.project.source else "is a check id never raised"
        if name.count(".") == 1:
            from django.apps import apps

            try:
                apps.get_model(name)
                return None
            except (LookupError, ValueError):
                pass
        return "does not import, and is no Celery task or model"

    def call(self, function: str, listed: str) -> str | None:
        targets = self.callables(function)
        if targets is None:
            return None  # another library's or the database's function (`F()`, `COUNT(...)`)
        if not targets:
            return f"names `{function}`, which does not resolve"
        reasons = [self.signature_wrong(function, target, listed) for target in targets]
        return None if None in reasons else reasons[0]

    def callables(self, function: str) -> list[Any] | None:
        """What `function` may name (several: a bare name defined in several modules), [] if
        it is the project's and resolves to nothing, None if it is not the project's."""
        first = function.split(".")[0]
        if "." not in function:
            if function in self.project.definitions:
                return self.bare(function)
            if function.isupper() or function in self.project.identifiers:
                return None
            return []
        ours = first in PACKAGES or first in ("bench", "tests", "tools")
        if not ours and not self.candidates(function):
            return None if self.importable(first) or first in self.project.identifiers else []
        found = []
        for candidate in self.candidates(function):
            try:
                found.append(_resolve(candidate))
            except LookupError:
                continue
        if not found and self.importable(first) and first not in PACKAGES:
            with contextlib.suppress(LookupError):
                found.append(_resolve(function))
        return found

    @staticmethod
    def importable(name: str) -> bool:
        try:
            importlib.import_module(name)
        except ImportError:
            return False
        return True

    def signature_wrong(self, function: str, target: Any, listed: str) -> str | None:
        if target is dataclasses.MISSING or not callable(target):
            return None
        try:
            signature = inspect.signature(target)
        except (TypeError, ValueError):
            return None
        wanted = [
            p.name
            for p in signature.parameters.values()
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        items = [item.strip() for item in _split(listed) if item.strip() not in ("", "*", "/")]
        names = [item.split("=")[0].strip() for item in items]
        plain = [n for n in names if re.fullmatch(IDENT, n)]
        unknown = [n for n in plain if n not in wanted]
        if unknown:
            return f"lists {', '.join(unknown)}, not parameters of {function}{signature}"
        # A list with a value, an expression or `...` in it is an example, not the signature.
        partial = not items or len(plain) < len(names) or any("=" in item for item in items)
        if not partial and len(plain) < len(wanted):
            missing = [n for n in wanted if n not in plain]
            return (
                f"lists {len(plain)} of {function}'s {len(wanted)} parameters "
                f"(missing {', '.join(missing)}; write `...` for a partial list)"
            )
        return None

    def bare(self, function: str) -> list[Any]:
        found = []
        for module in self.project.definitions.get(function, []):
            try:
                found.append(_resolve(f"{module}.{function}"))
            except LookupError:
                # defined inside a class or a function: it exists; no signature to compare
                found.append(dataclasses.MISSING)
        return found


def _split(listed: str) -> list[str]:
    """Top-level comma-separated items of an argument list (nested brackets kept whole)."""
    items, depth, current = [], 0, ""
    for char in listed:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return items
