"""The hourly rollup and its blocks and months gained the channel the sessions came by.
The rows so far hold every channel together and cannot be split, so the rollups are
emptied and the cursors reset: the next run of the rollup task (or `rollup_backfill`)
rebuilds them from the ledger and the sessions without offers, channel by channel."""

import django.db.models.functions.comparison
from django.db import migrations, models


TABLES = (
    "DailyRollup", "HourlyRollup", "HourlyPeriod", "DailyCustomer", "CellCustomer",
    "CustomerSet", "CustomerSetMonth", "OfferDaily", "StationDaily", "ChannelDaily",
    "OfferScopeDaily", "OfferScope",
)  # fmt: skip


def roll_up_again(apps, schema_editor):
    for name in TABLES:
        apps.get_model("analytics", name).objects.all().delete()
    apps.get_model("analytics", "RollupCursor").objects.update(last_id=0, pending_gaps=[])


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0014_session_channel'),
        ('cpo_portal', '0005_chunked_jobs'),
    ]

    operations = [
        migrations.RunPython(roll_up_again, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='hourlyperiod',
            name='one_hourly_period_row',
        ),
        migrations.RemoveConstraint(
            model_name='hourlyrollup',
            name='one_hourly_rollup_per_cell',
        ),
        migrations.AddField(
            model_name='hourlyperiod',
            name='channel',
            field=models.CharField(choices=[('beckn', 'Beckn'), ('roaming', 'OCPI roaming'), ('own_app', 'Own app'), ('other', 'Other')], default='beckn', max_length=8),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='hourlyrollup',
            name='channel',
            field=models.CharField(choices=[('beckn', 'Beckn'), ('roaming', 'OCPI roaming'), ('own_app', 'Own app'), ('other', 'Other')], default='beckn', max_length=8),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name='hourlyperiod',
            constraint=models.UniqueConstraint(models.F('operator'), models.F('grain'), models.F('start'), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), models.F('weekend'), models.F('hour'), models.F('channel'), name='one_hourly_period_row'),
        ),
        migrations.AddConstraint(
            model_name='hourlyrollup',
            constraint=models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), models.F('hour'), models.F('channel'), name='one_hourly_rollup_per_cell'),
        ),
    ]
