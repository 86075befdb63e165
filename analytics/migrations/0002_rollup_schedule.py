"""The rollup's beat schedule, as a django-celery-beat PeriodicTask: every 10 minutes.

Created once; an administrator may change the interval, disable it or run it from the
admin (Periodic tasks), and a later migrate never overwrites those edits.
"""

from django.db import migrations

TASK = "offers.analytics.tasks.rollup_ledger"
NAME = "Analytics: roll up the redemption ledger"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.create(
        name=NAME,
        task=TASK,
        interval=every,
        enabled=True,
        description="Incremental and idempotent: rebuilds the days touched by new ledger rows.",
    )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=TASK, name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
