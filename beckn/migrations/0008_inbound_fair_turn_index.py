from django.db import migrations, models

from beckn.migrations._operations import AddIndexWhileWriting, RemoveIndexWhileWriting


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("beckn", "0007_worker_heartbeat_and_fair_at"),
    ]

    # the new index first: claims read one index or the other at every moment
    operations = [
        AddIndexWhileWriting(
            model_name="inboundmessage",
            index=models.Index(
                condition=models.Q(("state__in", ["received", "processing"])),
                fields=["fair_at", "id"],
                name="inbound_fair_turn_idx",
            ),
        ),
        RemoveIndexWhileWriting(model_name="inboundmessage", name="inbound_waiting_idx"),
    ]
