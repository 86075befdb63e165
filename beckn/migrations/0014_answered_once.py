from django.db import migrations, models
from django.db.models import Count


def number_the_parts(apps, schema_editor):
    """The callbacks already answering one message in several parts, numbered in the
    order they were written (the others stay part 0)."""
    Outbox = apps.get_model("beckn", "Outbox")
    rows = Outbox.objects.using(schema_editor.connection.alias)
    several = rows.values("inbound").annotate(n=Count("id")).filter(inbound__isnull=False, n__gt=1)
    for inbound in several.values_list("inbound", flat=True):
        for part, pk in enumerate(
            rows.filter(inbound=inbound).order_by("pk").values_list("pk", flat=True)
        ):
            rows.filter(pk=pk).update(part=part)


class Migration(migrations.Migration):
    dependencies = [
        ("beckn", "0013_registry_version_stamp"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaloutbox",
            name="part",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="outbox",
            name="part",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(number_the_parts, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="outbox",
            constraint=models.UniqueConstraint(
                fields=("inbound", "part"), name="one_answer_per_message"
            ),
        ),
    ]
