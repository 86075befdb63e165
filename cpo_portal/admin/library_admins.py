"""The libraries' own admins, mended where they raised instead of saying what was wrong.

django-celery-beat's schedules and periodic tasks:
- a crontab field Celery cannot read ("-1"): the library's own check lets it through, and
  its `human_readable` then raised Celery's ParseException while the form was shown again
  (as the beat scheduler would have, on the saved row);
- a custom task name the form refuses (one holding NUL): the form's `clean` read the
  missing value and raised KeyError.

django-axes' sign-in attempts: "Clean up expired attempts" raised AttributeError on every
use, reading the request's attempt time, which axes sets only on a sign-in.
"""

from __future__ import annotations

from typing import Any

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from celery import schedules
from django import forms
from django.contrib import admin
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import CrontabSchedule, PeriodicTask

CRON_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
UNREADABLE = "Celery cannot read this schedule; correct the fields marked."


class CrontabForm(forms.ModelForm):
    class Meta:
        model = CrontabSchedule
        fields = (*CRON_FIELDS, "timezone")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        for name in CRON_FIELDS:
            try:
                schedules.crontab(**{name: data.get(name, "*")})
            except (schedules.ParseException, ValueError) as exc:
                self.add_error(name, f"Celery cannot read it: {exc}.")
        return data


class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    form = CrontabForm

    @admin.display(description="Human readable")
    def human_readable(self, obj: CrontabSchedule) -> str:
        try:
            return str(obj.human_readable)
        except (schedules.ParseException, ValueError):
            return UNREADABLE


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    def clean(self) -> dict[str, Any]:
        if "task" not in self.cleaned_data:  # refused: its own error says why
            return self.cleaned_data
        return super().clean()


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = PeriodicTaskForm


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.action(description="Clean up expired attempts")
    def cleanup_expired_attempts(self, request: Any, queryset: Any) -> None:
        AxesProxyHandler.update_request(request)  # the attempt time axes reads, as at a sign-in
        super().cleanup_expired_attempts(request, queryset)


MENDED = (
    (CrontabSchedule, CrontabScheduleAdmin),
    (PeriodicTask, PeriodicTaskAdmin),
    (AccessAttempt, AccessAttemptAdmin),
)
for model, model_admin in MENDED:
    if admin.site.is_registered(model):  # (axes' admin can be turned off: AXES_ENABLE_ADMIN)
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
