"""How fresh the dashboards' figures are: when the rollup last ran, and how often beat runs
it (its django-celery-beat schedule, editable in the admin). One sentence, shown by every
dashboard; sessions stored since then (a settled order, an imported CDR) count from the
next run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from analytics.models import RollupCursor
from analytics.services.rollup import SOURCES, TASK_NAME


@dataclass(frozen=True, slots=True)
class Freshness:
    rolled_up_at: dt.datetime | None  # the last run that read every source; None: never
    every: str | None  # beat's schedule in words ("10 minutes"); None: not scheduled

    @property
    def sentence(self) -> str:
        when = (
            "Figures not rolled up yet"
            if self.rolled_up_at is None
            else "Figures as of "
            + timezone.localtime(self.rolled_up_at).strftime("%-d %b %Y, %H:%M %Z")
        )
        then = (
            f"; sessions since then count from the next rollup (every {self.every})."
            if self.every
            else "; the rollup is not scheduled (django-celery-beat: periodic tasks)."
        )
        return when + then


def freshness() -> Freshness:
    """When every source of the rollups was last read, and beat's interval for it."""
    runs = RollupCursor.objects.filter(name__in=list(SOURCES)).aggregate(oldest=Min("last_run_at"))
    task = (
        PeriodicTask.objects.filter(task=TASK_NAME, enabled=True).select_related("interval").first()
    )
    every = None
    if task is not None and task.interval is not None:
        every = f"{task.interval.every} {task.interval.period}"
        if task.interval.every == 1:
            every = every.rstrip("s")
    return Freshness(runs["oldest"], every)
