"""The docs name only what exists: paths, dotted names, functions with their parameters,
management commands and make targets (tools/doc_names.py)."""

from __future__ import annotations

import pytest

from tools.doc_names import ROOT, Checker, Project, docs, names_in


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(Project(ROOT))


def test_every_name_in_the_docs_resolves(checker):
    problems = checker.check(docs())
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("offers.signals.session_settled", "does not import"),
        ("offers/analytics/services/filters.py", "does not exist"),
        ("services/nowhere.py", "is the end of no file's path"),
        ("pricing.engine.price_nothing(a)", "does not resolve"),
        (
            "offers.rules.composition.compose(session, everything)",
            "lists everything, not parameters",
        ),
        ("manage.py seed_everything", "management command `seed_everything`"),
        ("make everything", "make target `everything`"),
        ("OfferIndexer", "defined and used nowhere"),
    ],
)
def test_drift_is_named(checker, name, why):
    assert why in (checker.why_wrong(name) or "")


@pytest.mark.parametrize(
    "name",
    [
        "offers/events.py",
        "services/redisclient.py",
        "offers.rules.composition.compose",
        "offers.Redemption",  # a model
        "beckn.deliver",  # a Celery task's name
        "beckn.W001",  # a system check
        "compile_book(...)",
        "manage.py seed_demo --no-progress",
        "make test",
        "context.bap_id",  # a JSON path: not checked
        "F()",  # Django's, used by the project
        "PeriodicTask",
    ],
)
def test_what_exists_passes(checker, name):
    assert checker.why_wrong(name) is None


def test_a_partial_parameter_list_says_so(checker):
    signature = "pricing.engine.ocpi.calculate.calculate"
    assert "lists 1 of" in checker.why_wrong(f"{signature}(tariff)")
    assert checker.why_wrong(f"{signature}(tariff, ...)") is None


def test_names_come_from_back_quotes_and_commands_in_code_blocks():
    text = "See `a.b` and `c`.\n\n```\n$ python manage.py quote --kwh 5\nplain `x`\n```\n"
    assert list(names_in(text)) == [
        (4, "$ python manage.py quote --kwh 5", True),
        (1, "a.b", False),
        (1, "c", False),
    ]
