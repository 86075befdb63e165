"""No code reaches into the private attributes of the libraries (`make lint`).

Flagged: an attribute access `x._name` (one leading underscore, not a dunder), and
`getattr` / `setattr` / `hasattr` / `delattr` with a constant `"_name"`, unless

- `_name` is one of ours: defined somewhere in the checked code (a function, class or
  module-level name, a class attribute, or `self._name = ...` / `cls._name = ...` in a
  method), and `x` is not a module imported from outside the project;
- `_name` is a documented public API despite its underscore (`DOCUMENTED`, with where it
  is documented);
- the file and name are in `ALLOWED`, with the reason (kept empty: use the public API).

So `super()._check_values(...)` in a form field, `admin.site._registry` or
`queryset._raw_delete(...)` fail, while `self._lock` on our own class passes. Checked:
the project's production code, bench/, tools/ and the tests (tests/, bench/tests/), not
the migrations.

    python tools/private_attributes.py      # run from the checkout; `make lint` runs it
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: tools/ is on the path, not the checkout
    sys.path.insert(0, str(ROOT))

from tools.type_ignores import checked_files  # noqa: E402  # the path is set just above

# Underscore names the libraries document as public.
DOCUMENTED = {
    "_meta": "Django: Model._meta, the Model _meta API (ref/models/meta)",
    "_default_manager": "Django: Model._default_manager (topics/db/managers)",
    "_base_manager": "Django: Model._base_manager (topics/db/managers)",
    "_state": "Django: Model._state, ModelState (ref/models/instances, Other attributes)",
    "_replace": "Python: namedtuple._replace (library/collections)",
    "_asdict": "Python: namedtuple._asdict (library/collections)",
    "_fields": "Python: namedtuple._fields (library/collections)",
    "_make": "Python: namedtuple._make (library/collections)",
    "_exit": "Python: os._exit, how a forked child ends (library/os, Process Management)",
}

# (path relative to the checkout, attribute) -> why there is no public way. Keep it empty.
ALLOWED: dict[tuple[str, str], str] = {
    # kombu's virtual transport is written by implementing these (kombu.transport.virtual
    # .Channel: "_get", "_put", ... are the methods a transport provides).
    ("cpo_portal/background/embedded_broker.py", "_put"): "kombu's virtual transport interface",
    ("cpo_portal/background/embedded_broker.py", "_get"): "kombu's virtual transport interface",
}

ATTR_FUNCTIONS = {"getattr", "setattr", "hasattr", "delattr"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def project_packages(root: Path = ROOT) -> set[str]:
    """Top-level names importable from the checkout (our apps, bench, tools)."""
    names = {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    return names | {p.stem for p in root.glob("*.py")} | {"tools", "bench", "tests"}


def defined_names(tree: ast.AST) -> set[str]:
    """Underscore names this module defines: the names the project owns."""
    found: set[str] = set()

    def add_target(target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            found.add(target.id)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            if target.value.id in {"self", "cls"}:
                found.add(target.attr)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                add_target(element)

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                add_target(target)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            add_target(node.target)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[0])
    return {name for name in found if is_private(name)}


def foreign_modules(tree: ast.AST, ours: set[str]) -> set[str]:
    """Local names bound to modules (or objects) imported from outside the project."""
    foreign: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in ours:
                    foreign.add(alias.asname or alias.name.split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] not in ours
        ):
            foreign.update(alias.asname or alias.name for alias in node.names)
    return foreign


def imported_paths(tree: ast.AST) -> dict[str, str]:
    """Local name -> the dotted path it was imported as."""
    paths: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                paths[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                paths[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return paths


def resolve(expr: ast.expr, paths: dict[str, str], foreign: set[str]) -> object | None:
    """The library class a base-class expression names (None if ours or not importable)."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.insert(0, expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or expr.id not in foreign or expr.id not in paths:
        return None
    dotted = ".".join([paths[expr.id], *parts]).split(".")
    for cut in range(len(dotted), 0, -1):
        try:
            found: object = importlib.import_module(".".join(dotted[:cut]))
        except Exception:  # noqa: S112  # not a module at this depth (or needs setup): go up
            continue
        try:
            for name in dotted[cut:]:
                found = getattr(found, name)
        except AttributeError:
            return None
        return found
    return None


def overrides(tree: ast.AST, foreign: set[str]) -> Iterable[tuple[int, str]]:
    """(line, name) for each private method of a library base class that a class of ours
    overrides or calls through `super()`."""
    paths = imported_paths(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [resolve(base, paths, foreign) for base in node.bases]
        library = [base for base in bases if base is not None]
        if not library:
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                name, line = inner.name, inner.lineno
            elif (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Call)
                and isinstance(inner.value.func, ast.Name)
                and inner.value.func.id == "super"
            ):
                name, line = inner.attr, inner.lineno
            else:
                continue
            if is_private(name) and any(hasattr(base, name) for base in library):
                yield line, name


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def accesses(tree: ast.AST) -> Iterable[tuple[int, ast.expr, str]]:
    """(line, object, attribute) for every private attribute named in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            yield node.lineno, node.value, node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ATTR_FUNCTIONS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
        ):
            yield node.lineno, node.args[0], node.args[1].value
        elif isinstance(node, ast.Subscript | ast.Call) and (key := _dict_key(node)):
            yield node.lineno, key[0], key[1]


def _dict_key(node: ast.Subscript | ast.Call) -> tuple[ast.expr, str] | None:
    """`x.__dict__["_name"]` or `x.__dict__.get("_name")` (also pop, setdefault): the
    attribute reached through the instance's dict, as (x, "_name")."""
    if isinstance(node, ast.Subscript):
        holder, key = node.value, node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"get", "pop", "setdefault"}
        and node.args
    ):
        holder, key = node.func.value, node.args[0]
    else:
        return None
    if (
        isinstance(holder, ast.Attribute)
        and holder.attr == "__dict__"
        and isinstance(key, ast.Constant)
        and isinstance(key.value, str)
        and is_private(key.value)
    ):
        return holder.value, key.value
    return None


def problems_in(
    text: str, name: str = "<text>", owned: set[str] | None = None, ours: set[str] | None = None
) -> list[str]:
    """The private accesses in one module; `owned` is every underscore name the project
    defines (by default, those this module defines)."""
    tree = ast.parse(text)
    owned = defined_names(tree) if owned is None else owned
    foreign = foreign_modules(tree, project_packages() if ours is None else ours)
    found = []
    for line, obj, attr in accesses(tree):
        if attr in DOCUMENTED or (name, attr) in ALLOWED:
            continue
        if attr in owned and root_name(obj) not in foreign:
            continue
        found.append((line, f"`.{attr}` is private to a library"))
    for line, attr in overrides(tree, foreign):
        if attr not in DOCUMENTED and (name, attr) not in ALLOWED:
            found.append((line, f"`{attr}` overrides a private method of a library class"))
    return [
        f"{name}:{line}: {what}; use its public API "
        "(or list it in tools/private_attributes.py ALLOWED with the reason)"
        for line, what in sorted(set(found))
    ]


def checked(root: Path = ROOT) -> list[Path]:
    """The files checked: every Python file of the checkout, tests included, but migrations."""
    return checked_files(root, tests=True)


def _is_test(path: Path) -> bool:
    return path.relative_to(ROOT).parts[:1] == ("tests",) or path.is_relative_to(
        ROOT / "bench" / "tests"
    )


def problems_of(texts: dict[Path, str]) -> list[str]:
    """The problems of these files (path under ROOT: its text), each judged against the
    names the project defines: a name the tests define is theirs to use, never a cover
    for the product's code."""
    trees = {path: ast.parse(text) for path, text in texts.items()}
    product = set().union(*(defined_names(t) for p, t in trees.items() if not _is_test(p)))
    owned = product.union(*(defined_names(t) for p, t in trees.items() if _is_test(p)))
    ours = project_packages()
    return [
        problem
        for path, text in texts.items()
        for problem in problems_in(
            text, str(path.relative_to(ROOT)), owned if _is_test(path) else product, ours
        )
    ]


def main() -> int:
    found = problems_of({path: path.read_text() for path in checked()})
    for problem in found:
        print(problem)
    print(f"{len(found)} private attribute accesses to libraries")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
