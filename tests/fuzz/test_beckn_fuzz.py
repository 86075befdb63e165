"""Hostile Beckn requests (a fixed-seed slice of bench/fuzz.py): never a 5xx, every refusal
a NACK with a BECKN-005 code, every ACKed message processed into a valid callback, and
replays answered as duplicates."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import CASES, failures_text
from tests.support.fuzz.cases import beckn_shots
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


def test_hostile_beckn_messages(target):
    @run(CASES)
    @given(shot=beckn_shots(target.world))
    def fire(shot):
        target.fire(shot)

    fire()
    print(report(target, 0))
    assert target.failures == [], failures_text(target)
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

    @run(max(CASES // 3, 20))
    @given(shot=schema_shots(target.world), data=st.data())
    def fire(shot, data):
        target.fire(shot)

    fire()
    print(report(target, 0))
    assert target.failures == [], failures_text(target)
    assert target.tally["ACK"] > 0, target.tally
