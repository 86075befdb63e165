"""Every migration of pricing up to 0007_pricing_stamp_is_a_cpo_portal_stamp, as one: what a new database is made with (the
ones it replaces stay for a database made before)."""

import cpo_portal.db.values
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import pricing.engine.types
import pricing.models.fields
import pricing.models.surges
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('pricing', '0001_initial'),
        ('pricing', '0002_tax_rate_message'),
        ('pricing', '0003_value_rules'),
        ('pricing', '0004_surge_note_replaces_explanation'),
        ('pricing', '0005_shares_in_percent'),
        ('pricing', '0006_catalogrefresh_changed_at'),
        ('pricing', '0007_pricing_stamp_is_a_cpo_portal_stamp'),
    ]

    initial = True

    dependencies = [
        ('cpo_portal', '0001_squashed_0010_station_stamp'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalGridSignal',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('region_code', models.CharField(blank=True, help_text='Only this region (empty: every region).', max_length=16)),
                ('raised_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('cleared_at', models.DateTimeField(blank=True, null=True)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.operator')),
                ('raised_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('station', models.ForeignKey(blank=True, db_constraint=False, help_text='Only this station (empty: all stations in scope).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'verbose_name': 'historical grid signal',
                'verbose_name_plural': 'historical grid signals',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalSurgeRule',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like peak-evening).')])),
                ('kind', models.CharField(choices=[('peak', 'Peak'), ('weekend', 'Weekend'), ('holiday', 'Holiday'), ('night', 'Night'), ('location', 'Location'), ('fast_charging', 'Fast charging'), ('environmental', 'Environmental'), ('demand', 'Demand')], max_length=16)),
                ('name', models.CharField(help_text='Customer-facing: "Congestion Fee".', max_length=100)),
                ('note', models.CharField(blank=True, help_text='Optional words shown to customers after the text written from the rule ("Congestion Fee: ₹1/kWh between 6 PM - 9 PM"). No figures: the amount, times and thresholds always come from the rule.', max_length=300, validators=[cpo_portal.db.values.no_control_characters, pricing.models.surges.no_figures])),
                ('form', models.CharField(choices=[('per_kwh', 'Rupees per kWh'), ('percent', 'Percent of the energy cost'), ('flat', 'Flat fee per session')], max_length=16, verbose_name='charge form')),
                ('amount', models.DecimalField(decimal_places=4, help_text='₹ per kWh, percent (20 = 20%), or ₹ flat.', max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')])),
                ('window_start', models.TimeField(blank=True, null=True, verbose_name='local start')),
                ('window_end', models.TimeField(blank=True, help_text='Before the start: runs past midnight.', null=True, verbose_name='local end')),
                ('window_days', pricing.models.fields.WeekdaysField(default=pricing.models.fields.all_days, error_messages={'blank': 'Pick at least one day of the week.'}, verbose_name='days of week')),
                ('valid_from', models.DateTimeField(blank=True, null=True)),
                ('valid_until', models.DateTimeField(blank=True, null=True)),
                ('holidays_only', models.BooleanField(default=False, help_text="Applies only on the operator's holidays (and its region's).")),
                ('site_kinds', pricing.models.fields.CodeListField(blank=True, default=list, options=[('highway', 'Highway'), ('urban', 'Urban'), ('rural', 'Rural'), ('airport', 'Airport'), ('mall', 'Mall'), ('office', 'Office'), ('residential', 'Residential'), ('fleet', 'Fleet depot')])),
                ('region_codes', pricing.models.fields.CodeListField(blank=True, default=list, help_text='Comma-separated, e.g. DL, HR.')),
                ('min_power_kw', models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.')], verbose_name='minimum charger power (kW)')),
                ('charging_speeds', pricing.models.fields.CodeListField(blank=True, default=list, options=[('SLOW', 'Slow'), ('NORMAL', 'Normal'), ('FAST', 'Fast'), ('ULTRA_FAST', 'Ultra fast')])),
                ('occupancy_threshold', models.DecimalField(blank=True, decimal_places=3, help_text="Share of the station's chargers occupied: a fraction (0.8 is 80%), typed and shown in percent in the admin.", max_digits=4, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Occupancy threshold must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'Occupancy threshold must be between 0 %% and 100 %%.')])),
                ('on_grid_stress', models.BooleanField(default=False, help_text='Applies while a grid-stress signal is raised.')),
                ('stackable', models.BooleanField(default=True)),
                ('priority', models.IntegerField(default=0, help_text='Among non-stackable rules, the highest priority wins.')),
                ('cap_per_session', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')])),
                ('exempt_segments', pricing.models.fields.CodeListField(blank=True, default=list, help_text='Customer segments that never pay this.')),
                ('exempt_tiers', pricing.models.fields.CodeListField(blank=True, default=list, help_text='Loyalty tiers that never pay this.')),
                ('effective_from', models.DateTimeField(default=django.utils.timezone.now, help_text="When this version of the rule takes effect (the operator's notice period applies).")),
                ('paused', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'verbose_name': 'historical surge rule',
                'verbose_name_plural': 'historical surge rules',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalTariff',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like peak-evening).')])),
                ('name', models.CharField(max_length=200)),
                ('currency', models.CharField(default='INR', max_length=3, validators=[cpo_portal.db.values.currency_code])),
                ('energy_rate_per_kwh', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000'), 'At most %(limit_value)s per unit.')], verbose_name='energy rate (per kWh)')),
                ('service_fee', models.DecimalField(decimal_places=2, default=0, help_text='Flat, once per session.', max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')])),
                ('idle_fee_per_minute', models.DecimalField(decimal_places=4, default=0, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000'), 'At most %(limit_value)s per unit.')])),
                ('idle_grace_minutes', models.PositiveIntegerField(default=0)),
                ('min_price', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')], verbose_name='minimum session price')),
                ('max_price', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')], verbose_name='maximum session price')),
                ('tax_rate', models.DecimalField(decimal_places=4, default=Decimal('0.18'), help_text='As a fraction: 0.18 is 18%.', max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'GST must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'GST must be between 0 %% and 100 %%.')], verbose_name='GST rate')),
                ('tax_name', models.CharField(default='GST', max_length=16, validators=[cpo_portal.db.values.no_control_characters])),
                ('prices_include_tax', models.BooleanField(default=False)),
                ('active', models.BooleanField(default=True)),
                ('ocpi', models.JSONField(blank=True, editable=False, help_text='Kept when an imported OCPI tariff has parts this model cannot express; prices then come from the OCPI calculator.', null=True, verbose_name='OCPI tariff')),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('charger', models.ForeignKey(blank=True, db_constraint=False, help_text='Override for one charger (beats a station override).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.charger')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, help_text='Override for one station (leave empty for the operator default).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'verbose_name': 'historical tariff',
                'verbose_name_plural': 'historical tariffs',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='SurgeRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like peak-evening).')])),
                ('kind', models.CharField(choices=[('peak', 'Peak'), ('weekend', 'Weekend'), ('holiday', 'Holiday'), ('night', 'Night'), ('location', 'Location'), ('fast_charging', 'Fast charging'), ('environmental', 'Environmental'), ('demand', 'Demand')], max_length=16)),
                ('name', models.CharField(help_text='Customer-facing: "Congestion Fee".', max_length=100)),
                ('note', models.CharField(blank=True, help_text='Optional words shown to customers after the text written from the rule ("Congestion Fee: ₹1/kWh between 6 PM - 9 PM"). No figures: the amount, times and thresholds always come from the rule.', max_length=300, validators=[cpo_portal.db.values.no_control_characters, pricing.models.surges.no_figures])),
                ('form', models.CharField(choices=[('per_kwh', 'Rupees per kWh'), ('percent', 'Percent of the energy cost'), ('flat', 'Flat fee per session')], max_length=16, verbose_name='charge form')),
                ('amount', models.DecimalField(decimal_places=4, help_text='₹ per kWh, percent (20 = 20%), or ₹ flat.', max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')])),
                ('window_start', models.TimeField(blank=True, null=True, verbose_name='local start')),
                ('window_end', models.TimeField(blank=True, help_text='Before the start: runs past midnight.', null=True, verbose_name='local end')),
                ('window_days', pricing.models.fields.WeekdaysField(default=pricing.models.fields.all_days, error_messages={'blank': 'Pick at least one day of the week.'}, verbose_name='days of week')),
                ('valid_from', models.DateTimeField(blank=True, null=True)),
                ('valid_until', models.DateTimeField(blank=True, null=True)),
                ('holidays_only', models.BooleanField(default=False, help_text="Applies only on the operator's holidays (and its region's).")),
                ('site_kinds', pricing.models.fields.CodeListField(blank=True, default=list, options=[('highway', 'Highway'), ('urban', 'Urban'), ('rural', 'Rural'), ('airport', 'Airport'), ('mall', 'Mall'), ('office', 'Office'), ('residential', 'Residential'), ('fleet', 'Fleet depot')])),
                ('region_codes', pricing.models.fields.CodeListField(blank=True, default=list, help_text='Comma-separated, e.g. DL, HR.')),
                ('min_power_kw', models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.')], verbose_name='minimum charger power (kW)')),
                ('charging_speeds', pricing.models.fields.CodeListField(blank=True, default=list, options=[('SLOW', 'Slow'), ('NORMAL', 'Normal'), ('FAST', 'Fast'), ('ULTRA_FAST', 'Ultra fast')])),
                ('occupancy_threshold', models.DecimalField(blank=True, decimal_places=3, help_text="Share of the station's chargers occupied: a fraction (0.8 is 80%), typed and shown in percent in the admin.", max_digits=4, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Occupancy threshold must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'Occupancy threshold must be between 0 %% and 100 %%.')])),
                ('on_grid_stress', models.BooleanField(default=False, help_text='Applies while a grid-stress signal is raised.')),
                ('stackable', models.BooleanField(default=True)),
                ('priority', models.IntegerField(default=0, help_text='Among non-stackable rules, the highest priority wins.')),
                ('cap_per_session', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')])),
                ('exempt_segments', pricing.models.fields.CodeListField(blank=True, default=list, help_text='Customer segments that never pay this.')),
                ('exempt_tiers', pricing.models.fields.CodeListField(blank=True, default=list, help_text='Loyalty tiers that never pay this.')),
                ('effective_from', models.DateTimeField(default=django.utils.timezone.now, help_text="When this version of the rule takes effect (the operator's notice period applies).")),
                ('paused', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='surge_rules', to='cpo_portal.operator')),
                ('stations', models.ManyToManyField(blank=True, related_name='surge_rules', to='cpo_portal.station')),
            ],
            options={
                'ordering': ['operator', '-priority', 'code'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalSurgeRule_stations',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='pricing.historicalsurgerule')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.station')),
                ('surgerule', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pricing.surgerule')),
            ],
            options={
                'verbose_name': 'HistoricalSurgeRule_stations',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Tariff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like peak-evening).')])),
                ('name', models.CharField(max_length=200)),
                ('currency', models.CharField(default='INR', max_length=3, validators=[cpo_portal.db.values.currency_code])),
                ('energy_rate_per_kwh', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000'), 'At most %(limit_value)s per unit.')], verbose_name='energy rate (per kWh)')),
                ('service_fee', models.DecimalField(decimal_places=2, default=0, help_text='Flat, once per session.', max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')])),
                ('idle_fee_per_minute', models.DecimalField(decimal_places=4, default=0, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000'), 'At most %(limit_value)s per unit.')])),
                ('idle_grace_minutes', models.PositiveIntegerField(default=0)),
                ('min_price', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')], verbose_name='minimum session price')),
                ('max_price', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000000'), 'At most %(limit_value)s.')], verbose_name='maximum session price')),
                ('tax_rate', models.DecimalField(decimal_places=4, default=Decimal('0.18'), help_text='As a fraction: 0.18 is 18%.', max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'GST must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'GST must be between 0 %% and 100 %%.')], verbose_name='GST rate')),
                ('tax_name', models.CharField(default='GST', max_length=16, validators=[cpo_portal.db.values.no_control_characters])),
                ('prices_include_tax', models.BooleanField(default=False)),
                ('active', models.BooleanField(default=True)),
                ('ocpi', models.JSONField(blank=True, editable=False, help_text='Kept when an imported OCPI tariff has parts this model cannot express; prices then come from the OCPI calculator.', null=True, verbose_name='OCPI tariff')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('charger', models.ForeignKey(blank=True, help_text='Override for one charger (beats a station override).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='tariffs', to='cpo_portal.charger')),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tariffs', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, help_text='Override for one station (leave empty for the operator default).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='tariffs', to='cpo_portal.station')),
            ],
            options={
                'ordering': ['operator', 'code'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalTariffBand',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like peak-evening).')])),
                ('label', models.CharField(help_text='Shown on quotes, e.g. "off-peak".', max_length=100)),
                ('start', models.TimeField(verbose_name='local start')),
                ('end', models.TimeField(help_text='Before the start: runs past midnight.', verbose_name='local end')),
                ('days', pricing.models.fields.WeekdaysField(default=pricing.models.fields.all_days, error_messages={'blank': 'Pick at least one day of the week.'}, help_text='The day a window starts on.', verbose_name='days of week')),
                ('rate_per_kwh', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000'), 'At most %(limit_value)s per unit.')], verbose_name='rate (per kWh)')),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tariff', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pricing.tariff')),
            ],
            options={
                'verbose_name': 'historical tariff band',
                'verbose_name_plural': 'historical tariff bands',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='TariffBand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like peak-evening).')])),
                ('label', models.CharField(help_text='Shown on quotes, e.g. "off-peak".', max_length=100)),
                ('start', models.TimeField(verbose_name='local start')),
                ('end', models.TimeField(help_text='Before the start: runs past midnight.', verbose_name='local end')),
                ('days', pricing.models.fields.WeekdaysField(default=pricing.models.fields.all_days, error_messages={'blank': 'Pick at least one day of the week.'}, help_text='The day a window starts on.', verbose_name='days of week')),
                ('rate_per_kwh', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'Must not be negative.'), django.core.validators.MaxValueValidator(Decimal('10000'), 'At most %(limit_value)s per unit.')], verbose_name='rate (per kWh)')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('tariff', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bands', to='pricing.tariff')),
            ],
            options={
                'ordering': ['tariff', 'start', 'code'],
            },
        ),
        migrations.CreateModel(
            name='GridSignal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('region_code', models.CharField(blank=True, help_text='Only this region (empty: every region).', max_length=16)),
                ('raised_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('cleared_at', models.DateTimeField(blank=True, null=True)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grid_signals', to='cpo_portal.operator')),
                ('raised_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('station', models.ForeignKey(blank=True, help_text='Only this station (empty: all stations in scope).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='grid_signals', to='cpo_portal.station')),
            ],
            options={
                'ordering': ['-raised_at'],
                'indexes': [models.Index(fields=['operator', 'cleared_at'], name='pricing_gri_operato_d54bbe_idx')],
            },
        ),
        migrations.AddConstraint(
            model_name='surgerule',
            constraint=models.UniqueConstraint(fields=('operator', 'code'), name='surge_code_per_operator'),
        ),
        migrations.AddConstraint(
            model_name='surgerule',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0), ('amount__lte', Decimal('10000000')), models.Q(models.Q(('form', pricing.engine.types.ChargeForm['PERCENT']), _negated=True), ('amount__lte', Decimal('100')), _connector='OR'), models.Q(models.Q(('form', pricing.engine.types.ChargeForm['PER_KWH']), _negated=True), ('amount__lte', Decimal('10000')), _connector='OR')), name='surge_amount_in_bounds'),
        ),
        migrations.AddConstraint(
            model_name='surgerule',
            constraint=models.CheckConstraint(condition=models.Q(('occupancy_threshold__isnull', True), models.Q(('occupancy_threshold__gte', 0), ('occupancy_threshold__lte', 1)), _connector='OR'), name='surge_occupancy_fraction'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.UniqueConstraint(fields=('operator', 'code'), name='tariff_code_per_operator'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.CheckConstraint(condition=models.Q(('station__isnull', True), ('charger__isnull', True), _connector='OR'), name='tariff_station_or_charger'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True), ('charger__isnull', True), ('station__isnull', True)), fields=('operator',), name='one_active_default_tariff'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True), ('station__isnull', False)), fields=('station',), name='one_active_station_tariff'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True), ('charger__isnull', False)), fields=('charger',), name='one_active_charger_tariff'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.CheckConstraint(condition=models.Q(('min_price__isnull', True), ('max_price__isnull', True), ('min_price__lte', models.F('max_price')), _connector='OR'), name='tariff_min_not_above_max'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.CheckConstraint(condition=models.Q(('tax_rate__gte', 0), ('tax_rate__lte', 1)), name='tariff_tax_rate_fraction'),
        ),
        migrations.AddConstraint(
            model_name='tariff',
            constraint=models.CheckConstraint(condition=models.Q(('energy_rate_per_kwh__gte', 0), ('energy_rate_per_kwh__lte', Decimal('10000')), ('idle_fee_per_minute__gte', 0), ('idle_fee_per_minute__lte', Decimal('10000')), ('service_fee__gte', 0), ('service_fee__lte', Decimal('10000000')), models.Q(('min_price__isnull', True), models.Q(('min_price__gte', 0), ('min_price__lte', Decimal('10000000'))), _connector='OR'), models.Q(('max_price__isnull', True), models.Q(('max_price__gte', 0), ('max_price__lte', Decimal('10000000'))), _connector='OR')), name='tariff_money_in_bounds'),
        ),
        migrations.AddConstraint(
            model_name='tariffband',
            constraint=models.UniqueConstraint(fields=('tariff', 'code'), name='band_code_per_tariff'),
        ),
        migrations.AddConstraint(
            model_name='tariffband',
            constraint=models.CheckConstraint(condition=models.Q(('rate_per_kwh__gte', 0), ('rate_per_kwh__lte', Decimal('10000'))), name='band_rate_in_bounds'),
        ),
    ]
