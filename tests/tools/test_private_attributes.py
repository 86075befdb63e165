"""tools/private_attributes.py: no code reaches into the private attributes of Django,
psycopg, Celery, kombu, redis-py (or any other library)."""

from __future__ import annotations

from tools.private_attributes import ROOT, checked, main, problems_in, problems_of

SAMPLE = """\
from django import forms
from django.contrib import admin
import redis


class Ours:
    def __init__(self):
        self._lock = None

    def _helper(self):
        return self._lock


class Field(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        return super()._check_values(value)


def use(model, client: redis.Redis, ours: Ours):
    admin.site._registry[model]
    getattr(client, "_pool")
    model._meta.label, model._default_manager, model._state.adding
    ours._helper()
    return redis._lock
"""


def test_private_accesses_to_libraries_are_named():
    found = problems_in(SAMPLE, "x.py", ours={"offers"})
    lines = [problem.split(":")[1] for problem in found]
    assert lines == ["15", "16", "20", "21", "24"]
    assert "`._registry` is private to a library" in found[2]
    assert "`_check_values` overrides a private method" in found[0]


def test_a_private_attribute_reached_through_the_instance_dict_is_named():
    text = (
        "def patch(field, at):\n"
        "    saved = field.__dict__.get('_get_default')\n"
        "    field.__dict__['_get_default'] = lambda: at\n"
        "    field.__dict__.pop('_get_default', None)\n"
        "    return field.__dict__['name'], saved\n"
    )
    found = problems_in(text, "x.py", ours={"offers"})
    assert [problem.split(":")[1] for problem in found] == ["2", "3", "4"]
    assert all("`._get_default` is private" in problem for problem in found)


def test_our_own_underscore_names_and_the_documented_ones_pass():
    ours = "\n".join(SAMPLE.splitlines()[:12])
    text = ours + "\ndef f(m):\n    return m._meta, Ours()._helper()\n"
    assert problems_in(text, "x.py", ours={"offers"}) == []


def test_the_project_touches_no_private_attribute_of_a_library(capsys):
    files = checked()
    assert ROOT / "beckn" / "views.py" in files
    assert ROOT / "bench" / "beckn_ack.py" in files
    assert ROOT / "tests" / "conftest.py" in files
    assert ROOT / "bench" / "tests" / "conftest.py" in files
    assert not any("/migrations/" in str(f) for f in files)
    assert main() == 0, capsys.readouterr().out


def test_a_name_the_tests_define_covers_only_the_tests():
    use = "def f(client):\n    return client._hidden\n"
    found = problems_of(
        {
            ROOT / "beckn" / "x.py": use,
            ROOT / "tests" / "t.py": "def _hidden():\n    pass\n\n\n" + use,
        }
    )
    assert [problem.split(":")[0] for problem in found] == ["beckn/x.py"]
