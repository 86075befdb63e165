"""An offer's uses (the rollups' `redemptions`) are its settled redemptions
(offers.services.uses), no longer its confirmed orders: the tables are emptied and the
cursors reset, so the next run of the rollup task (or `rollup_backfill`) rebuilds them
from the ledger."""

from django.db import migrations

TABLES = (
    "DailyRollup", "HourlyRollup", "HourlyPeriod", "DailyCustomer", "CellCustomer",
    "CustomerSet", "CustomerSetMonth", "OfferDaily", "StationDaily", "ChannelDaily",
    "OfferScopeDaily", "OfferScope",
)  # fmt: skip


def forwards(apps, schema_editor):
    for name in TABLES:
        apps.get_model("analytics", name).objects.all().delete()
    apps.get_model("analytics", "RollupCursor").objects.update(last_id=0, pending_gaps=[])


class Migration(migrations.Migration):
    dependencies = [("analytics", "0015_hourly_rollups_by_channel")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
