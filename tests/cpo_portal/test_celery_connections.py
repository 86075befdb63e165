"""A Celery worker keeps its database connection from task to task, as a web process does
from request to request (CONN_MAX_AGE): Celery's Django fixup, which a worker installs,
would close it after every task, and a new PostgreSQL connection costs more than a small
task. A connection an error left unusable is still replaced before the next task."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import connection

from cpo_portal.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Task:
    request = SimpleNamespace(is_eager=False)


TASK = Task()


def run_a_task(fixup: DjangoWorkerFixup) -> None:
    """What a worker does around a task: the fixup's handlers and the signals."""
    fixup.on_task_prerun(TASK)
    task_prerun.send(sender=TASK, task_id="t", task=TASK)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    fixup.on_task_postrun(TASK)
    task_postrun.send(sender=TASK, task_id="t", task=TASK)


def test_a_worker_keeps_its_connection_between_tasks():
    fixup = DjangoWorkerFixup(app)
    # A fresh connection: one an earlier test of this process left broken (a server-side
    # terminate) is rightly replaced before the first task, which is not what this checks.
    connection.close()
    connection.ensure_connection()
    first = connection.connection
    for _ in range(20):
        run_a_task(fixup)
        assert connection.connection is first  # not closed, not reopened


def test_a_connection_left_unusable_is_replaced_before_the_next_task():
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection
    first.close()  # the server went away under it
    connection.errors_occurred = True  # as after the error a task met
    run_a_task(fixup)
    assert connection.connection is not first and not connection.connection.closed


def test_an_eager_task_leaves_its_callers_connection_alone():
    """Run in its caller (tests, eager mode), maybe inside its transaction: even a
    connection past its CONN_MAX_AGE is the caller's to close."""

    class EagerTask:
        request = SimpleNamespace(is_eager=True)

    connection.ensure_connection()
    first = connection.connection
    connection.close_at = 0  # long past its age
    task_prerun.send(sender=EagerTask(), task_id="t", task=EagerTask())
    task_postrun.send(sender=EagerTask(), task_id="t", task=EagerTask())
    assert connection.connection is first
