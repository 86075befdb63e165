"""The search loop at a tiny size: each timed search is answered with its catalog."""

from __future__ import annotations

import json

import pytest

from beckn.models import Outbox
from beckn.services import outbox
from bench.on_search_world import Scenario, seed
from bench.search_loop import PARTS, network, timed, timed_parts

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_every_timed_search_is_answered_with_the_city_s_chargers(monkeypatch):
    monkeypatch.setattr(outbox, "_queue", lambda rows: None)
    seed(Scenario(0, 20, 5))
    scenario = network("0")
    assert scenario.chargers == 20
    spent = timed(scenario, 3)
    assert len(spent) == 3 and all(ms > 0 for ms in spent)
    answers = Outbox.objects.filter(action="on_search").order_by("pk")
    assert answers.count() == 10 + 3  # the warm-up's and the timed ones
    for row in answers:
        providers = json.loads(row.payload)["message"]["catalog"]["providers"]
        assert sum(len(p["items"]) for p in providers) == 20


def test_the_parts_of_the_timed_answers_add_up_within_their_cpu(monkeypatch):
    monkeypatch.setattr(outbox, "_queue", lambda rows: None)
    seed(Scenario(0, 20, 5))
    parts: dict[str, float] = {}
    with timed_parts(parts):
        spent = timed(network("0"), 3, parts)
    assert list(parts) == [label for label, _, _ in PARTS]
    assert all(ms > 0 for ms in parts.values()), parts
    whole = parts["taking the message"] + parts["the search handler"] + parts["writing the reply"]
    assert whole <= sum(spent)
    assert parts["  laying the catalog out"] <= parts["the search handler"]
    writing = list(parts)[list(parts).index("writing the reply") + 1 :]
    assert len(writing) == 3 and all(label.startswith("  ") for label in writing)
    assert sum(parts[label] for label in writing) <= parts["writing the reply"]
    from beckn import processing

    assert processing._written.__name__ == "_written"  # put back once closed
