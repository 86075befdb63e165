"""The Celery application. Broker and schedule come from Django settings (CELERY_*).

Database connections in a worker follow Django's own rule, as in a web process: each task
is a request for `close_old_connections` (CONN_MAX_AGE, CONN_HEALTH_CHECKS, a connection
left broken by an error), so a worker keeps its PostgreSQL connection from task to task.
Celery's Django fixup would otherwise close every connection after each task, and a new
connection costs both sides more CPU than answering a small batch of messages; settings
sets CELERY_DB_REUSE_MAX so that the fixup only recycles it now and then."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")

app = Celery("cpo_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(weak=False)
@task_postrun.connect(weak=False)
def _connections_as_for_a_request(sender: Any = None, **_: Any) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run inside its caller, maybe in its transaction (tests, eager mode)
    from django.db import close_old_connections

    close_old_connections()
