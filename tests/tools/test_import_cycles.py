"""tools/import_cycles.py finds every cycle, including one through a package's __init__."""

from __future__ import annotations

import grimp

from tools.import_cycles import cycles


def graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    built = grimp.ImportGraph()
    for importer, imported in imports:
        built.add_import(importer=importer, imported=imported)
    return built


def test_cycles_between_modules_and_through_an_init_are_found():
    found = cycles(
        graph(
            ("beckn.tasks", "beckn.services.processing"),
            ("beckn.services.processing", "beckn.services.outbox"),
            ("beckn.services.outbox", "beckn.tasks"),
            ("offers.models", "offers.models.offer"),  # the package's __init__
            ("offers.models.offer", "offers.models"),
            ("offers.services.quoting", "pricing.engine"),  # no cycle
            ("django.db", "offers.models"),  # outside the project: ignored
        )
    )
    assert sorted(found) == [
        ["beckn.services.outbox", "beckn.services.processing", "beckn.tasks"],
        ["offers.models", "offers.models.offer"],
    ]


def test_an_acyclic_graph_has_none():
    assert cycles(graph(("offers.a", "pricing.b"), ("offers.c", "offers.a"))) == []
