"""The rollup tables that the incremental rollup mostly updates (DailyRollup, HourlyRollup,
HourlyPeriod) keep room on each page (fillfactor), so that an update can put the new row
version on the same page without touching any index (a HOT update). PostgreSQL only.
Pages written before this keep no room until the table is rewritten (VACUUM FULL, or a
rebuild with `rollup_backfill`)."""

from django.db import migrations

TABLES = ("analytics_dailyrollup", "analytics_hourlyrollup", "analytics_hourlyperiod")
FILLFACTOR = 70


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0010_rollup_tables_without_operator_date_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
