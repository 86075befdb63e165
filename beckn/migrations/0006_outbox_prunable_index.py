from django.db import migrations, models

from beckn.migrations._operations import AddIndexWhileWriting


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("beckn", "0005_inbound_waiting_index"),
    ]

    operations = [
        AddIndexWhileWriting(
            model_name="outbox",
            index=models.Index(
                condition=models.Q(
                    ("order__isnull", True),
                    ("state__in", ["delivered", "expired", "rejected", "undeliverable"]),
                ),
                fields=["expires_at"],
                name="outbox_prunable_idx",
            ),
        ),
    ]
