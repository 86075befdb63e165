"""The rollups gained a fact count (DailyRollup.facts), per-cell customers and daily
customer sets, and count an order's rows across days: the tables are emptied and the
cursors reset, so the next run of the rollup task (or `rollup_backfill`) rebuilds them
from the ledger."""

from django.db import migrations

TABLES = (
    "DailyRollup", "HourlyRollup", "DailyCustomer", "CellCustomer", "CustomerSet",
    "OfferDaily", "StationDaily", "OfferScopeDaily", "OfferScope",
)  # fmt: skip


def forwards(apps, schema_editor):
    for name in TABLES:
        apps.get_model("analytics", name).objects.all().delete()
    apps.get_model("analytics", "RollupCursor").objects.update(last_id=0, pending_gaps=[])


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_customer_sets")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
