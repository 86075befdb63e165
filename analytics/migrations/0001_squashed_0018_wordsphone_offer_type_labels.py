"""Every migration of analytics up to 0018_wordsphone_offer_type_labels, as one: what a new database is made with (the
ones it replaces stay for a database made before)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models


# analytics 0002: the rollup's beat schedule (a django-celery-beat PeriodicTask, every 10
# minutes), created once
TASK = "offers.analytics.tasks.rollup_ledger"
NAME = "Analytics: roll up the redemption ledger"
# analytics 0011: the rollup tables the incremental rollup mostly updates keep room on each
# page, so that an update can be HOT (PostgreSQL only)
TABLES = ("analytics_dailyrollup", "analytics_hourlyrollup", "analytics_hourlyperiod")
FILLFACTOR = 70


def create_schedule(apps, schema_editor):
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


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=TASK, name=NAME).delete()


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def reset_room(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):

    replaces = [
        ('analytics', '0001_initial'),
        ('analytics', '0002_rollup_schedule'),
        ('analytics', '0003_incremental_deltas'),
        ('analytics', '0004_customer_sets'),
        ('analytics', '0005_roll_up_again'),
        ('analytics', '0006_hourly_periods'),
        ('analytics', '0007_customer_set_months'),
        ('analytics', '0008_derived_tables_without_fk_constraints'),
        ('analytics', '0009_derived_tables_without_redundant_fk_indexes'),
        ('analytics', '0010_rollup_tables_without_operator_date_indexes'),
        ('analytics', '0011_rollup_tables_leave_room_for_updates'),
        ('analytics', '0012_whatif_runs'),
        ('analytics', '0013_whatif_presented_share'),
        ('analytics', '0014_session_channel'),
        ('analytics', '0015_hourly_rollups_by_channel'),
        ('analytics', '0016_counts_uses_are_settled'),
        ('analytics', '0017_cds_fees'),
        ('analytics', '0018_wordsphone_offer_type_labels'),
    ]

    initial = True

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('cpo_portal', '0001_squashed_0010_station_stamp'),
        ('offers', '0001_squashed_0018_catalog_stamp_is_a_cpo_portal_stamp'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=64, unique=True)),
            ],
        ),
        migrations.CreateModel(
            name='RollupCursor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40, unique=True)),
                ('last_id', models.BigIntegerField(default=0)),
                ('pending_gaps', models.JSONField(blank=True, default=list, help_text='[[first id, last id, first seen (ISO)], ...]')),
                ('runs', models.PositiveIntegerField(default=0)),
                ('last_run_at', models.DateTimeField(blank=True, null=True)),
                ('last_duration_ms', models.PositiveIntegerField(default=0)),
                ('last_rows', models.PositiveIntegerField(default=0, verbose_name='ledger rows read last run')),
                ('last_partitions', models.PositiveIntegerField(default=0, verbose_name='partitions rebuilt last run')),
            ],
        ),
        migrations.CreateModel(
            name='ChannelDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('energy_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy (kWh)')),
                ('gross_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='gross revenue (pre-tax, before discounts)')),
                ('discount_cost', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount cost (settled)')),
                ('surge_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='surge revenue')),
                ('net_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='net revenue (pre-tax, after discounts)')),
                ('tax', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='tax')),
                ('redemptions', models.PositiveIntegerField(default=0)),
                ('reversals', models.PositiveIntegerField(default=0)),
                ('recovered_discount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount recovered by reversals')),
                ('held_out_sessions', models.PositiveIntegerField(default=0)),
                ('date', models.DateField()),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('channel', models.CharField(choices=[('beckn', 'Beckn'), ('roaming', 'OCPI roaming'), ('own_app', 'Own app'), ('other', 'Other')], max_length=8)),
                ('facts', models.PositiveIntegerField(default=0, editable=False, help_text='Kept by the incremental rollup: a row whose count falls to 0 goes.', verbose_name='ledger rows counted in this row')),
                ('operator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), models.F('channel'), name='one_channel_daily_row')],
            },
        ),
        migrations.CreateModel(
            name='CellCustomer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('hour_band', models.CharField(max_length=8)),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('operator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
                ('customer', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='analytics.customerkey')),
            ],
            options={
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('offer', models.Value(0)), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), models.F('hour_band'), models.F('customer'), name='one_cell_customer_row')],
            },
        ),
        migrations.CreateModel(
            name='CustomerSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('held_out', models.BooleanField(default=False)),
                ('members', models.BinaryField()),
                ('revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='gross revenue (pre-tax, before discounts)')),
                ('discount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount')),
                ('date', models.DateField()),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('operator', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('offer', models.Value(0)), models.F('held_out'), name='one_customer_set')],
            },
        ),
        migrations.CreateModel(
            name='CustomerSetMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('held_out', models.BooleanField(default=False)),
                ('members', models.BinaryField()),
                ('revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='gross revenue (pre-tax, before discounts)')),
                ('discount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount')),
                ('month', models.DateField(help_text='Its first day.')),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('operator', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('month'), django.db.models.functions.comparison.Coalesce('offer', models.Value(0)), models.F('held_out'), name='one_customer_set_month')],
            },
        ),
        migrations.CreateModel(
            name='DailyCustomer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('offer_type', models.CharField(blank=True, max_length=32)),
                ('held_out', models.BooleanField(default=False)),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='gross revenue (pre-tax, before discounts)')),
                ('discount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount')),
                ('customer', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='analytics.customerkey')),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('operator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'indexes': [models.Index(fields=['operator', 'offer', 'date', 'held_out', 'customer'], name='customer_operator_offer')],
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), django.db.models.functions.comparison.Coalesce('offer', models.Value(0)), models.F('held_out'), models.F('customer'), name='one_daily_customer_row')],
            },
        ),
        migrations.CreateModel(
            name='DailyRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('energy_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy (kWh)')),
                ('gross_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='gross revenue (pre-tax, before discounts)')),
                ('discount_cost', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount cost (settled)')),
                ('surge_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='surge revenue')),
                ('net_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='net revenue (pre-tax, after discounts)')),
                ('tax', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='tax')),
                ('redemptions', models.PositiveIntegerField(default=0)),
                ('reversals', models.PositiveIntegerField(default=0)),
                ('recovered_discount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount recovered by reversals')),
                ('held_out_sessions', models.PositiveIntegerField(default=0)),
                ('date', models.DateField()),
                ('offer_type', models.CharField(blank=True, choices=[('HAPPY_HOUR', 'Happy hour'), ('WEEKEND_SPECIAL', 'Weekend special'), ('HOLIDAY_PROMOTION', 'Holiday promotion'), ('EARLY_BIRD', 'Early bird'), ('NIGHT_CHARGING', 'Night charging'), ('BULK_CHARGING', 'Bulk charging'), ('MONTHLY_PACKAGE', 'Monthly package'), ('PREPAID_CREDIT', 'Prepaid credit'), ('FAMILY_PLAN', 'Family plan'), ('MEMBER_EXCLUSIVE', 'Member exclusive'), ('TIER_PRICING', 'Tier-based pricing'), ('REFERRAL_BONUS', 'Referral bonus'), ('ANNIVERSARY_REWARD', 'Anniversary reward'), ('NEW_STATION_LAUNCH', 'New station launch'), ('HIGHWAY_SPECIAL', 'Highway special'), ('URBAN_RURAL', 'Urban / rural pricing'), ('REGIONAL_PROMOTION', 'Regional promotion'), ('BUY_X_GET_Y', 'Buy X get Y'), ('ENERGY_TRADE', 'Energy trade'), ('OTHER', 'Other')], max_length=32, verbose_name='DEG offer type')),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('hour_band', models.CharField(choices=[('night', 'Night (00:00-06:00)'), ('morning', 'Morning (06:00-11:00)'), ('midday', 'Midday (11:00-17:00)'), ('peak', 'Peak (17:00-21:00)'), ('evening', 'Evening (21:00-00:00)')], max_length=8)),
                ('customers', models.PositiveIntegerField(default=0, verbose_name='distinct customers (this row only)')),
                ('facts', models.PositiveIntegerField(default=0, editable=False, help_text='Kept by the incremental rollup: a row whose count falls to 0 goes.', verbose_name='ledger rows counted in this row')),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('operator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'ordering': ['-date', 'operator', 'station', 'hour_band'],
                'indexes': [models.Index(fields=['operator', 'offer', 'date'], name='rollup_operator_offer'), models.Index(fields=['operator', 'station', 'date'], name='rollup_operator_station')],
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('offer', models.Value(0)), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), models.F('hour_band'), name='one_daily_rollup_per_cell')],
            },
        ),
        migrations.CreateModel(
            name='HourlyPeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('surge_sessions', models.PositiveIntegerField(default=0)),
                ('energy_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy (kWh)')),
                ('surge_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='surge revenue')),
                ('grain', models.CharField(choices=[('M', 'month'), ('B', 'block')], max_length=1)),
                ('start', models.DateField()),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('weekend', models.BooleanField()),
                ('hour', models.PositiveSmallIntegerField()),
                ('channel', models.CharField(choices=[('beckn', 'Beckn'), ('roaming', 'OCPI roaming'), ('own_app', 'Own app'), ('other', 'Other')], max_length=8)),
                ('operator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('grain'), models.F('start'), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), models.F('weekend'), models.F('hour'), models.F('channel'), name='one_hourly_period_row')],
            },
        ),
        migrations.CreateModel(
            name='HourlyRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('surge_sessions', models.PositiveIntegerField(default=0)),
                ('energy_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy (kWh)')),
                ('surge_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy in surged sessions (kWh)')),
                ('surge_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='surge revenue')),
                ('net_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='net revenue (pre-tax, after discounts)')),
                ('date', models.DateField()),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('hour', models.PositiveSmallIntegerField()),
                ('channel', models.CharField(choices=[('beckn', 'Beckn'), ('roaming', 'OCPI roaming'), ('own_app', 'Own app'), ('other', 'Other')], max_length=8)),
                ('weekend', models.BooleanField()),
                ('surge_day', models.BooleanField(default=False)),
                ('operator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'ordering': ['-date', 'station', 'hour'],
                'indexes': [models.Index(fields=['operator', 'station', 'date'], name='hourly_operator_station')],
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), models.F('hour'), models.F('channel'), name='one_hourly_rollup_per_cell')],
            },
        ),
        migrations.CreateModel(
            name='NoOfferSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_ref', models.CharField(max_length=100, unique=True)),
                ('channel', models.CharField(choices=[('beckn', 'Beckn'), ('roaming', 'OCPI roaming'), ('own_app', 'Own app'), ('other', 'Other')], default='beckn', max_length=8)),
                ('station_code', models.CharField(max_length=64)),
                ('charger_code', models.CharField(max_length=64)),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('city_code', models.CharField(blank=True, max_length=32)),
                ('site_kind', models.CharField(blank=True, max_length=16)),
                ('customer_key', models.CharField(blank=True, max_length=64)),
                ('customer_segment', models.CharField(blank=True, max_length=32)),
                ('customer_tier', models.CharField(blank=True, max_length=32)),
                ('currency', models.CharField(default='INR', max_length=3)),
                ('energy_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=10)),
                ('gross_amount', models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ('surge_amount', models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ('tax_amount', models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ('net_amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='net (amount payable)')),
                ('finder_fee_amount', models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ('buffer_amount', models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ('session_start', models.DateTimeField()),
                ('session_end', models.DateTimeField(blank=True, null=True)),
                ('session_start_hour', models.PositiveSmallIntegerField(help_text='Local hour, 0-23.')),
                ('occurred_at', models.DateTimeField(db_index=True)),
                ('charger', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cpo_portal.charger')),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'ordering': ['-occurred_at', '-id'],
                'indexes': [models.Index(fields=['operator', 'occurred_at'], name='nooffer_operator_at')],
            },
        ),
        migrations.CreateModel(
            name='OfferDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('energy_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy (kWh)')),
                ('gross_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='gross revenue (pre-tax, before discounts)')),
                ('discount_cost', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount cost (settled)')),
                ('surge_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='surge revenue')),
                ('net_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='net revenue (pre-tax, after discounts)')),
                ('tax', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='tax')),
                ('redemptions', models.PositiveIntegerField(default=0)),
                ('reversals', models.PositiveIntegerField(default=0)),
                ('recovered_discount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount recovered by reversals')),
                ('held_out_sessions', models.PositiveIntegerField(default=0)),
                ('date', models.DateField()),
                ('offer_type', models.CharField(blank=True, max_length=32)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('operator', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'indexes': [models.Index(fields=['operator', 'date'], name='offerdaily_operator_date')],
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('offer', models.Value(0)), name='one_offer_daily_row')],
            },
        ),
        migrations.CreateModel(
            name='OfferScope',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour_band', models.CharField(choices=[('night', 'Night (00:00-06:00)'), ('morning', 'Morning (06:00-11:00)'), ('midday', 'Midday (11:00-17:00)'), ('peak', 'Peak (17:00-21:00)'), ('evening', 'Evening (21:00-00:00)')], max_length=8)),
                ('offer', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('station', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('offer', 'station', 'hour_band'), name='one_scope_cell')],
            },
        ),
        migrations.CreateModel(
            name='OfferScopeDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="gross revenue in the offer's scope (all sessions)")),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('offer', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offers.offer')),
                ('operator', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'indexes': [models.Index(fields=['operator', 'date'], name='scopedaily_operator_date')],
                'constraints': [models.UniqueConstraint(fields=('offer', 'date'), name='one_scope_day')],
            },
        ),
        migrations.CreateModel(
            name='StationDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('surge_sessions', models.PositiveIntegerField(default=0)),
                ('energy_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy (kWh)')),
                ('surge_kwh', models.DecimalField(decimal_places=3, default=0, max_digits=14, verbose_name='energy in surged sessions (kWh)')),
                ('gross_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='gross revenue (pre-tax, before discounts)')),
                ('discount_cost', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount cost (settled)')),
                ('surge_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='surge revenue')),
                ('net_revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='net revenue (pre-tax, after discounts)')),
                ('tax', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='tax')),
                ('redemptions', models.PositiveIntegerField(default=0)),
                ('reversals', models.PositiveIntegerField(default=0)),
                ('recovered_discount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='discount recovered by reversals')),
                ('held_out_sessions', models.PositiveIntegerField(default=0)),
                ('date', models.DateField()),
                ('region_code', models.CharField(blank=True, max_length=16)),
                ('operator', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'indexes': [models.Index(fields=['operator', 'date'], name='stationdaily_operator_date')],
                'constraints': [models.UniqueConstraint(models.F('operator'), models.F('date'), django.db.models.functions.comparison.Coalesce('station', models.Value(0)), models.F('region_code'), name='one_station_daily_row')],
            },
        ),
        migrations.CreateModel(
            name='WhatIfRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('subject_kind', models.CharField(choices=[('offer', 'Offer'), ('surge', 'Surge rule')], max_length=8)),
                ('subject_code', models.CharField(max_length=64, verbose_name='offer or rule id')),
                ('subject_pk', models.PositiveIntegerField(blank=True, null=True)),
                ('subject_status', models.CharField(blank=True, help_text='draft, paused, live, or a change to a live one', max_length=24)),
                ('candidate', models.JSONField(help_text="The candidate's definition (model fields).")),
                ('date_from', models.DateField()),
                ('date_to', models.DateField()),
                ('region_codes', models.JSONField(blank=True, default=list)),
                ('presented_share', models.PositiveSmallIntegerField(blank=True, help_text='An offer that needs a code: replay as if this share of eligible sessions presented it (chosen by a hash of each session, so a replay is reproducible). Empty: no session presents a code.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='sessions presenting the code (%)')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('cancelled', 'Cancelled'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('cancel_requested', models.BooleanField(default=False)),
                ('progress_done', models.PositiveIntegerField(default=0)),
                ('progress_total', models.PositiveIntegerField(default=0)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('result', models.JSONField(blank=True, default=dict)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='run by')),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
                ('stations', models.ManyToManyField(blank=True, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'verbose_name': 'what-if run',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['operator', 'created_at'], name='whatif_operator_at')],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
        migrations.RunPython(leave_room, reset_room),
    ]
