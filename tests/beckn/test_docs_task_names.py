"""A task the docs call by `<module>.<task>.delay` is a task of that module: the name
resolves to a Celery task, so a reader can find it."""

from __future__ import annotations

import importlib
import re

import pytest
from celery import Task

from tests.security.helpers import ROOT

CALLED = re.compile(r"`([\w.]+)\.delay`")
NAMES = sorted(
    {name for doc in (ROOT / "docs").glob("*.md") for name in CALLED.findall(doc.read_text())}
)


def test_the_docs_call_tasks_by_name():
    assert "beckn.tasks.process_inbound" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_task_called_in_the_docs_is_one(name):
    module, _, attribute = name.rpartition(".")
    try:
        task = getattr(importlib.import_module(module), attribute, None)
    except ModuleNotFoundError:
        task = None
    assert isinstance(task, Task), f"{name} names no task"
