"""List every import cycle between the project's modules, and fail if there is one.

import-linter's acyclic_siblings contract (pyproject.toml) checks the children of each
package against each other; this also catches a cycle through a package's own
`__init__` (a module importing the package that imports it). The graph is grimp's, the
one import-linter builds: imports inside functions and under TYPE_CHECKING count too.

    python tools/import_cycles.py      # run from the checkout; `make lint` runs it
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

PACKAGES = ("cpo_portal", "pricing", "offers", "beckn", "analytics", "roaming")


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    nodes = sorted(m for m in graph.modules if m.split(".")[0] in PACKAGES)
    edges = {
        m: sorted(x for x in graph.find_modules_directly_imported_by(m) if x in graph.modules)
        for m in nodes
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges.get(target, ()))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return found


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    found = cycles(graph)
    for group in found:
        members = set(group)
        print(f"import cycle between {len(group)} modules:")
        for module in group:
            for imported in sorted(graph.find_modules_directly_imported_by(module) & members):
                lines = graph.get_import_details(importer=module, imported=imported)
                where = ", ".join(str(d["line_number"]) for d in lines)
                print(f"  {module} -> {imported} (line {where})")
    print(f"{len(found)} import cycles in {', '.join(PACKAGES)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
