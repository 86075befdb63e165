"""Hostile Beckn requests (a fixed-seed slice of bench/fuzz.py), 1.1 and 2.0: never a 5xx,
every refusal a NACK with a BECKN-005 code, every ACKed message processed into a callback
valid against its version's schema, and replays answered as duplicates."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings

from tests.fuzz.conftest import CASES, failures_text
from tests.support.fuzz.cases import beckn_shots
from tests.support.fuzz.cases_v2 import beckn_v2_shots
from tests.support.fuzz.run import report
from tests.support.fuzz.schema import schema_shots


def run(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def fire_all(target, shots, examples: int) -> None:
    """Fire `examples` shots drawn from `shots`; none may fail."""

    @run(examples)
    @given(shot=shots)
    def fire(shot):
        target.fire(shot)

    fire()
    print(report(target, 0))
    assert target.failures == [], failures_text(target)


def test_hostile_beckn_messages(target):
    fire_all(target, beckn_shots(target.world), CASES)
    answers = target.tally
    # the run reached every stage: ACKs processed into callbacks, refusals of each kind
    assert answers["ACK"] >= CASES // 10, answers
    assert sum(n for k, n in answers.items() if k.startswith("NACK 401 30016")) > 0, answers
    assert sum(n for k, n in answers.items() if k.startswith("NACK 400 30000")) > 0, answers
    assert sum(n for k, n in answers.items() if k.startswith("NACK 413")) > 0, answers
    assert answers["replay: ACK, no second row"] > 0, answers
    assert sum(target.processed.values()) >= answers["ACK"]


def test_schemathesis_cases_from_the_core_schema(target):
    """Positive and negative cases for the ten request endpoints, context laid over ours."""

    fire_all(target, schema_shots(target.world), max(CASES // 3, 20))
    assert target.tally["ACK"] > 0, target.tally


def test_hostile_beckn_2_0_messages(target):
    """2.0 requests (tests/support/fuzz/cases_v2.py) on shared transactions, each at one
    charger: a select may be followed by an init and a confirm, an order by status, update
    and cancel."""

    fire_all(target, beckn_v2_shots(target.world), CASES)
    answers, callbacks = target.tally, target.processed
    assert answers["ACK (2.0)"] >= CASES // 10, answers
    assert sum(n for k, n in answers.items() if k.startswith("NACK (2.0) 400")) > 0, answers
    assert sum(n for k, n in answers.items() if k.startswith("NACK (2.0) 401")) > 0, answers
    assert sum(callbacks.values()) >= answers["ACK (2.0)"], callbacks
    # the run went past the first step of the journey: quotes were held and init and
    # confirm answered (tests/beckn/test_v2_flow.py walks whole journeys step by step)
    assert callbacks["callback on_select (2.0) ok"] > 0, callbacks
    assert any(k.startswith("callback on_init (2.0)") for k in callbacks), callbacks
    assert any(k.startswith("callback on_confirm (2.0)") for k in callbacks), callbacks
