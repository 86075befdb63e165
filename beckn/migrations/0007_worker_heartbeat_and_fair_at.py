import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("beckn", "0006_outbox_prunable_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("host", models.CharField(help_text="The Celery worker's node name.", max_length=255)),
                ("pid", models.PositiveIntegerField()),
                ("pool", models.CharField(help_text="prefork, gevent, solo, threads, ...", max_length=32)),
                ("consumer", models.BooleanField(default=False, help_text="The process that takes task messages from the broker (a prefork pool process answers only what it is handed): a live one is a live worker host.")),
                ("beat_at", models.DateTimeField()),
                ("answered", models.PositiveBigIntegerField(default=0, help_text="Messages answered in all.")),
                ("drain_rate", models.FloatField(default=0.0, help_text="Messages this process answers per second while busy, recently (0: not measured yet).")),
            ],
            options={
                "indexes": [models.Index(fields=["beat_at"], name="heartbeat_beat_at_idx")],
                "constraints": [models.UniqueConstraint(fields=("host", "pid"), name="one_heartbeat_per_process")],
            },
        ),
        # existing rows take the migration's moment as their turn: answered or not, they
        # come before anything accepted after it
        migrations.AddField(
            model_name="inboundmessage",
            name="fair_at",
            field=models.DateTimeField(default=django.utils.timezone.now, help_text="Its turn: arrival + its BAP's waiting messages / the drain rate (services.admission). Workers answer open messages in this order."),
        ),
    ]
