"""The sessions without offers and the what-if runs store region codes in one spelling,
as the offer ledger does since offers 0025. When a rollup table holds a region code
spelled otherwise, the rollups were built from rows spelled the old way: the tables are
emptied and the cursors reset, so the next run of the rollup task (or `rollup_backfill`)
rebuilds them from the respelled rows. With every code already spelled, they stay."""

import cpo_portal.db.regions
from django.db import migrations

from cpo_portal.db.regions import respell_stored, respellings

TABLES = (
    "DailyRollup", "HourlyRollup", "HourlyPeriod", "DailyCustomer", "CellCustomer",
    "CustomerSet", "CustomerSetMonth", "OfferDaily", "StationDaily", "ChannelDaily",
    "OfferScopeDaily", "OfferScope",
)  # fmt: skip


def rebuild_rollups_spelled_otherwise(apps, schema_editor):
    tables = [apps.get_model("analytics", name) for name in TABLES]
    with_codes = [t for t in tables if any(f.name == "region_code" for f in t._meta.fields)]
    if not any(respellings(t.objects.all(), "region_code") for t in with_codes):
        return
    for table in tables:
        table.objects.all().delete()
    apps.get_model("analytics", "RollupCursor").objects.update(last_id=0, pending_gaps=[])


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0020_sessions_in_the_operators_currency'),
        ('offers', '0025_ledger_region_codes_one_spelling'),
    ]

    operations = [
        migrations.AlterField(
            model_name='nooffersession',
            name='region_code',
            field=cpo_portal.db.regions.RegionCodeField(blank=True, max_length=16),
        ),
        respell_stored('analytics', 'nooffersession', 'region_code'),
        respell_stored('analytics', 'whatifrun', 'region_codes', many=True),
        migrations.RunPython(rebuild_rollups_spelled_otherwise, migrations.RunPython.noop),
    ]
